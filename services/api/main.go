// Command api serves the fibstack HTTP API: it validates submitted indexes,
// queues them as jobs on NATS JetStream, records them in Postgres and reads
// computed values from Redis.
//
// Configuration comes from environment variables; see Config and the README.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/fibstack/fibstack/services/api/internal/httpapi"
	"github.com/fibstack/fibstack/services/api/internal/publisher"
	"github.com/fibstack/fibstack/services/api/internal/submissions"
	"github.com/fibstack/fibstack/shared/logging"
	"github.com/fibstack/fibstack/shared/natsconn"
	"github.com/fibstack/fibstack/shared/redisconn"
	"github.com/fibstack/fibstack/shared/results"
	"github.com/fibstack/fibstack/shared/service"
)

func main() {
	service.Main("api", func(cfg *Config) string { return cfg.HTTPAddr }, run)
}

// run serves until ctx is done, then drains requests in flight and closes
// every connection.
func run(ctx context.Context, cfg Config) error {
	if err := cfg.Jobs.Check(); err != nil {
		return err
	}
	if cfg.HealInterval <= 0 {
		return fmt.Errorf("config: HEAL_INTERVAL=%s must be positive", cfg.HealInterval)
	}
	logger, err := logging.New(os.Stderr, cfg.Log, "api")
	if err != nil {
		return err
	}

	// Every client below connects lazily or retries in the background, so
	// the API starts, and reports not ready, while its dependencies are
	// still coming up.
	// Publishes must fail while NATS is disconnected rather than wait in a
	// buffer, because the client gets a 503 and must not have its job
	// stored later. A publish that times out on a slow server may still be
	// stored, and the 503 message warns of that.
	nc, js, err := natsconn.ConnectJetStream(cfg.NATS.URL, "fibstack-api", logger, nats.ReconnectBufSize(-1))
	if err != nil {
		return err
	}
	defer nc.Close()

	redisconn.SetLogger(logger)
	rdb, err := redisconn.New(cfg.Redis.URL)
	if err != nil {
		return err
	}
	defer rdb.Close()

	pool, err := newPool(cfg.Postgres.URL)
	if err != nil {
		return err
	}
	defer pool.Close()

	var migrated atomic.Bool
	checker := newChecker(nc, js, rdb, pool, &migrated)

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	api := &httpapi.Server{
		Publisher:   publisher.New(js),
		Submissions: submissions.NewStore(pool),
		Results:     results.NewStore(rdb),
		Health:      checker,
		MaxIndex:    cfg.Jobs.MaxIndex,
		Registry:    registry,
		Logger:      logger,
	}

	listener, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR=%s: %w", cfg.HTTPAddr, err)
	}
	server := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       time.Minute,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	logger.Info("API started", "addr", listener.Addr().String(), "max_index", cfg.Jobs.MaxIndex)

	var background sync.WaitGroup
	background.Go(func() {
		setUp(ctx, cfg, logger, js, pool, rdb, &migrated)
	})

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}

	logger.Info("API stopping: draining requests", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		// A client slower than the timeout, such as one downloading a huge
		// value, is cut off. That ends a stop, not a failure of the API.
		logger.Warn("Closed connections still busy after SHUTDOWN_TIMEOUT", "timeout", cfg.ShutdownTimeout, "error", err)
		_ = server.Close()
	}
	background.Wait()
	if err := nc.Drain(); err != nil {
		logger.Warn("Failed to drain the NATS connection", "error", err)
	}
	logger.Info("API stopped")
	return nil
}
