package main

import (
	"time"

	"github.com/fibstack/fibstack/shared/config"
)

// Config is the worker's configuration, read from the environment.
type Config struct {
	// HTTPAddr is the address of the health, readiness and metrics
	// endpoints.
	HTTPAddr string `env:"HTTP_ADDR" envDefault:":8001"`

	// Concurrency is how many jobs one worker computes at once. Zero means
	// the number of CPUs.
	Concurrency int `env:"WORKER_CONCURRENCY" envDefault:"0"`

	// ShutdownTimeout bounds how long the worker lets jobs in flight finish
	// after SIGTERM. Jobs still running then are returned to the stream.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`

	NATS  config.NATS
	Redis config.Redis
	Jobs  config.Jobs
	Log   config.Log
}
