package main

import (
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// pprofMaxSeconds is the longest profile or trace the pprof listener serves.
const pprofMaxSeconds = 300

// servePprof serves Go's profiles (/debug/pprof/) on their own listener, for
// finding where a server's time goes under load. Off unless --pprof-addr is
// given; it should stay on a loopback address.
func (m *Main) servePprof() error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	l, err := net.Listen("tcp", m.Config.PprofAddr)
	if err != nil {
		return err
	}
	// Timeouts as on the API's listener, so that idle or slow clients cannot
	// hold connections open; writes may take as long as the longest profile
	// or trace one asks for (?seconds=, which pprof refuses beyond it).
	m.pprofServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: pprofMaxSeconds * time.Second, IdleTimeout: 120 * time.Second}
	go m.pprofServer.Serve(l) //nolint:errcheck // ends with Close
	return nil
}
