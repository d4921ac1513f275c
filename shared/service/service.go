// Package service holds the entry point that every fibstack binary shares:
// flags, configuration, the container health check and signal handling.
package service

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/fibstack/fibstack/shared/config"
	"github.com/fibstack/fibstack/shared/health"
)

// Main loads a C from the environment and runs the service named name until
// SIGINT or SIGTERM, then exits 0, or 1 when run fails. addr returns the
// HTTP address whose /readyz the -healthcheck flag requests. With that flag
// Main only checks readiness and exits 0 when ready and 1 when not. An
// invalid configuration exits 2.
func Main[C any](name string, addr func(*C) string, run func(ctx context.Context, cfg C) error) {
	healthcheck := flag.Bool("healthcheck", false, "request /readyz of the "+name+" on HTTP_ADDR, then exit 0 if ready and 1 if not")
	flag.Parse()

	var cfg C
	if err := config.Load(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(2)
	}

	if *healthcheck {
		if err := health.Probe(context.Background(), addr(&cfg)); err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, cfg)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}
