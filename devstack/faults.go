package devstack

import (
	"context"
	"fmt"
)

// The methods below stop and start the stack's data stores in place, on the
// same ports and folders, for fault tests.

// StopRedis stops redis-server with SIGTERM, which flushes its append-only
// file.
func (s *Stack) StopRedis() error { return s.redis.Stop(stopTimeout) }

// StartRedis starts redis-server again on its folder and port.
func (s *Stack) StartRedis(ctx context.Context) error {
	p, err := startRedis(ctx, s.dir("redis"), s.cfg.RedisPort, s.cfg.Logs)
	if err != nil {
		return err
	}
	s.redis = p
	return nil
}

// StopPostgres stops Postgres with SIGTERM.
func (s *Stack) StopPostgres() error { return s.postgres.Stop(stopTimeout) }

// StartPostgres starts Postgres again on its folder and port.
func (s *Stack) StartPostgres(ctx context.Context) error {
	p, err := startPostgres(ctx, s.dir("postgres"), s.cfg.PostgresPort, s.cfg.FastPostgres, s.cfg.Logs)
	if err != nil {
		return err
	}
	s.postgres = p
	return nil
}

// StopNATS shuts the embedded NATS server down. JetStream keeps its streams
// in the file store.
func (s *Stack) StopNATS() {
	s.nats.Shutdown()
	s.nats.WaitForShutdown()
}

// StartNATS starts the embedded NATS server again on its folder and port.
func (s *Stack) StartNATS() error {
	ns, err := startNATS(s.dir("nats"), s.cfg.NATSPort)
	if err != nil {
		return fmt.Errorf("devstack: restart NATS: %w", err)
	}
	s.nats = ns
	return nil
}

// KillWorker kills worker i with SIGKILL, as a crash would.
func (s *Stack) KillWorker(i int) { s.workers[i].Kill() }

// StopWorker stops worker i with SIGTERM and returns its exit error.
func (s *Stack) StopWorker(i int) error { return s.workers[i].Stop(stopTimeout) }

// StartAPINoWait and StartWorkerNoWait start a service without waiting for
// it to become ready, for tests that start it before its dependencies.
func (s *Stack) StartAPINoWait() error {
	p, err := s.spawnAPI()
	if err != nil {
		return err
	}
	s.api = p
	return nil
}

// StartWorkerNoWait starts worker i without waiting for it to become ready.
func (s *Stack) StartWorkerNoWait(i int) error {
	p, err := s.spawnWorker(i)
	if err != nil {
		return err
	}
	s.workers[i] = p
	return nil
}

// Redis returns the redis-server process. Its Pause freezes the server so
// that it accepts connections but never responds, as a hung server does.
func (s *Stack) Redis() *Process { return s.redis }
