package devstack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// serviceEnv returns the environment of the API and the workers.
func (s *Stack) serviceEnv(httpPort int) []string {
	env := append(os.Environ(),
		"HTTP_ADDR="+hostPort(httpPort),
		"NATS_URL="+s.NATSURL(),
		"REDIS_URL="+s.RedisURL(),
		"DATABASE_URL="+s.DatabaseURL(),
		"LOG_FORMAT=text",
	)
	return append(env, s.cfg.Env...)
}

// StartAPI starts the API and waits until it is ready.
func (s *Stack) StartAPI(ctx context.Context) error {
	p, err := s.spawnAPI()
	if err != nil {
		return err
	}
	s.api = p
	return s.WaitReady(ctx, p, s.APIURL())
}

func (s *Stack) spawnAPI() (*Process, error) {
	cmd := exec.Command(filepath.Join(s.cfg.BinDir, "api"))
	cmd.Env = s.serviceEnv(s.cfg.APIPort)
	return startProcess("api", cmd, s.cfg.Logs)
}

// WaitReady waits until /readyz of the service p at baseURL returns 200.
func (s *Stack) WaitReady(ctx context.Context, p *Process, baseURL string) error {
	return waitFor(ctx, p.Name, p, time.Minute, httpOK(baseURL+"/readyz"))
}

// StopAPI stops the API with SIGTERM.
func (s *Stack) StopAPI() error { return s.api.Stop(stopTimeout) }

// StartWorker starts worker i and waits until it is ready.
func (s *Stack) StartWorker(ctx context.Context, i int) error {
	p, err := s.spawnWorker(i)
	if err != nil {
		return err
	}
	s.workers[i] = p
	return s.WaitReady(ctx, p, s.WorkerURL(i))
}

func (s *Stack) spawnWorker(i int) (*Process, error) {
	cmd := exec.Command(filepath.Join(s.cfg.BinDir, "worker"))
	cmd.Env = s.serviceEnv(s.cfg.WorkerPorts[i])
	return startProcess("worker-"+strconv.Itoa(i+1), cmd, s.cfg.Logs)
}

// Worker returns worker i's process.
func (s *Stack) Worker(i int) *Process { return s.workers[i] }

// Workers returns how many workers the stack runs.
func (s *Stack) Workers() int { return len(s.workers) }

// API returns the API's process.
func (s *Stack) API() *Process { return s.api }

// URL returns the public address, served by nginx.
func (s *Stack) URL() string { return "http://" + hostPort(s.cfg.HTTPPort) }

// APIURL returns the API's own address, behind nginx.
func (s *Stack) APIURL() string { return "http://" + hostPort(s.cfg.APIPort) }

// WorkerURL returns the address of worker i's health endpoints.
func (s *Stack) WorkerURL(i int) string { return "http://" + hostPort(s.cfg.WorkerPorts[i]) }

// NATSURL returns the NATS server's address.
func (s *Stack) NATSURL() string { return fmt.Sprintf("nats://%s", hostPort(s.cfg.NATSPort)) }

// RedisURL returns the Redis server's address.
func (s *Stack) RedisURL() string { return fmt.Sprintf("redis://%s/0", hostPort(s.cfg.RedisPort)) }

// DatabaseURL returns the Postgres database's address.
func (s *Stack) DatabaseURL() string { return DatabaseURL(s.cfg.PostgresPort) }

// Processes returns the stack's running child processes: Redis, Postgres,
// the API, the workers and nginx.
func (s *Stack) Processes() []*Process {
	list := []*Process{s.redis, s.postgres, s.api}
	list = append(list, s.workers...)
	return append(list, s.nginx)
}
