// Command worker computes Fibonacci jobs from the shared JetStream consumer
// and stores their exact values in Redis. Run any number of replicas: they
// share one durable pull consumer, so each job goes to one worker at a time.
//
// Configuration comes from environment variables; see Config and the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fibstack/fibstack/services/worker/internal/worker"
	"github.com/fibstack/fibstack/shared/fib"
	"github.com/fibstack/fibstack/shared/health"
	"github.com/fibstack/fibstack/shared/job"
	"github.com/fibstack/fibstack/shared/logging"
	"github.com/fibstack/fibstack/shared/natsconn"
	"github.com/fibstack/fibstack/shared/redisconn"
	"github.com/fibstack/fibstack/shared/results"
	"github.com/fibstack/fibstack/shared/service"
	"github.com/fibstack/fibstack/shared/startup"
	"github.com/fibstack/fibstack/shared/stream"
)

func main() {
	service.Main("worker", func(cfg *Config) string { return cfg.HTTPAddr }, run)
}

// run computes jobs until ctx is done, then lets the jobs in flight finish
// within the shutdown timeout.
func run(ctx context.Context, cfg Config) error {
	if err := cfg.Jobs.Check(); err != nil {
		return err
	}
	if cfg.Concurrency < 0 {
		return fmt.Errorf("config: WORKER_CONCURRENCY=%d must be 0 (the number of CPUs) or more", cfg.Concurrency)
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = runtime.NumCPU()
	}
	logger, err := logging.New(os.Stderr, cfg.Log, "worker")
	if err != nil {
		return err
	}

	nc, js, err := natsconn.ConnectJetStream(cfg.NATS.URL, "fibstack-worker", logger)
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
	store := results.NewStore(rdb)

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var consumer jetstream.Consumer
	var ready atomic.Bool
	checker := health.NewChecker()
	checker.Add("nats", func(context.Context) error {
		if status := nc.Status(); status != nats.CONNECTED {
			return fmt.Errorf("connection is %s", status)
		}
		return nil
	})
	checker.Add("redis", store.Ping)
	checker.Add("stream", func(ctx context.Context) error {
		if !ready.Load() {
			return errors.New("not set up yet")
		}
		_, err := js.Stream(ctx, job.Stream)
		return err
	})

	server, err := serveHealth(cfg.HTTPAddr, checker, registry, logger)
	if err != nil {
		return err
	}
	defer server.Close()

	openConsumer := func(ctx context.Context) (jetstream.Consumer, error) {
		if _, err := stream.Ensure(ctx, js, cfg.Jobs); err != nil {
			return nil, err
		}
		return js.Consumer(ctx, job.Stream, job.WorkerConsumer)
	}
	err = startup.Retry(ctx, logger, "create job stream", func(ctx context.Context) error {
		var err error
		consumer, err = openConsumer(ctx)
		return err
	})
	if err != nil {
		logger.Info("Worker stopped before the job stream was set up")
		return nil
	}
	ready.Store(true)

	w := &worker.Worker{
		Consumer:    consumer,
		Reopen:      openConsumer,
		Results:     store,
		Publisher:   js,
		Compute:     fib.Decimal,
		Concurrency: cfg.Concurrency,
		MaxIndex:    cfg.Jobs.MaxIndex,
		AckWait:     cfg.Jobs.AckWait,
		MaxAttempts: cfg.Jobs.MaxAttempts,
		Metrics:     worker.NewMetrics(registry),
		Logger:      logger,
	}
	logger.Info("Worker started", "consumer", job.WorkerConsumer, "concurrency", cfg.Concurrency, "max_index", cfg.Jobs.MaxIndex)

	// The drain context starts its clock when ctx ends.
	drain, cancelDrain := context.WithCancel(context.Background())
	defer cancelDrain()
	stopDrainClock := context.AfterFunc(ctx, func() {
		time.AfterFunc(cfg.ShutdownTimeout, cancelDrain)
	})
	defer stopDrainClock()

	if err := w.Run(ctx, drain); err != nil {
		return err
	}
	if err := nc.Drain(); err != nil {
		logger.Warn("Failed to drain the NATS connection", "error", err)
	}
	logger.Info("Worker stopped")
	return nil
}

func serveHealth(addr string, checker *health.Checker, registry *prometheus.Registry, logger *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", checker.Healthz)
	mux.HandleFunc("GET /readyz", checker.Readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{Registry: registry}))

	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on HTTP_ADDR=%s: %w", addr, err)
	}
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
			logger.Error("Health server failed", "addr", addr, "error", err)
		}
	}()
	logger.Info("Health server started", "addr", listener.Addr().String())
	return server, nil
}
