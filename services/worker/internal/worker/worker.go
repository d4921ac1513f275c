// Package worker computes the Fibonacci jobs of the shared JetStream
// consumer and stores their values in Redis.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/fibstack/fibstack/shared/job"
)

// fetchWait bounds one pull request, so the fetch loop notices shutdown and
// Redis outages promptly.
const fetchWait = 5 * time.Second

// Compute returns F(n) in decimal. fib.Decimal is the production function;
// tests substitute failing ones.
type Compute func(ctx context.Context, n uint64) (string, error)

// ResultStore stores values and failures.
type ResultStore interface {
	HasValue(ctx context.Context, index uint64) (bool, error)
	SaveValue(ctx context.Context, index uint64, value string) (bool, error)
	SaveFailure(ctx context.Context, index uint64, reason string) (bool, error)
	TryLease(ctx context.Context, index uint64, owner string, ttl time.Duration) (bool, error)
	RenewLease(ctx context.Context, index uint64, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, index uint64, owner string) error
	Ping(ctx context.Context) error
}

// Publisher publishes to JetStream; the worker uses it for dead letters.
type Publisher interface {
	PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error)
}

// Worker pulls jobs one at a time, only when it has a free slot, so no job
// waits in a local buffer while its ack wait runs out.
type Worker struct {
	Consumer jetstream.Consumer

	// Reopen creates the stream and consumer again and opens the consumer,
	// for when someone deleted them while the worker runs.
	Reopen func(ctx context.Context) (jetstream.Consumer, error)

	Results   ResultStore
	Publisher Publisher
	Compute   Compute

	// Concurrency is how many jobs run at once.
	Concurrency int

	// MaxIndex is the largest index the worker computes. Larger ones are
	// malformed jobs.
	MaxIndex uint64

	// AckWait is the consumer's ack wait. A job that runs longer sends
	// in-progress acknowledgements every third of it.
	AckWait time.Duration

	// MaxAttempts bounds the deliveries of a job whose computation fails.
	MaxAttempts int

	// ID names this worker in the leases it takes on indexes. Run sets a
	// random one when it is empty.
	ID string

	Metrics *Metrics
	Logger  *slog.Logger
}

// Run computes jobs until ctx is done, then waits for the jobs in flight.
// When drain ends before they finish, their computations are cancelled and
// the jobs are returned to the stream for another worker. Run returns nil
// after a clean stop.
func (w *Worker) Run(ctx context.Context, drain context.Context) error {
	if w.ID == "" {
		w.ID = nuid.Next()
	}

	// jobCtx outlives ctx: jobs in flight keep running after shutdown
	// begins, until drain ends.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	stopJobs := context.AfterFunc(drain, cancelJobs)
	defer stopJobs()

	slots := make(chan struct{}, w.Concurrency)
	var running sync.WaitGroup
	defer running.Wait()
	defer func() {
		w.Logger.Info("Worker stopping: waiting for jobs in flight", "jobs", len(slots))
	}()

	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}

		msg, err := w.next(ctx)
		if err != nil {
			<-slots
			if ctx.Err() != nil {
				return nil
			}
			w.Logger.Warn("Failed to fetch a job, retrying", "retry_in", time.Second, "error", err)
			sleep(ctx, time.Second)
			continue
		}
		if msg == nil {
			<-slots
			continue
		}

		w.Metrics.inFlight.Inc()
		running.Go(func() {
			defer func() { <-slots }()
			defer w.Metrics.inFlight.Dec()
			w.handle(jobCtx, msg)
		})
	}
}

// next waits for Redis, then returns the next job, or nil when none came
// within fetchWait.
func (w *Worker) next(ctx context.Context) (jetstream.Msg, error) {
	// A job fetched while Redis is down could not be stored, so wait here
	// and leave the jobs in the stream.
	if err := w.Results.Ping(ctx); err != nil {
		return nil, fmt.Errorf("redis is unavailable: %w", err)
	}

	fetchCtx, cancel := context.WithTimeout(ctx, fetchWait)
	defer cancel()
	msg, err := w.Consumer.Next(jetstream.FetchContext(fetchCtx))
	switch {
	case err == nil:
		return msg, nil
	case errors.Is(err, jetstream.ErrConsumerDeleted), errors.Is(err, jetstream.ErrConsumerNotFound),
		errors.Is(err, jetstream.ErrStreamNotFound), errors.Is(err, nats.ErrNoResponders):
		// Without the stream, a pull request finds no responder.
		w.Logger.Warn("The job consumer is gone, creating it again", "consumer", job.WorkerConsumer, "error", err)
		consumer, err := w.Reopen(ctx)
		if err != nil {
			return nil, err
		}
		w.Consumer = consumer
		return nil, nil
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return nil, nil
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return nil, err
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
