// Package publisher queues jobs on the JetStream job stream.
package publisher

import (
	"context"
	"fmt"
	"math"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/fibstack/fibstack/shared/job"
)

// Publisher publishes jobs and waits for JetStream to store them.
type Publisher struct {
	js jetstream.JetStream
}

// New returns a publisher on js.
func New(js jetstream.JetStream) *Publisher {
	return &Publisher{js: js}
}

// Ack is JetStream's acknowledgement of a stored job.
type Ack struct {
	Sequence uint64

	// Duplicate is true when JetStream had already stored a message with
	// the same ID within its duplicate window, so this publish stored
	// nothing and Sequence is the earlier message's.
	Duplicate bool

	// MessageID is the job's Nats-Msg-Id.
	MessageID string
}

// Publish stores a job for index, marked as coming from HTTP. A non-empty
// idempotencyKey becomes the message ID, so JetStream drops a retried publish
// within the stream's duplicate window. Without a key the ID is random, which
// still guards the client library's own retries.
func (p *Publisher) Publish(ctx context.Context, index uint64, idempotencyKey string) (Ack, error) {
	msg := nats.NewMsg(job.Subject)
	msg.Data = job.Payload(index)
	msg.Header.Set(job.HeaderSource, string(job.SourceHTTP))

	id := "http-" + nuid.Next()
	if idempotencyKey != "" {
		id = job.MessageID(idempotencyKey)
	}
	msg.Header.Set(jetstream.MsgIDHeader, id)

	ack, err := p.js.PublishMsg(ctx, msg)
	if err != nil {
		return Ack{}, fmt.Errorf("publisher: publish index %d on %s: %w", index, job.Subject, err)
	}
	return Ack{Sequence: ack.Sequence, Duplicate: ack.Duplicate, MessageID: id}, nil
}

// Requeue stores a job for index again, marked so that the recorder does not
// count it as a new submission.
func (p *Publisher) Requeue(ctx context.Context, index uint64) error {
	msg := nats.NewMsg(job.Subject)
	msg.Data = job.Payload(index)
	msg.Header.Set(job.HeaderRequeue, "true")

	if _, err := p.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("publisher: requeue index %d on %s: %w", index, job.Subject, err)
	}
	return nil
}

// Index returns the index of the job stored at sequence seq. It fails with
// jetstream.ErrMsgNotFound once the stream has dropped the job, after
// JOB_RETENTION.
func (p *Publisher) Index(ctx context.Context, seq uint64) (uint64, error) {
	stream, err := p.js.Stream(ctx, job.Stream)
	if err != nil {
		return 0, fmt.Errorf("publisher: open stream %s: %w", job.Stream, err)
	}
	msg, err := stream.GetMsg(ctx, seq)
	if err != nil {
		return 0, fmt.Errorf("publisher: read job %d of %s: %w", seq, job.Stream, err)
	}
	index, err := job.ParsePayload(msg.Data, math.MaxUint64)
	if err != nil {
		return 0, fmt.Errorf("publisher: job %d of %s: %w", seq, job.Stream, err)
	}
	return index, nil
}
