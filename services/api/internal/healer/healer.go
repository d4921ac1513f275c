// Package healer queues again the jobs of submitted indexes whose values
// Redis lost, for example after Redis came back with a new, empty volume.
package healer

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nuid"
)

// Submissions lists the submitted indexes.
type Submissions interface {
	Numbers(ctx context.Context) ([]uint64, error)
}

// Results reads what Redis stores.
type Results interface {
	DataSetID(ctx context.Context) (string, error)
	MarkDataSet(ctx context.Context, id string) error
	StreamCreated(ctx context.Context) (string, error)
	SetStreamCreated(ctx context.Context, created string) error
	Missing(ctx context.Context, indexes []uint64) ([]uint64, error)
}

// Requeuer queues a job again.
type Requeuer interface {
	Requeue(ctx context.Context, index uint64) error
}

// Healer checks every Interval whether jobs or values were lost, and if so
// queues every submitted index without a stored result again. Values were
// lost when Redis has no data set marker: it lost its data or is new. Jobs
// were lost when the job stream's creation time differs from the one stored
// in Redis: someone deleted the stream with the jobs waiting in it. While
// neither happened the healer does nothing, so jobs still waiting in the
// stream are not queued twice.
type Healer struct {
	Submissions Submissions
	Results     Results
	Requeuer    Requeuer

	// StreamCreated returns the creation time of the job stream.
	StreamCreated func(ctx context.Context) (time.Time, error)

	Interval time.Duration
	Logger   *slog.Logger
}

// Run checks until ctx is done.
func (h *Healer) Run(ctx context.Context) {
	ticker := time.NewTicker(h.Interval)
	defer ticker.Stop()
	for {
		if err := h.Check(ctx); err != nil && ctx.Err() == nil {
			h.Logger.WarnContext(ctx, "Failed to check for lost jobs or values, retrying", "retry_in", h.Interval, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Check queues again the submitted indexes without results when values or
// jobs were lost.
func (h *Healer) Check(ctx context.Context) error {
	id, err := h.Results.DataSetID(ctx)
	if err != nil {
		return err
	}
	streamTime, err := h.StreamCreated(ctx)
	if err != nil {
		return err
	}
	created := strconv.FormatInt(streamTime.UnixNano(), 10)
	known, err := h.Results.StreamCreated(ctx)
	if err != nil {
		return err
	}

	valuesLost := id == ""
	jobsLost := known != "" && known != created
	if !valuesLost && !jobsLost {
		if known == "" {
			return h.Results.SetStreamCreated(ctx, created)
		}
		return nil
	}

	numbers, err := h.Submissions.Numbers(ctx)
	if err != nil {
		return err
	}
	missing, err := h.Results.Missing(ctx, numbers)
	if err != nil {
		return err
	}
	for _, index := range missing {
		if err := h.Requeuer.Requeue(ctx, index); err != nil {
			return fmt.Errorf("healer: %d of %d lost jobs not queued yet: %w", len(missing), len(numbers), err)
		}
	}

	// The markers are set only after every job is queued, so a failure
	// above makes the next check start over.
	if err := h.Results.MarkDataSet(ctx, nuid.Next()); err != nil {
		return err
	}
	if err := h.Results.SetStreamCreated(ctx, created); err != nil {
		return err
	}
	if len(missing) > 0 {
		h.Logger.WarnContext(ctx, "Jobs or values were lost: queued their indexes again",
			"indexes", len(missing), "submitted", len(numbers), "redis_lost_data", valuesLost, "stream_recreated", jobsLost)
	}
	return nil
}
