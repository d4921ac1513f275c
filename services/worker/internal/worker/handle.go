package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fibstack/fibstack/shared/job"
)

// Delays before a job comes back after a failure.
const (
	// storeRetryDelay applies when Redis failed: the job is fine and is
	// retried without limit.
	storeRetryDelay = 2 * time.Second

	// firstFailureDelay doubles after each failed computation, up to
	// maxFailureDelay.
	firstFailureDelay = time.Second
	maxFailureDelay   = time.Minute
)

// crashedDeliveryFactor times MaxAttempts is the most deliveries a job may
// have, counting those whose worker died before it could report a failure.
const crashedDeliveryFactor = 4

// maxLoggedPayload bounds how much of a malformed payload a log line repeats.
const maxLoggedPayload = 64

// handle runs one job to its end: acknowledged after its value is stored,
// terminated when malformed, returned to the stream when it cannot finish.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		w.Logger.Error("Received a job without JetStream metadata, terminating it", "error", err)
		w.terminate(msg, "missing JetStream metadata")
		return
	}
	logger := w.Logger.With("stream_seq", meta.Sequence.Stream, "delivery", meta.NumDelivered)

	index, err := job.ParsePayload(msg.Data(), w.MaxIndex)
	if err != nil {
		logger.Warn("Rejected a malformed job", "payload", shorten(msg.Data()), "payload_bytes", len(msg.Data()), "reason", err)
		w.Metrics.jobs.WithLabelValues(outcomeMalformed).Inc()
		w.terminate(msg, err.Error())
		return
	}
	logger = logger.With("index", index)

	// A value is never computed twice: a redelivered job or a resubmitted
	// index whose value is stored only needs its acknowledgement.
	stored, err := w.Results.HasValue(ctx, index)
	if err != nil {
		w.retryLater(logger, msg, storeRetryDelay, "Failed to check for a stored value, retrying", err)
		return
	}
	if stored {
		w.Metrics.jobs.WithLabelValues(outcomeAlreadyStored).Inc()
		w.ack(ctx, logger, msg)
		return
	}

	// A job that kills its worker, say by exhausting memory, never reaches
	// fail, so deliveries far beyond MaxAttempts end it here.
	if limit := uint64(w.MaxAttempts) * crashedDeliveryFactor; meta.NumDelivered > limit {
		w.deadLetter(ctx, logger, msg, meta, index, fmt.Errorf("delivered %d times without finishing: it may crash its workers", meta.NumDelivered))
		return
	}

	logger.Debug("Computing a value")
	started := time.Now()
	value, err := w.computeWithLease(ctx, msg, index)
	elapsed := time.Since(started)
	switch {
	case err != nil && ctx.Err() != nil:
		// Shutdown cancelled the computation: hand the job to another
		// worker at once.
		logger.Info("Returned an unfinished job to the stream", "elapsed", elapsed)
		w.Metrics.jobs.WithLabelValues(outcomeReturned).Inc()
		if err := msg.Nak(); err != nil {
			logger.Warn("Failed to return a job; it comes back after the ack wait", "error", err)
		}
		return
	case err != nil:
		w.fail(ctx, logger, msg, meta, index, err)
		return
	}
	w.Metrics.computeSeconds.Observe(elapsed.Seconds())

	saved, err := w.Results.SaveValue(ctx, index, value)
	if err != nil {
		w.retryLater(logger, msg, storeRetryDelay, "Failed to store a value, retrying", err)
		return
	}
	if !saved {
		// Another worker stored it meanwhile, after a redelivery.
		w.Metrics.jobs.WithLabelValues(outcomeDuplicate).Inc()
		logger.Info("Computed a value that another worker had stored", "elapsed", elapsed)
	} else {
		w.Metrics.jobs.WithLabelValues(outcomeComputed).Inc()
		logger.Info("Computed a value", "digits", len(value), "elapsed", elapsed)
	}
	w.ack(ctx, logger, msg)
}

// computeWithLease computes F(index) while telling JetStream every third of
// the ack wait that the job is in progress, so a long job is never handed to
// a second worker while this one is alive. A panic becomes an error.
func (w *Worker) computeWithLease(ctx context.Context, msg jetstream.Msg, index uint64) (value string, err error) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		ticker := time.NewTicker(w.AckWait / 3)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				if err := msg.InProgress(); err != nil {
					w.Logger.Warn("Failed to extend a job's lease", "index", index, "error", err)
				}
			}
		}
	}()

	defer func() {
		if recovered := recover(); recovered != nil {
			w.Logger.Error("Computation panicked", "index", index, "panic", recovered, "stack", string(debug.Stack()))
			err = fmt.Errorf("computation panicked: %v", recovered)
		}
	}()
	return w.Compute(ctx, index)
}

// fail retries a failed computation with a growing delay, and after
// MaxAttempts deliveries moves the job to the dead-letter stream and records
// the failure.
func (w *Worker) fail(ctx context.Context, logger *slog.Logger, msg jetstream.Msg, meta *jetstream.MsgMetadata, index uint64, cause error) {
	if meta.NumDelivered < uint64(w.MaxAttempts) {
		delay := failureDelay(meta.NumDelivered)
		w.Metrics.jobs.WithLabelValues(outcomeRetried).Inc()
		w.retryLater(logger, msg, delay, "Computation failed, retrying", cause)
		return
	}

	w.deadLetter(ctx, logger, msg, meta, index, fmt.Errorf("computation failed %d times, last: %w", meta.NumDelivered, cause))
}

// deadLetter moves a job to the dead-letter stream with cause as its reason
// and records the failure of its index.
func (w *Worker) deadLetter(ctx context.Context, logger *slog.Logger, msg jetstream.Msg, meta *jetstream.MsgMetadata, index uint64, cause error) {
	reason := cause.Error()
	dead := nats.NewMsg(job.DeadLetterSubject)
	dead.Data = msg.Data()
	dead.Header.Set(job.HeaderReason, truncate(reason, 1024))
	dead.Header.Set(job.HeaderStreamSeq, strconv.FormatUint(meta.Sequence.Stream, 10))
	if _, err := w.Publisher.PublishMsg(ctx, dead); err != nil {
		w.retryLater(logger, msg, storeRetryDelay, "Failed to dead-letter a job, retrying", err)
		return
	}
	if _, err := w.Results.SaveFailure(ctx, index, truncate(reason, 1024)); err != nil {
		w.retryLater(logger, msg, storeRetryDelay, "Failed to record a failure, retrying", err)
		return
	}

	logger.Error("Moved a failing job to the dead-letter stream", "subject", job.DeadLetterSubject, "error", cause)
	w.Metrics.jobs.WithLabelValues(outcomeDeadLettered).Inc()
	w.terminate(msg, reason)
}

func (w *Worker) retryLater(logger *slog.Logger, msg jetstream.Msg, delay time.Duration, message string, cause error) {
	logger.Warn(message, "retry_in", delay, "error", cause)
	if err := msg.NakWithDelay(delay); err != nil {
		logger.Warn("Failed to return a job; it comes back after the ack wait", "error", err)
	}
}

func (w *Worker) ack(ctx context.Context, logger *slog.Logger, msg jetstream.Msg) {
	// A double ack waits for the server's confirmation, so a job counts as
	// done only once the server has recorded the acknowledgement.
	ackCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := msg.DoubleAck(ackCtx); err != nil {
		logger.Warn("Failed to acknowledge a stored job; a redelivery will find the value stored", "error", err)
	}
}

func (w *Worker) terminate(msg jetstream.Msg, reason string) {
	if err := msg.TermWithReason(truncate(reason, 256)); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		w.Logger.Warn("Failed to terminate a job; it comes back after the ack wait", "error", err)
	}
}

func failureDelay(delivered uint64) time.Duration {
	delay := firstFailureDelay << min(delivered-1, 16)
	return min(delay, maxFailureDelay)
}

func shorten(payload []byte) string {
	if len(payload) <= maxLoggedPayload {
		return strconv.Quote(string(payload))
	}
	return strconv.Quote(string(payload[:maxLoggedPayload])) + "…"
}

func truncate(text string, max int) string {
	if len(text) <= max {
		return text
	}
	return text[:max]
}
