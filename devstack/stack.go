// Package devstack runs the whole fibstack stack natively: an embedded NATS
// server with JetStream, redis-server, Postgres, the API, the workers and
// nginx, each on a loopback port. `make run` and the integration tests both
// start the stack through it, so the run path is the tested path.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// stopTimeout bounds how long each process may take to exit after SIGTERM.
const stopTimeout = 30 * time.Second

// Config describes a stack. A zero port means a free port chosen at start.
type Config struct {
	// RepoRoot is the repository's folder, which contains the nginx
	// template and web/dist.
	RepoRoot string

	// DataDir holds the data of NATS, Redis, Postgres and nginx, each in a
	// folder of its own. Data survives between runs on the same folder.
	DataDir string

	// BinDir contains the api and worker binaries.
	BinDir string

	HTTPPort     int
	NATSPort     int
	RedisPort    int
	PostgresPort int
	APIPort      int

	// WorkerPorts are the health ports of the workers, one per worker.
	WorkerPorts []int

	// Env adds variables to the environment of the API and the workers,
	// such as MAX_INDEX=1000 or LOG_LEVEL=debug.
	Env []string

	// SubmitRate and SubmitBurst set nginx's per-client limit on
	// submissions, such as "10r/s" and 20.
	SubmitRate  string
	SubmitBurst int

	// FastPostgres turns off fsync in Postgres, for tests.
	FastPostgres bool

	// Logs receives the output of every process.
	Logs io.Writer
}

// Stack is a running stack. Tests use its methods to stop and restart parts
// of it.
type Stack struct {
	cfg Config

	nats     *server.Server
	redis    *Process
	postgres *Process
	api      *Process
	workers  []*Process
	nginx    *Process
}

// Start starts every component in dependency order and waits until the API
// and every worker report ready. On error it stops what it started.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	s := &Stack{cfg: cfg}
	if err := s.start(ctx); err != nil {
		if stopErr := s.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		return nil, err
	}
	return s, nil
}

func (s *Stack) start(ctx context.Context) error {
	var err error
	if s.nats, err = startNATS(s.dir("nats"), s.cfg.NATSPort); err != nil {
		return err
	}
	if s.redis, err = startRedis(ctx, s.dir("redis"), s.cfg.RedisPort, s.cfg.Logs); err != nil {
		return err
	}
	if s.postgres, err = startPostgres(ctx, s.dir("postgres"), s.cfg.PostgresPort, s.cfg.FastPostgres, s.cfg.Logs); err != nil {
		return err
	}
	if err := s.StartAPI(ctx); err != nil {
		return err
	}
	s.workers = make([]*Process, len(s.cfg.WorkerPorts))
	for i := range s.cfg.WorkerPorts {
		if err := s.StartWorker(ctx, i); err != nil {
			return err
		}
	}

	s.nginx, err = startNginx(ctx, s.cfg.RepoRoot, s.dir("nginx"), nginxSettings{
		Port:        s.cfg.HTTPPort,
		APIAddr:     hostPort(s.cfg.APIPort),
		WebRoot:     filepath.Join(s.cfg.RepoRoot, "web", "dist"),
		SubmitRate:  s.cfg.SubmitRate,
		SubmitBurst: s.cfg.SubmitBurst,
	}, s.cfg.Logs)
	return err
}

// Stop stops the components in reverse order of start, each with SIGTERM,
// and returns the errors of those that did not exit cleanly.
func (s *Stack) Stop() error {
	var errs []error
	stop := func(p *Process) {
		if p != nil {
			errs = append(errs, p.Stop(stopTimeout))
		}
	}

	stop(s.nginx)
	for _, w := range s.workers {
		stop(w)
	}
	stop(s.api)
	stop(s.postgres)
	stop(s.redis)
	if s.nats != nil {
		s.nats.Shutdown()
		s.nats.WaitForShutdown()
	}
	return errors.Join(errs...)
}

func (s *Stack) dir(name string) string { return filepath.Join(s.cfg.DataDir, name) }

// fill chooses free ports for zero ones and checks the folders.
func (c *Config) fill() error {
	ports := []*int{&c.HTTPPort, &c.NATSPort, &c.RedisPort, &c.PostgresPort, &c.APIPort}
	for i := range c.WorkerPorts {
		ports = append(ports, &c.WorkerPorts[i])
	}
	if err := fillPorts(ports); err != nil {
		return err
	}
	if c.SubmitRate == "" {
		c.SubmitRate = "10r/s"
	}
	if c.SubmitBurst == 0 {
		c.SubmitBurst = 20
	}
	if c.Logs == nil {
		c.Logs = os.Stderr
	}

	if _, err := os.Stat(filepath.Join(c.RepoRoot, "web", "dist", "index.html")); err != nil {
		return fmt.Errorf("devstack: the web app is not built (%w): run make web", err)
	}
	for _, bin := range []string{"api", "worker"} {
		if _, err := os.Stat(filepath.Join(c.BinDir, bin)); err != nil {
			return fmt.Errorf("devstack: the %s binary is missing (%w): run make build", bin, err)
		}
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return fmt.Errorf("devstack: create data folder: %w", err)
	}
	// Postgres and nginx workers run as other users when the caller is
	// root, and must reach their folders inside.
	if os.Geteuid() == 0 {
		if err := os.Chmod(c.DataDir, 0o755); err != nil {
			return fmt.Errorf("devstack: open data folder to the Postgres user: %w", err)
		}
	}
	return nil
}

// fillPorts sets each zero port to a free one. It keeps every listener open
// until all are chosen, because the kernel may hand a closed port out again.
func fillPorts(ports []*int) error {
	for _, port := range ports {
		if *port == 0 {
			listener, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return fmt.Errorf("devstack: find a free port: %w", err)
			}
			defer listener.Close()
			*port = listener.Addr().(*net.TCPAddr).Port
		}
	}
	return nil
}
