// Package stream creates the JetStream streams and consumers that carry the
// jobs. The API and the workers both call Ensure at startup, so whichever
// starts first creates them, and jobs published before any HTTP request are
// kept.
package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fibstack/fibstack/shared/config"
	"github.com/fibstack/fibstack/shared/job"
)

// deadLetterMaxAge is how long dead-lettered jobs are kept for inspection.
const deadLetterMaxAge = 30 * 24 * time.Hour

// Ensure creates or updates the job stream, its two durable consumers and the
// dead-letter stream. It is idempotent and safe to call from several
// processes at once, because JetStream accepts a create that matches the
// existing configuration. It returns the job stream's information.
func Ensure(ctx context.Context, js jetstream.JetStream, jobs config.Jobs) (*jetstream.StreamInfo, error) {
	// Limits retention keeps each job for jobs.Retention whether or not a
	// consumer exists yet. With interest retention, a job published after
	// the stream was created but before its consumers would be dropped at
	// once, and some process may create the stream at any time. A consumer
	// created later replays the kept jobs, which changes nothing: the
	// recorder deduplicates by message and workers skip stored values.
	jobStream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        job.Stream,
		Description: "Fibonacci jobs: the payload is the decimal index",
		Subjects:    []string{job.Subject},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      jobs.Retention,
		Storage:     jetstream.FileStorage,
		Duplicates:  jobs.DuplicateWindow,
	})
	if err != nil {
		return nil, fmt.Errorf("stream: create stream %s: %w", job.Stream, err)
	}

	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        job.DeadLetterStream,
		Description: "Fibonacci jobs that failed too often, with the reason in a header",
		Subjects:    []string{job.DeadLetterSubject},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      deadLetterMaxAge,
	})
	if err != nil {
		return nil, fmt.Errorf("stream: create stream %s: %w", job.DeadLetterStream, err)
	}

	for _, consumer := range consumerConfigs(jobs) {
		if _, err := jobStream.CreateOrUpdateConsumer(ctx, consumer); err != nil {
			return nil, fmt.Errorf("stream: create consumer %s on %s: %w", consumer.Durable, job.Stream, err)
		}
	}

	// The create or update call returned the stream's information, and
	// the consumers do not change the creation time that callers read.
	return jobStream.CachedInfo(), nil
}

// consumerConfigs returns the worker and recorder consumers. Neither bounds
// deliveries (MaxDeliver -1): a job must survive any number of crashes and
// outages, so the worker itself counts failures of the job and moves it to
// the dead-letter stream.
func consumerConfigs(jobs config.Jobs) []jetstream.ConsumerConfig {
	return []jetstream.ConsumerConfig{
		{
			Durable:       job.WorkerConsumer,
			Description:   "Workers compute each job and store its value in Redis",
			FilterSubject: job.Subject,
			DeliverPolicy: jetstream.DeliverAllPolicy,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       jobs.AckWait,
			MaxDeliver:    -1,
		},
		{
			Durable:       job.RecorderConsumer,
			Description:   "The API records each job as a submission in Postgres",
			FilterSubject: job.Subject,
			DeliverPolicy: jetstream.DeliverAllPolicy,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       30 * time.Second,
			MaxDeliver:    -1,
		},
	}
}

// Info returns the job stream's information, read from the server in one
// request.
func Info(ctx context.Context, js jetstream.JetStream) (*jetstream.StreamInfo, error) {
	jobStream, err := js.Stream(ctx, job.Stream)
	if err != nil {
		return nil, fmt.Errorf("stream: read stream %s: %w", job.Stream, err)
	}
	return jobStream.CachedInfo(), nil
}
