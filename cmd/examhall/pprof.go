package main

import (
	"net"
	"net/http"
	"net/http/pprof"
)

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
	m.pprofServer = &http.Server{Handler: mux}
	go m.pprofServer.Serve(l) //nolint:errcheck // ends with Close
	return nil
}
