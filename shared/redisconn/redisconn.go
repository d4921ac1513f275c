// Package redisconn builds the Redis client of a service.
package redisconn

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// New returns a client for url, such as redis://127.0.0.1:6379/0. The client
// connects lazily and reconnects on its own. Its timeouts are short so that
// a request needing a stopped Redis fails within about two seconds, and
// long enough for the largest values (tens of megabytes) on a local network.
func New(url string) (*redis.Client, error) {
	options, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisconn: invalid REDIS_URL %q: %w", redactURL(url), err)
	}
	options.DialTimeout = time.Second
	options.ReadTimeout = 5 * time.Second
	options.WriteTimeout = 5 * time.Second
	options.MaxRetries = 1
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
