package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/acme/autocert"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and localhost
// and its key to PEM files in dir, and returns them with a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "examhall test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// serve --tls-cert --tls-key serves HTTPS over HTTP/2, every response with
// HSTS, and the session cookie Secure; over plain HTTP neither.
func TestServeTLS(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	run(t, "createadmin", "--db", dsn, "--password", "secret", "--bcrypt-cost", "4")
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	m, out := start(t, "--db", dsn, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(out, "examhall listening on https://127.0.0.1:") || !strings.HasPrefix(m.URL(), "https://127.0.0.1:") {
		t.Errorf("serve printed %q; URL %s", out, m.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer client.CloseIdleConnections()
	plain, _ := start(t, "--db", dsn)
	for _, tt := range []struct {
		base         string
		client       *http.Client
		proto        int
		hsts, secure bool
	}{
		{m.URL(), client, 2, true, true},
		{plain.URL(), http.DefaultClient, 1, false, false},
	} {
		for _, path := range []string{"/healthz/", "/api/v2.5/nothing/", "/login/"} {
			resp, err := tt.client.Get(tt.base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.ProtoMajor != tt.proto {
				t.Errorf("GET %s%s: %s, want HTTP/%d", tt.base, path, resp.Proto, tt.proto)
			}
			if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts == "max-age=31536000") != tt.hsts || (hsts == "") == tt.hsts {
				t.Errorf("GET %s%s: %d, Strict-Transport-Security %q, want it: %v", tt.base, path, resp.StatusCode, hsts, tt.hsts)
			}
		}
		resp, err := tt.client.Post(tt.base+"/api/v2.5/session/", "application/json", strings.NewReader(`{"username":"admin","password":"secret"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookies := resp.Cookies()
		if resp.StatusCode != 200 || len(cookies) != 1 || cookies[0].Secure != tt.secure {
			t.Errorf("POST %s/api/v2.5/session/: %d, cookies %v, want one Secure: %v", tt.base, resp.StatusCode, cookies, tt.secure)
		}
	}
	// A client that does not trust the certificate is refused: it is TLS.
	if _, err := http.Get(m.URL() + "/healthz/"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an untrusting client: %v", err)
	}
}

// The TLS flags that cannot work together are refused (exit status 2),
// and a certificate that cannot be loaded stops serve before it serves.
func TestTLSFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	db := filepath.Join(dir, "examhall.db")
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"--tls-cert", certFile}, "examhall: --tls-cert and --tls-key go together: give both or neither\n"},
		{[]string{"--tls-key", keyFile}, "examhall: --tls-cert and --tls-key go together: give both or neither\n"},
		{[]string{"--tls-cert", certFile, "--tls-key", keyFile, "--tls-autocert", "exams.example.org"},
			"examhall: --tls-autocert gets its own certificates: give it or --tls-cert and --tls-key, not both\n"},
		{[]string{"--tls-autocert-cache", dir}, "examhall: --tls-autocert-cache needs --tls-autocert\n"},
		{[]string{"--tls-autocert", "exams.example.org,192.0.2.7"},
			"examhall: --tls-autocert: \"192.0.2.7\" is not a domain name (an ACME CA certifies names such as exams.example.org, not addresses)\n"},
		{[]string{"--tls-autocert", "localhost"},
			"examhall: --tls-autocert: \"localhost\" is not a domain name (an ACME CA certifies names such as exams.example.org, not addresses)\n"},
		{[]string{"--tls-autocert", "exams.example.org", "--db", "postgres://db.example.org/examhall"},
			"examhall: --tls-autocert needs --tls-autocert-cache with PostgreSQL: a directory kept across restarts (shared by the replicas)\n"},
	}
	for _, tt := range tests {
		args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tt.args...)
		code, stdout, stderr := execute(t, nil, args...)
		if code != 2 || stdout != "" || stderr != tt.stderr {
			t.Errorf("examhall %s: exit %d\nstdout: %s\nstderr: %s\nwant:   %s", strings.Join(args, " "), code, stdout, stderr, tt.stderr)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a refused command line made %s: %v", db, err)
	}
	// The key of another certificate: serve fails (exit 1) and serves nothing.
	_, otherKey, _ := selfSigned(t, t.TempDir())
	code, stdout, stderr := execute(t, nil, "serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", otherKey)
	if want := "examhall: --tls-cert " + certFile + ", --tls-key " + otherKey + ": tls: private key does not match public key\n"; code != 1 || stdout != "" || !strings.HasSuffix(stderr, want) {
		t.Errorf("mismatched key: exit %d\nstdout: %s\nstderr: %s\nwant suffix: %s", code, stdout, stderr, want)
	}
}

// --tls-autocert: the manager asks certificates for its domains only,
// keeps them next to the SQLite file (or in --tls-autocert-cache), accepts
// the CA's terms, and offers TLS-ALPN-01 beside HTTP/2; --addr defaults to
// :443 unless given. No network: a name outside the domains is refused
// before any CA is asked.
func TestAutocertWiring(t *testing.T) {
	parse := func(env map[string]string, args ...string) Config {
		t.Helper()
		c, err := ParseConfig(append([]string{"serve"}, args...), func(k string) string { return env[k] }, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := parse(nil, "--db", "/srv/examhall/examhall.db", "--tls-autocert", "Exams.example.org, www.example.org")
	if c.Addr != ":443" || !slices.Equal(c.TLSAutocert, []string{"exams.example.org", "www.example.org"}) || c.TLSAutocertHTTPAddr != ":80" {
		t.Errorf("--tls-autocert: addr %q, domains %q, HTTP-01 on %q", c.Addr, c.TLSAutocert, c.TLSAutocertHTTPAddr)
	}
	if c := parse(nil, "--tls-autocert", "exams.example.org", "--addr", ":8443"); c.Addr != ":8443" {
		t.Errorf("--addr given: %q", c.Addr)
	}
	if c := parse(map[string]string{"EXAMHALL_ADDR": ":8443"}, "--tls-autocert", "exams.example.org"); c.Addr != ":8443" {
		t.Errorf("EXAMHALL_ADDR given: %q", c.Addr)
	}
	if c := parse(nil); c.Addr != "127.0.0.1:8080" {
		t.Errorf("without TLS: %q", c.Addr)
	}

	m := NewMain()
	m.Config = parse(nil, "--db", "/srv/examhall/examhall.db", "--tls-autocert", "exams.example.org,www.example.org")
	mgr := m.autocertManager()
	if mgr.Cache != autocert.DirCache("/srv/examhall/examhall.db-autocert") {
		t.Errorf("cache %#v", mgr.Cache)
	}
	if !mgr.Prompt("https://letsencrypt.org/terms") {
		t.Error("the CA's terms are not accepted")
	}
	ctx := context.Background()
	for host, ok := range map[string]bool{"exams.example.org": true, "www.example.org": true, "evil.example.com": false, "example.org": false} {
		if err := mgr.HostPolicy(ctx, host); (err == nil) != ok {
			t.Errorf("HostPolicy(%s): %v, want allowed: %v", host, err, ok)
		}
	}
	cfg, err := m.tlsConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cfg.NextProtos, "acme-tls/1") || !slices.Contains(cfg.NextProtos, "h2") {
		t.Errorf("NextProtos %q", cfg.NextProtos)
	}
	if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "evil.example.com"}); err == nil || !strings.Contains(err.Error(), "not configured in HostWhitelist") {
		t.Errorf("a certificate for another name: %v", err)
	}
	m = NewMain()
	m.Config = parse(nil, "--db", "postgres://db.example.org/examhall", "--tls-autocert", "exams.example.org", "--tls-autocert-cache", "/var/cache/examhall")
	if mgr := m.autocertManager(); mgr.Cache != autocert.DirCache("/var/cache/examhall") {
		t.Errorf("cache %#v", mgr.Cache)
	}
}
