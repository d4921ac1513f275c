// Package healer queues again the jobs of submitted indexes whose values
// Redis lost, for example after Redis came back with a new, empty volume.
package healer

import (
	"context"
	"fmt"
	"log/slog"
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
	Missing(ctx context.Context, indexes []uint64) ([]uint64, error)
}

// Requeuer queues a job again.
type Requeuer interface {
	Requeue(ctx context.Context, index uint64) error
}

// Healer checks every Interval whether Redis still has its data set marker.
// A missing marker means that Redis lost its data or is new, so the healer
// queues every submitted index without a stored result, then sets the
// marker. While the marker is present it does nothing, so jobs still waiting
// in the stream are not queued twice.
type Healer struct {
	Submissions Submissions
	Results     Results
	Requeuer    Requeuer
	Interval    time.Duration
	Logger      *slog.Logger
}

// Run checks until ctx is done.
func (h *Healer) Run(ctx context.Context) {
	ticker := time.NewTicker(h.Interval)
	defer ticker.Stop()
	for {
		if err := h.Check(ctx); err != nil && ctx.Err() == nil {
			h.Logger.WarnContext(ctx, "Failed to check Redis for lost values, retrying", "retry_in", h.Interval, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Check queues again the submitted indexes without results when Redis has
// no data set marker.
func (h *Healer) Check(ctx context.Context) error {
	id, err := h.Results.DataSetID(ctx)
	if err != nil || id != "" {
		return err
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
			return fmt.Errorf("healer: %d of %d lost values not queued yet: %w", len(missing), len(numbers), err)
		}
	}

	// The marker is set only after every job is queued, so a failure above
	// makes the next check start over.
	if err := h.Results.MarkDataSet(ctx, nuid.Next()); err != nil {
		return err
	}
	if len(missing) > 0 {
		h.Logger.WarnContext(ctx, "Redis had lost values: queued their indexes again", "indexes", len(missing), "submitted", len(numbers))
	}
	return nil
}
