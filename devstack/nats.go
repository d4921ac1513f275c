package devstack

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startNATS runs an embedded NATS server with JetStream, storing its data
// in dir. A server started again on the same dir and port keeps its streams.
func startNATS(dir string, port int) (*server.Server, error) {
	ns, err := server.NewServer(&server.Options{
		ServerName: "fibstack-dev",
		Host:       "127.0.0.1",
		Port:       port,
		JetStream:  true,
		StoreDir:   filepath.Join(dir, "jetstream"),
		NoSigs:     true,
		NoLog:      true,
	})
	if err != nil {
		return nil, fmt.Errorf("devstack: configure NATS on port %d: %w", port, err)
	}

	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("devstack: NATS on port %d not ready within 10s: is the port in use? Set NATS_PORT", port)
	}
	return ns, nil
}
