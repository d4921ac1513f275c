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

// Delays of a job whose computation failed: the first one doubles after
// each failure, up to maxFailureDelay.
const (
	firstFailureDelay = time.Second
	maxFailureDelay   = time.Minute
)

// Waits between two attempts of a Redis or NATS call that failed while the
// worker holds a job.
const (
	firstStoreRetry = 250 * time.Millisecond
	maxStoreRetry   = 5 * time.Second
)

// crashedDeliveryFactor times MaxAttempts is the most deliveries a job may
// have, counting those whose worker died before it could report a failure.
const crashedDeliveryFactor = 4

// maxLoggedPayload bounds how much of a malformed payload a log line repeats.
const maxLoggedPayload = 64

// handle runs one job to its end: acknowledged after its value is stored,
// terminated when malformed, returned to the stream when it cannot finish
// before shutdown.
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
	defer w.keepLease(msg, logger)()

	// A redelivered job, or a resubmitted index, whose value is stored only
	// needs its acknowledgement.
	var stored bool
	err = w.persist(ctx, logger, "check for a stored value", func(ctx context.Context) error {
		stored, err = w.Results.HasValue(ctx, index)
		return err
	})
	if err != nil {
		w.giveBack(logger, msg)
		return
	}
	if stored {
		w.Metrics.jobs.WithLabelValues(outcomeAlreadyStored).Inc()
		w.ack(ctx, logger, msg)
		return
	}

	// A job that kills its worker, say by exhausting memory, never reaches
	// fail, so deliveries far beyond MaxAttempts end it here. Store and
	// network failures do not count: the worker retries those while it
	// holds the job.
	if limit := uint64(w.MaxAttempts) * crashedDeliveryFactor; meta.NumDelivered > limit {
		w.deadLetter(ctx, logger, msg, meta, index, fmt.Errorf("delivered %d times without finishing: it may crash its workers", meta.NumDelivered))
		return
	}

	// Jobs of one index that arrive together wait for the first one's value
	// instead of computing it again.
	owner := w.ID + "/" + strconv.FormatUint(meta.Sequence.Stream, 10)
	leased, stored, err := w.takeLease(ctx, logger, index, owner)
	switch {
	case err != nil:
		w.giveBack(logger, msg)
		return
	case stored:
		w.Metrics.jobs.WithLabelValues(outcomeAlreadyStored).Inc()
		w.ack(ctx, logger, msg)
		return
	case leased:
		defer w.releaseLease(logger, index, owner)
		defer w.renewLease(logger, index, owner)()
	}

	logger.Debug("Computing a value")
	started := time.Now()
	value, err := w.compute(ctx, index)
	elapsed := time.Since(started)
	switch {
	case err != nil && ctx.Err() != nil:
		w.giveBack(logger, msg)
		return
	case err != nil:
		w.fail(ctx, logger, msg, meta, index, err)
		return
	}
	w.Metrics.computeSeconds.Observe(elapsed.Seconds())

	var saved bool
	err = w.persist(ctx, logger, "store a value", func(ctx context.Context) error {
		saved, err = w.Results.SaveValue(ctx, index, value)
		return err
	})
	if err != nil {
		w.giveBack(logger, msg)
		return
	}
	if !saved {
		// Another worker stored it meanwhile, after a redelivery or for
		// another job of the same index.
		w.Metrics.jobs.WithLabelValues(outcomeDuplicate).Inc()
		logger.Info("Computed a value that another worker had stored", "elapsed", elapsed)
	} else {
		w.Metrics.jobs.WithLabelValues(outcomeComputed).Inc()
		logger.Info("Computed a value", "digits", len(value), "elapsed", elapsed)
	}
	w.ack(ctx, logger, msg)
}

// keepLease sends JetStream an in-progress acknowledgement every third of
// the ack wait until the returned function is called. A long job or a long
// Redis outage then never hands the job to a second worker while this one
// is alive.
func (w *Worker) keepLease(msg jetstream.Msg, logger *slog.Logger) (stop func()) {
	return every(w.AckWait/3, func() {
		if err := msg.InProgress(); err != nil {
			logger.Warn("Failed to extend a job's lease", "error", err)
		}
	})
}

// every calls fn each interval until the returned function is called.
func every(interval time.Duration, fn func()) (stop func()) {
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				fn()
			}
		}
	}()
	return func() { close(done) }
}

// leasePoll is how often a job that waits for another worker's computation
// of its index checks for the value and the lease.
const leasePoll = 200 * time.Millisecond

// takeLease takes the lease on computing index, waiting while another worker
// holds it. It returns stored true when that worker stored the value
// meanwhile, and ctx's error when shutdown comes first.
func (w *Worker) takeLease(ctx context.Context, logger *slog.Logger, index uint64, owner string) (leased, stored bool, err error) {
	waiting := false
	for {
		err = w.persist(ctx, logger, "take the lease on an index", func(ctx context.Context) error {
			leased, err = w.Results.TryLease(ctx, index, owner, w.AckWait)
			return err
		})
		if err != nil {
			return false, false, err
		}
		if leased {
			// The previous holder may have stored the value and released
			// the lease between the last check and now.
			err = w.persist(ctx, logger, "check for a stored value", func(ctx context.Context) error {
				stored, err = w.Results.HasValue(ctx, index)
				return err
			})
			if err != nil || stored {
				w.releaseLease(logger, index, owner)
				return false, stored, err
			}
			return true, false, nil
		}

		if !waiting {
			logger.Info("Waiting for another worker that computes the same index")
			waiting = true
		}
		select {
		case <-ctx.Done():
			return false, false, ctx.Err()
		case <-time.After(leasePoll):
		}

		err = w.persist(ctx, logger, "check for a stored value", func(ctx context.Context) error {
			stored, err = w.Results.HasValue(ctx, index)
			return err
		})
		if err != nil || stored {
			return false, stored, err
		}
	}
}

// renewLease extends the lease every third of its time to live until the
// returned function is called, so it outlives a long computation but
// expires soon after this worker dies.
func (w *Worker) renewLease(logger *slog.Logger, index uint64, owner string) (stop func()) {
	return every(w.AckWait/3, func() {
		ctx, cancel := context.WithTimeout(context.Background(), w.AckWait/3)
		defer cancel()
		renewed, err := w.Results.RenewLease(ctx, index, owner, w.AckWait)
		if err != nil || !renewed {
			// Storing the value stays safe without the lease; only a
			// second computation may start.
			logger.Warn("Failed to renew the lease on an index", "renewed", renewed, "error", err)
		}
	})
}

func (w *Worker) releaseLease(logger *slog.Logger, index uint64, owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := w.Results.ReleaseLease(ctx, index, owner); err != nil {
		// The lease expires on its own within the ack wait.
		logger.Warn("Failed to release the lease on an index", "error", err)
	}
}

// compute computes F(index), turning a panic into an error.
func (w *Worker) compute(ctx context.Context, index uint64) (value string, err error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			w.Logger.Error("Computation panicked", "index", index, "panic", recovered, "stack", string(debug.Stack()))
			err = fmt.Errorf("computation panicked: %v", recovered)
		}
	}()
	return w.Compute(ctx, index)
}

// persist calls step until it succeeds, waiting longer after each failure,
// and logs each failure with what the step does. It returns ctx's error when
// ctx ends first. The job stays with this worker meanwhile, so a store
// outage neither recomputes the value nor counts as a delivery.
func (w *Worker) persist(ctx context.Context, logger *slog.Logger, what string, step func(context.Context) error) error {
	wait := firstStoreRetry
	for {
		err := step(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}

		logger.Warn("Failed to "+what+", retrying", "retry_in", wait, "error", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, maxStoreRetry)
	}
}

// giveBack returns a job that shutdown interrupted to the stream, so another
// worker takes it at once.
func (w *Worker) giveBack(logger *slog.Logger, msg jetstream.Msg) {
	logger.Info("Returned an unfinished job to the stream")
	w.Metrics.jobs.WithLabelValues(outcomeReturned).Inc()
	if err := msg.Nak(); err != nil {
		logger.Warn("Failed to return a job; it comes back after the ack wait", "error", err)
	}
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
// and records the failure of its index. The dead letter's message ID is the
// job's sequence, so a retried publish stores it once.
func (w *Worker) deadLetter(ctx context.Context, logger *slog.Logger, msg jetstream.Msg, meta *jetstream.MsgMetadata, index uint64, cause error) {
	reason := truncate(cause.Error(), 1024)
	dead := nats.NewMsg(job.DeadLetterSubject)
	dead.Data = msg.Data()
	dead.Header.Set(job.HeaderReason, reason)
	dead.Header.Set(job.HeaderStreamSeq, strconv.FormatUint(meta.Sequence.Stream, 10))
	dead.Header.Set(jetstream.MsgIDHeader, "dead-"+strconv.FormatUint(meta.Sequence.Stream, 10))

	err := w.persist(ctx, logger, "dead-letter a job", func(ctx context.Context) error {
		_, err := w.Publisher.PublishMsg(ctx, dead)
		if errors.Is(err, jetstream.ErrNoStreamResponse) && w.Reopen != nil {
			// Someone deleted the dead-letter stream: create the streams
			// again before the next attempt.
			_, _ = w.Reopen(ctx)
		}
		return err
	})
	if err == nil {
		err = w.persist(ctx, logger, "record a failure", func(ctx context.Context) error {
			_, err := w.Results.SaveFailure(ctx, index, reason)
			return err
		})
	}
	if err != nil {
		w.giveBack(logger, msg)
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
