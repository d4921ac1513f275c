// Command devstack runs the whole fibstack stack natively in the foreground,
// as `make run` does, and stops it cleanly on Ctrl-C or SIGTERM.
//
// Ports and folders come from environment variables; the README lists them.
// Variables of the services themselves, such as MAX_INDEX or LOG_LEVEL, pass
// through to the API and the workers.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/fibstack/fibstack/devstack"
	"github.com/fibstack/fibstack/shared/config"
)

// Config is the launcher's configuration.
type Config struct {
	HTTPPort     int    `env:"HTTP_PORT" envDefault:"8080"`
	NATSPort     int    `env:"NATS_PORT" envDefault:"4222"`
	RedisPort    int    `env:"REDIS_PORT" envDefault:"16379"`
	PostgresPort int    `env:"POSTGRES_PORT" envDefault:"15432"`
	APIPort      int    `env:"API_PORT" envDefault:"18000"`
	Workers      int    `env:"WORKERS" envDefault:"2"`
	DataDir      string `env:"DATA_DIR" envDefault:".data"`
	BinDir       string `env:"BIN_DIR" envDefault:"bin"`
	SubmitRate   string `env:"SUBMIT_RATE" envDefault:"10r/s"`
	SubmitBurst  int    `env:"SUBMIT_BURST" envDefault:"20"`
}

func main() {
	// Errors of package devstack name it already.
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	if cfg.Workers < 1 {
		return fmt.Errorf("devstack: WORKERS=%d must be at least 1", cfg.Workers)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}

	// Worker i serves its health endpoints on API_PORT+1+i.
	workerPorts := make([]int, cfg.Workers)
	for i := range workerPorts {
		workerPorts[i] = cfg.APIPort + 1 + i
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	stack, err := devstack.Start(ctx, devstack.Config{
		RepoRoot:     root,
		DataDir:      absolute(root, cfg.DataDir),
		BinDir:       absolute(root, cfg.BinDir),
		HTTPPort:     cfg.HTTPPort,
		NATSPort:     cfg.NATSPort,
		RedisPort:    cfg.RedisPort,
		PostgresPort: cfg.PostgresPort,
		APIPort:      cfg.APIPort,
		WorkerPorts:  workerPorts,
		SubmitRate:   cfg.SubmitRate,
		SubmitBurst:  cfg.SubmitBurst,
		Logs:         os.Stdout,
	})
	if err != nil && ctx.Err() != nil {
		// Ctrl-C during startup: Start has stopped what it started.
		fmt.Println("\nfibstack stopped while starting.")
		return nil
	}
	if err != nil {
		return err
	}

	fmt.Printf(`
fibstack is running.
  App:       http://localhost:%d
  NATS:      %s   (try: nats --server %s pub fib.jobs 31)
  API:       %s   (health: /healthz, /readyz, /metrics)
  Redis:     %s
  Postgres:  %s
Press Ctrl-C to stop.

`, cfg.HTTPPort, stack.NATSURL(), stack.NATSURL(), stack.APIURL(), stack.RedisURL(), stack.DatabaseURL())

	// A child that exits on its own stops the whole stack, so a crash is
	// not hidden behind a page that half works.
	crashed := make(chan *devstack.Process, 1)
	for _, p := range stack.Processes() {
		go func() {
			<-p.Done()
			select {
			case crashed <- p:
			default:
			}
		}()
	}

	var crashErr error
	select {
	case <-ctx.Done():
		fmt.Println("\nStopping fibstack...")
	case p := <-crashed:
		_, exitErr := p.Exited()
		crashErr = fmt.Errorf("devstack: %s (pid %d) exited unexpectedly (%v): stopped the stack; see its output above", p.Name, p.Pid(), exitErr)
		fmt.Fprintln(os.Stderr, crashErr)
	}
	if err := stack.Stop(); err != nil {
		return err
	}
	if crashErr != nil {
		return crashErr
	}
	fmt.Println("fibstack stopped.")
	return nil
}

func absolute(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}
