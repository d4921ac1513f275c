// Package job defines the Fibonacci job as it travels on NATS: its subjects,
// stream and consumer names, headers and payload format.
//
// A job is a message on Subject whose payload is the decimal index as plain
// text, so `nats pub fib.jobs 31` queues F(31) just as the API does.
package job

import (
	"strconv"
	"strings"
	"time"
)

// Subjects, streams and consumers. Every service takes these names from here.
const (
	// Subject carries jobs. The payload is the decimal index.
	Subject = "fib.jobs"

	// Stream stores the jobs until every consumer has acknowledged them.
	Stream = "FIB_JOBS"

	// WorkerConsumer is the durable pull consumer that all workers share, so
	// each job goes to one worker at a time.
	WorkerConsumer = "fib-workers"

	// RecorderConsumer is the durable pull consumer through which the API
	// records every job in Postgres, including jobs published with the nats
	// CLI.
	RecorderConsumer = "fib-recorder"

	// DeadLetterSubject receives jobs that failed MaxAttempts times, with the
	// reason in HeaderReason.
	DeadLetterSubject = "fib.dead"

	// DeadLetterStream stores the dead-lettered jobs for inspection.
	DeadLetterStream = "FIB_DEAD"
)

// Message headers.
const (
	// HeaderSource names who submitted the job: SourceHTTP or SourceNATS.
	// A message without it counts as SourceNATS.
	HeaderSource = "Fib-Source"

	// HeaderReason explains why a job was dead-lettered.
	HeaderReason = "Fib-Reason"

	// HeaderStreamSeq gives a dead-lettered job's sequence in the job
	// stream.
	HeaderStreamSeq = "Fib-Stream-Seq"

	// HeaderRequeue marks a job that the API queued again because Redis
	// lost its value or the stream lost the job. It is not a new
	// submission, so it is not recorded.
	HeaderRequeue = "Fib-Requeue"
)

// Source is the origin of a submission.
type Source string

// Sources of a submission.
const (
	SourceHTTP Source = "http"
	SourceNATS Source = "nats"
)

// Payload returns the message payload for index.
func Payload(index uint64) []byte {
	return strconv.AppendUint(nil, index, 10)
}

// idempotencyPrefix starts the message ID of a job that a client submitted
// with an Idempotency-Key.
const idempotencyPrefix = "key-"

// MessageID returns the JetStream message ID for a client's idempotency key.
func MessageID(idempotencyKey string) string {
	return idempotencyPrefix + idempotencyKey
}

// IdempotencyKey returns the client's key from a message ID made by
// MessageID, or "" for any other ID.
func IdempotencyKey(messageID string) string {
	key, found := strings.CutPrefix(messageID, idempotencyPrefix)
	if !found {
		return ""
	}
	return key
}

// MessageKey returns the key that identifies a job message in Postgres. A
// message ID is unique only within the stream's duplicate window, and a
// sequence only until the stream is recreated. So the key joins the message
// ID, when there is one, with the sequence. Without an ID it joins the
// sequence with the time the server stored the message. A PubAck carries
// no storage time, so every job the API publishes has an ID.
//
// NOTE: a client that reuses an Idempotency-Key after the stream was
// recreated, and whose job lands on the same sequence as the first one,
// gets the first row back.
func MessageKey(messageID string, sequence uint64, stored time.Time) string {
	if messageID != "" {
		return "id:" + messageID + "@" + strconv.FormatUint(sequence, 10)
	}
	return "seq:" + strconv.FormatUint(sequence, 10) + "@" + strconv.FormatInt(stored.UnixNano(), 10)
}
