package main

import (
	"time"

	"github.com/fibstack/fibstack/shared/config"
)

// Config is the API's configuration, read from the environment.
type Config struct {
	// HTTPAddr is the address the API listens on, for requests, health
	// checks and metrics.
	HTTPAddr string `env:"HTTP_ADDR" envDefault:":8000"`

	// ShutdownTimeout bounds how long the API drains requests in flight
	// after SIGTERM.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`

	// HealInterval is how often the API checks whether Redis lost its
	// values or the job stream its jobs, and queues their indexes again if
	// so.
	HealInterval time.Duration `env:"HEAL_INTERVAL" envDefault:"5s"`

	NATS     config.NATS
	Redis    config.Redis
	Postgres config.Postgres
	Jobs     config.Jobs
	Log      config.Log
}
