// Package recorder writes every job on the stream into Postgres as a
// submission, so jobs published with the nats CLI appear in the submitted
// list just like those from the API.
package recorder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fibstack/fibstack/services/api/internal/submissions"
	"github.com/fibstack/fibstack/shared/job"
)

// recordTimeout bounds one write to Postgres, so a hung Postgres does not
// hold the recorder while its jobs' ack wait runs out.
const recordTimeout = 5 * time.Second

// retryDelay is how long a job waits for redelivery after Postgres failed to
// record it.
const retryDelay = time.Second

// Recorder consumes the recorder consumer. The API instances share it, so
// each job is recorded by one of them.
type Recorder struct {
	Consumer    jetstream.Consumer
	Submissions *submissions.Store
	MaxIndex    uint64
	Logger      *slog.Logger
}

// Run records jobs until ctx is done, and returns nil then.
func (r *Recorder) Run(ctx context.Context) error {
	messages, err := r.Consumer.Messages(jetstream.PullMaxMessages(64))
	if err != nil {
		return fmt.Errorf("recorder: consume %s: %w", job.RecorderConsumer, err)
	}
	stop := context.AfterFunc(ctx, messages.Drain)
	defer stop()

	for {
		msg, err := messages.Next()
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			return nil
		}
		if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) {
			return fmt.Errorf("recorder: consumer %s is gone: %w", job.RecorderConsumer, err)
		}
		if errors.Is(err, jetstream.ErrNoHeartbeat) {
			// The server stopped responding to pulls: the stream may be
			// gone, so the caller creates it again before the next attempt.
			return fmt.Errorf("recorder: consumer %s stopped sending heartbeats: %w", job.RecorderConsumer, err)
		}
		if err != nil {
			r.Logger.WarnContext(ctx, "Failed to receive a job to record", "error", err)
			continue
		}
		r.record(ctx, msg)
	}
}

func (r *Recorder) record(ctx context.Context, msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		r.Logger.ErrorContext(ctx, "Received a job without JetStream metadata", "error", err)
		_ = msg.Term()
		return
	}

	number, err := job.ParsePayload(msg.Data(), r.MaxIndex)
	if err != nil {
		// Invalid jobs are not submissions. The worker logs and counts
		// them, so logging here too would report each one twice.
		r.ack(ctx, msg, meta.Sequence.Stream)
		return
	}

	if msg.Headers().Get(job.HeaderRequeue) != "" {
		// The index was recorded when it was first submitted.
		r.ack(ctx, msg, meta.Sequence.Stream)
		return
	}

	source := job.SourceNATS
	if job.Source(msg.Headers().Get(job.HeaderSource)) == job.SourceHTTP {
		source = job.SourceHTTP
	}

	messageID := msg.Headers().Get(jetstream.MsgIDHeader)
	sub := submissions.Submission{
		Number:         number,
		Source:         source,
		MessageKey:     job.MessageKey(messageID, meta.Sequence.Stream, meta.Timestamp),
		StreamSeq:      meta.Sequence.Stream,
		IdempotencyKey: job.IdempotencyKey(messageID),
		SubmittedAt:    meta.Timestamp,
	}
	recordCtx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	if _, err := r.Submissions.Record(recordCtx, sub); err != nil {
		r.Logger.WarnContext(ctx, "Failed to record a job, retrying", "index", number, "stream_seq", meta.Sequence.Stream, "retry_in", retryDelay, "error", err)
		_ = msg.NakWithDelay(retryDelay)

		// Pausing keeps an outage of Postgres to one attempt, and one log
		// line, a second.
		select {
		case <-ctx.Done():
		case <-time.After(retryDelay):
		}
		return
	}
	r.ack(ctx, msg, meta.Sequence.Stream)
}

func (r *Recorder) ack(ctx context.Context, msg jetstream.Msg, seq uint64) {
	if err := msg.Ack(); err != nil {
		// The job comes back after the ack wait and is recorded again,
		// which changes nothing.
		r.Logger.WarnContext(ctx, "Failed to acknowledge a recorded job", "stream_seq", seq, "error", err)
	}
}
