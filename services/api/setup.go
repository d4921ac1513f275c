package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"

	"github.com/fibstack/fibstack/services/api/internal/healer"
	"github.com/fibstack/fibstack/services/api/internal/publisher"
	"github.com/fibstack/fibstack/services/api/internal/recorder"
	"github.com/fibstack/fibstack/services/api/internal/submissions"
	"github.com/fibstack/fibstack/shared/health"
	"github.com/fibstack/fibstack/shared/job"
	"github.com/fibstack/fibstack/shared/results"
	"github.com/fibstack/fibstack/shared/startup"
	"github.com/fibstack/fibstack/shared/stream"
)

// setUp creates the job stream and applies the migrations, retrying each
// until it succeeds, then records jobs and heals lost values until ctx is
// done.
func setUp(ctx context.Context, cfg Config, logger *slog.Logger, js jetstream.JetStream, pool *pgxpool.Pool, rdb *redis.Client, migrated *atomic.Bool) {
	err := startup.Retry(ctx, logger, "create job stream", func(ctx context.Context) error {
		_, err := stream.Ensure(ctx, js, cfg.Jobs)
		return err
	})
	if err != nil {
		return
	}
	err = startup.Retry(ctx, logger, "migrate postgres", func(ctx context.Context) error {
		return submissions.Migrate(ctx, pool, logger)
	})
	if err != nil {
		return
	}
	migrated.Store(true)
	logger.Info("API ready", "stream", job.Stream)

	requeue := &healer.Healer{
		Submissions: submissions.NewStore(pool),
		Results:     results.NewStore(rdb),
		Requeuer:    publisher.New(js),
		StreamCreated: func(ctx context.Context) (time.Time, error) {
			info, err := stream.Info(ctx, js)
			if errors.Is(err, jetstream.ErrStreamNotFound) {
				// Someone deleted the stream: create it, and its consumers,
				// again, so POSTs work and the healer finds the new one.
				info, err = stream.Ensure(ctx, js, cfg.Jobs)
			}
			if err != nil {
				return time.Time{}, err
			}
			return info.Created, nil
		},
		Interval: cfg.HealInterval,
		Logger:   logger,
	}
	var healing sync.WaitGroup
	healing.Go(func() { requeue.Run(ctx) })
	defer healing.Wait()

	// Someone may delete the stream or the consumer while the API runs, so
	// each attempt creates them again before it opens the consumer.
	rec := &recorder.Recorder{
		Submissions: submissions.NewStore(pool),
		MaxIndex:    cfg.Jobs.MaxIndex,
		Logger:      logger,
	}
	_ = startup.Retry(ctx, logger, "record jobs", func(ctx context.Context) error {
		if _, err := stream.Ensure(ctx, js, cfg.Jobs); err != nil {
			return err
		}
		consumer, err := js.Consumer(ctx, job.Stream, job.RecorderConsumer)
		if err != nil {
			return fmt.Errorf("open consumer %s: %w", job.RecorderConsumer, err)
		}
		rec.Consumer = consumer
		return rec.Run(ctx)
	})
}

func newPool(url string) (*pgxpool.Pool, error) {
	poolConfig, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("invalid DATABASE_URL: %w", err)
	}
	poolConfig.ConnConfig.ConnectTimeout = 2 * time.Second
	pool, err := pgxpool.NewWithConfig(context.Background(), poolConfig)
	if err != nil {
		return nil, fmt.Errorf("create postgres pool: %w", err)
	}
	return pool, nil
}

func newChecker(nc *nats.Conn, js jetstream.JetStream, rdb *redis.Client, pool *pgxpool.Pool, migrated *atomic.Bool) *health.Checker {
	checker := health.NewChecker()
	checker.Add("nats", func(context.Context) error {
		if status := nc.Status(); status != nats.CONNECTED {
			return fmt.Errorf("connection is %s", status)
		}
		return nil
	})
	checker.Add("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	checker.Add("postgres", pool.Ping)
	checker.Add("stream", func(ctx context.Context) error {
		_, err := js.Stream(ctx, job.Stream)
		return err
	})
	checker.Add("migrations", func(context.Context) error {
		if !migrated.Load() {
			return errors.New("not applied yet")
		}
		return nil
	})
	return checker
}
