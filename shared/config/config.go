// Package config loads service settings from environment variables.
//
// Each setting is a struct field with an `env` tag naming its variable and an
// `envDefault` tag giving the value used when the variable is unset. The
// README lists every variable with its default.
package config

import (
	"fmt"
	"time"

	"github.com/caarlos0/env/v11"
)

// NATS holds the connection settings for the NATS server.
type NATS struct {
	URL string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
}

// Redis holds the connection settings for the Redis server that stores the
// computed values.
type Redis struct {
	URL string `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`
}

// Postgres holds the connection settings for the database that records the
// submissions.
type Postgres struct {
	URL string `env:"DATABASE_URL" envDefault:"postgres://fibstack@127.0.0.1:5432/fibstack?sslmode=disable"`
}

// Jobs holds the settings that the API and the workers must agree on, because
// either of them may create the stream and its consumers.
type Jobs struct {
	// MaxIndex is the largest index accepted from HTTP and from the bus.
	MaxIndex uint64 `env:"MAX_INDEX" envDefault:"1000000"`

	// AckWait is how long the server waits for a worker's acknowledgement
	// before it hands the job to another worker. Workers extend it with
	// in-progress acknowledgements while a long job runs.
	AckWait time.Duration `env:"JOB_ACK_WAIT" envDefault:"30s"`

	// MaxAttempts bounds the deliveries of a job that keeps failing; after
	// the last one the job moves to the dead-letter stream.
	MaxAttempts int `env:"JOB_MAX_ATTEMPTS" envDefault:"5"`

	// DuplicateWindow is how long JetStream remembers a message ID, and so
	// how long a client may retry a POST with the same Idempotency-Key.
	DuplicateWindow time.Duration `env:"JOB_DUPLICATE_WINDOW" envDefault:"10m"`

	// Retention is how long the job stream keeps a job. A job still waiting
	// for a worker after that long is dropped, so keep it far above the
	// longest outage of the workers.
	Retention time.Duration `env:"JOB_RETENTION" envDefault:"168h"`
}

// Log holds the logger settings.
type Log struct {
	// Level is one of debug, info, warn or error.
	Level string `env:"LOG_LEVEL" envDefault:"info"`

	// Format is json or text.
	Format string `env:"LOG_FORMAT" envDefault:"json"`
}

// Load fills cfg, a pointer to a struct of tagged fields, from the
// environment, and returns an error naming each variable that is invalid.
func Load(cfg any) error {
	if err := env.Parse(cfg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Check returns an error naming the first setting of j out of range.
func (j Jobs) Check() error {
	switch {
	case j.MaxIndex > MaxSupportedIndex:
		return fmt.Errorf("config: MAX_INDEX=%d is above the supported maximum %d", j.MaxIndex, MaxSupportedIndex)
	case j.AckWait < time.Second:
		return fmt.Errorf("config: JOB_ACK_WAIT=%s is below the minimum of 1s", j.AckWait)
	case j.MaxAttempts < 1:
		return fmt.Errorf("config: JOB_MAX_ATTEMPTS=%d must be at least 1", j.MaxAttempts)
	case j.DuplicateWindow < time.Second:
		return fmt.Errorf("config: JOB_DUPLICATE_WINDOW=%s is below the minimum of 1s", j.DuplicateWindow)
	case j.Retention < j.DuplicateWindow:
		return fmt.Errorf("config: JOB_RETENTION=%s must be at least JOB_DUPLICATE_WINDOW=%s", j.Retention, j.DuplicateWindow)
	}
	return nil
}

// MaxSupportedIndex is the largest MAX_INDEX that the product is tested with.
// F(100,000,000) has about 20.9 million digits.
const MaxSupportedIndex = 100_000_000
