// Package natsconn connects to NATS so that a service may start before the
// server and survives the server's restarts.
package natsconn

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Connect returns a connection to url that keeps trying to connect and
// reconnect forever, logging each change of state. The connection is returned
// at once even when the server is down. Options add to or override these
// settings.
func Connect(url, name string, logger *slog.Logger, options ...nats.Option) (*nats.Conn, error) {
	defaults := []nats.Option{
		nats.Name(name),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectJitter(250*time.Millisecond, time.Second),
		nats.Timeout(2 * time.Second),
		nats.ConnectHandler(func(c *nats.Conn) {
			logger.Info("Connected to NATS", "url", c.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			// A nil error is a disconnect that the service asked for.
			if err == nil {
				logger.Info("Disconnected from NATS")
				return
			}
			logger.Warn("Disconnected from NATS", "error", err)
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			logger.Info("Reconnected to NATS", "url", c.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			logger.Error("NATS asynchronous error", "subject", subject, "error", err)
		}),
	}
	nc, err := nats.Connect(url, append(defaults, options...)...)
	if err != nil {
		return nil, fmt.Errorf("natsconn: connect to %s: %w", url, err)
	}
	return nc, nil
}

// ConnectJetStream connects like Connect and returns the connection with a
// JetStream context on it.
func ConnectJetStream(url, name string, logger *slog.Logger, options ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := Connect(url, name, logger, options...)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("natsconn: create JetStream context: %w", err)
	}
	return nc, js, nil
}
