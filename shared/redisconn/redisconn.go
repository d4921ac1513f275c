// Package redisconn builds the Redis client of a service.
package redisconn

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// New returns a client for url, such as redis://127.0.0.1:6379/0. The client
// connects lazily and reconnects on its own. Calls give up at their context's
// deadline. Calls without one give up after five seconds, which is long
// enough for the largest values (tens of megabytes) on a local network.
func New(url string) (*redis.Client, error) {
	options, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisconn: invalid REDIS_URL %q: %w", redactURL(url), err)
	}
	options.DialTimeout = time.Second
	options.ReadTimeout = 5 * time.Second
	options.WriteTimeout = 5 * time.Second
	options.MaxRetries = 1
	// Without this, go-redis ignores context deadlines on reads and writes,
	// and a hung Redis holds a request for the whole ReadTimeout.
	options.ContextTimeoutEnabled = true
	return redis.NewClient(options), nil
}

// redactURL hides the password of url, if it has one.
func redactURL(url string) string {
	options, err := redis.ParseURL(url)
	if err != nil || options.Password == "" {
		return url
	}
	return "redis://" + options.Addr
}

// SetLogger sends go-redis's own messages, such as failed dials while Redis
// is down, to logger at debug level, in place of its default of printing
// each one to stderr. The service logs the errors that matter to it.
func SetLogger(logger *slog.Logger) {
	redis.SetLogger(clientLogger{logger: logger})
}

type clientLogger struct {
	logger *slog.Logger
}

func (l clientLogger) Printf(ctx context.Context, format string, args ...any) {
	l.logger.DebugContext(ctx, "Redis client: "+fmt.Sprintf(format, args...))
}
