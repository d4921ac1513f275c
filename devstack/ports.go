package devstack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// waitFor calls ready every 50 ms until it returns nil, the process exits or
// timeout passes, and returns the last error then.
func waitFor(ctx context.Context, what string, p *Process, timeout time.Duration, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	var last error
	for {
		if last = ready(ctx); last == nil {
			return nil
		}
		if p != nil {
			if exited, err := p.Exited(); exited {
				return fmt.Errorf("devstack: %s exited while starting: %v", what, err)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: %s not ready within %s: %w", what, timeout, last)
		case <-ticker.C:
		}
	}
}

// httpOK returns a readiness function that requests url and expects 200.
func httpOK(url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s returned %s", url, resp.Status)
		}
		return nil
	}
}

// tcpOpen returns a readiness function that expects a TCP listener at addr.
func tcpOpen(addr string) func(context.Context) error {
	return func(ctx context.Context) error {
		var dialer net.Dialer
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return conn.Close()
	}
}
