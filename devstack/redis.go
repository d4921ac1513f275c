package devstack

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// startRedis runs redis-server on port with append-only persistence in dir.
func startRedis(ctx context.Context, dir string, port int, logs io.Writer) (*Process, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: create Redis directory: %w", err)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("devstack: redis-server not found: run make deps, or apt-get install redis-server: %w", err)
	}

	cmd := exec.Command(bin,
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--dir", dir,
		"--appendonly", "yes",
		"--appendfsync", "everysec",
		"--save", "",
		"--daemonize", "no",
		"--logfile", "",
		"--loglevel", "warning",
	)
	p, err := startProcess("redis", cmd, logs)
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, "redis", p, 15*time.Second, tcpOpen(hostPort(port))); err != nil {
		p.Kill()
		return nil, err
	}
	return p, nil
}
