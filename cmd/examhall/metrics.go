package main

import (
	"net"
	"net/http"
	"time"
)

// serveMetrics serves Prometheus metrics (GET /metrics) on their own
// listener, --metrics-addr, never on the API's: the numbers tell about every
// user's traffic and should stay on a loopback or internal address.
func (m *Main) serveMetrics() error {
	l, err := net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return err
	}
	m.metricsAddr = l.Addr()
	m.metrics.Watch(m.db)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metrics.Handler())
	m.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	go m.metricsSrv.Serve(l) //nolint:errcheck // ends with Close
	return nil
}

// MetricsURL is the address of GET /metrics, or "" when --metrics-addr is off.
func (m *Main) MetricsURL() string {
	if m.metricsSrv == nil {
		return ""
	}
	return "http://" + m.metricsAddr.String() + "/metrics"
}
