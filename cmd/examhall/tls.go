package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// tlsConfig is serve's TLS configuration, nil for plain HTTP: the
// certificate of --tls-cert and --tls-key, loaded now so that a bad file
// stops serve at once, or autocert's for --tls-autocert. net/http adds h2
// to its NextProtos (ServeTLS), so TLS clients get HTTP/2.
func (m *Main) tlsConfig() (*tls.Config, error) {
	switch {
	case m.Config.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(m.Config.TLSCert, m.Config.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", m.Config.TLSCert, m.Config.TLSKey, err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case len(m.Config.TLSAutocert) > 0:
		cfg := m.autocertManager().TLSConfig() // GetCertificate, and acme-tls/1 for TLS-ALPN-01
		cfg.MinVersion = tls.VersionTLS12
		return cfg, nil
	}
	return nil, nil
}

// autocertManager gets and renews certificates for the --tls-autocert
// domains only (a request for another name gets no certificate, so that no
// one can make examhall ask the CA for names it does not serve), keeping
// them in autocertDir. Agreeing to the CA's terms is what running with
// --tls-autocert means.
func (m *Main) autocertManager() *autocert.Manager {
	if m.acme == nil {
		m.acme = &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(m.Config.TLSAutocert...),
			Cache:      autocert.DirCache(m.autocertDir()),
		}
	}
	return m.acme
}

// autocertDir is --tls-autocert-cache, or DB-autocert next to a SQLite file
// DB, kept with the data (ParseConfig requires the flag with PostgreSQL).
func (m *Main) autocertDir() string {
	if m.Config.TLSAutocertCache != "" {
		return m.Config.TLSAutocertCache
	}
	return strings.TrimPrefix(m.Config.DB, "file:") + "-autocert"
}

// serveACMEChallenges answers ACME HTTP-01 challenges on
// --tls-autocert-http-addr and redirects everything else there to https://.
func (m *Main) serveACMEChallenges() error {
	if len(m.Config.TLSAutocert) == 0 || m.Config.TLSAutocertHTTPAddr == "" {
		return nil
	}
	l, err := net.Listen("tcp", m.Config.TLSAutocertHTTPAddr)
	if err != nil {
		return fmt.Errorf("--tls-autocert-http-addr: %w", err)
	}
	m.acmeServer = &http.Server{
		Handler:           m.autocertManager().HTTPHandler(nil),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := m.acmeServer.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("ACME challenge listener stopped", "err", err)
		}
	}()
	m.Logger.Info("answering ACME HTTP-01 challenges", "addr", l.Addr().String(), "domains", m.Config.TLSAutocert)
	return nil
}
