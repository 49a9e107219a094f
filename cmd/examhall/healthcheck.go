package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
)

// healthcheck asks the server at --addr for GET /healthz/ and returns nil
// when it answers 200: the HEALTHCHECK of a container image that has no
// curl. An address without a host, or with an unspecified one (:8080,
// 0.0.0.0:8080, [::]:8080), is asked on 127.0.0.1, which serve always
// accepts as Host.
func (m *Main) healthcheck(ctx context.Context) error {
	host, port, err := net.SplitHostPort(m.Config.Addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	if addr, err := netip.ParseAddr(host); host == "" || (err == nil && addr.IsUnspecified()) {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/healthz/"
	ctx, cancel := context.WithTimeout(ctx, m.Config.HealthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "examhall-healthcheck")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) //nolint:errcheck // only the status matters
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s answered %s", url, resp.Status)
	}
	fmt.Fprintf(m.Stdout, "examhall: %s answered 200 OK\n", url)
	return nil
}
