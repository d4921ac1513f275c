// Package health serves the liveness and readiness endpoints of a service.
//
// /healthz returns 200 while the process runs. /readyz runs every check
// concurrently, each with a short timeout, and returns 200 only when all of
// them pass. Its JSON body names each check and the error of those that
// failed.
package health

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// CheckTimeout bounds each readiness check, so /readyz answers promptly
// while a dependency hangs.
const CheckTimeout = time.Second

// Check returns nil when one dependency is usable.
type Check func(ctx context.Context) error

// Checker holds the named readiness checks of a service. Add every check
// before serving.
type Checker struct {
	names  []string
	checks map[string]Check
}

// NewChecker returns a checker without checks.
func NewChecker() *Checker {
	return &Checker{checks: make(map[string]Check)}
}

// Add registers check under name, such as "redis".
func (c *Checker) Add(name string, check Check) {
	c.names = append(c.names, name)
	c.checks[name] = check
}

// Run runs every check and returns the error of each failed one by name.
func (c *Checker) Run(ctx context.Context) map[string]error {
	failed := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range c.names {
		wg.Go(func() {
			checkCtx, cancel := context.WithTimeout(ctx, CheckTimeout)
			defer cancel()

			if err := c.checks[name](checkCtx); err != nil {
				mu.Lock()
				failed[name] = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}

type report struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// Healthz returns 200 while the process can serve HTTP at all.
func (c *Checker) Healthz(w http.ResponseWriter, _ *http.Request) {
	writeReport(w, http.StatusOK, report{Status: "ok"})
}

// Readyz returns 200 when every check passes and 503 otherwise.
func (c *Checker) Readyz(w http.ResponseWriter, r *http.Request) {
	failed := c.Run(r.Context())

	checks := make(map[string]string, len(c.names))
	for _, name := range c.names {
		checks[name] = "ok"
		if err, ok := failed[name]; ok {
			checks[name] = err.Error()
		}
	}

	if len(failed) > 0 {
		writeReport(w, http.StatusServiceUnavailable, report{Status: "not ready", Checks: checks})
		return
	}
	writeReport(w, http.StatusOK, report{Status: "ready", Checks: checks})
}

func writeReport(w http.ResponseWriter, status int, body report) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // The client may be gone; nothing to do then.
}
