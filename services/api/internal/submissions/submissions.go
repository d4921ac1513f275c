// Package submissions records in Postgres every index submitted, through the
// API or directly on the bus.
package submissions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fibstack/fibstack/shared/job"
)

// Submission is one recorded job.
type Submission struct {
	ID     int64
	Number uint64
	Source job.Source

	// MessageKey identifies the job's message; see job.MessageKey.
	MessageKey string

	// StreamSeq is the message's sequence number in the job stream.
	StreamSeq uint64

	// IdempotencyKey is the client's Idempotency-Key header, if it sent one.
	IdempotencyKey string

	SubmittedAt time.Time
}

// Store reads and writes submissions. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store on pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

// Record inserts sub unless its message is recorded already, and returns the
// row as stored either way. The API and the recorder both record each HTTP
// job, so the second call must change nothing.
func (s *Store) Record(ctx context.Context, sub Submission) (Submission, error) {
	var key *string
	if sub.IdempotencyKey != "" {
		key = &sub.IdempotencyKey
	}

	// The no-op update makes RETURNING yield the existing row's ID.
	const query = `
		INSERT INTO submissions (number, source, message_key, stream_seq, idempotency_key, submitted_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (message_key) DO UPDATE SET message_key = EXCLUDED.message_key
		RETURNING ` + columns
	rows, err := s.pool.Query(ctx, query,
		int64(sub.Number), string(sub.Source), sub.MessageKey, int64(sub.StreamSeq), key, sub.SubmittedAt)
	if err != nil {
		return Submission{}, fmt.Errorf("submissions: record index %d (stream sequence %d): %w", sub.Number, sub.StreamSeq, err)
	}
	stored, err := collect(rows)
	if err != nil {
		return Submission{}, fmt.Errorf("submissions: record index %d (stream sequence %d): %w", sub.Number, sub.StreamSeq, err)
	}
	return stored[0], nil
}

// FindByMessage returns the submission of the job message with key
// messageKey, and false when none is recorded.
func (s *Store) FindByMessage(ctx context.Context, messageKey string) (Submission, bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM submissions WHERE message_key = $1`, messageKey)
	if err != nil {
		return Submission{}, false, fmt.Errorf("submissions: find message %q: %w", messageKey, err)
	}
	found, err := collect(rows)
	if err != nil || len(found) == 0 {
		return Submission{}, false, err
	}
	return found[0], true, nil
}

// All returns every submission, oldest first.
func (s *Store) All(ctx context.Context) ([]Submission, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM submissions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("submissions: list all: %w", err)
	}
	return collect(rows)
}

// Page returns up to limit submissions with an ID below before, newest
// first. A zero before starts from the newest.
func (s *Store) Page(ctx context.Context, before int64, limit int) ([]Submission, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx,
		`SELECT `+columns+` FROM submissions WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("submissions: list page before ID %d: %w", before, err)
	}
	return collect(rows)
}

// Submitted reports whether number was ever submitted.
func (s *Store) Submitted(ctx context.Context, number uint64) (bool, error) {
	var found bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM submissions WHERE number = $1)`, int64(number)).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("submissions: look up index %d: %w", number, err)
	}
	return found, nil
}

// Numbers returns every distinct submitted number in ascending order.
func (s *Store) Numbers(ctx context.Context) ([]uint64, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT number FROM submissions ORDER BY number`)
	if err != nil {
		return nil, fmt.Errorf("submissions: list numbers: %w", err)
	}
	numbers, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (uint64, error) {
		var n int64
		err := row.Scan(&n)
		return uint64(n), err
	})
	if err != nil {
		return nil, fmt.Errorf("submissions: read numbers: %w", err)
	}
	return numbers, nil
}

// Ping checks that Postgres responds.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("submissions: ping postgres: %w", err)
	}
	return nil
}

const columns = `id, number, source, message_key, stream_seq, coalesce(idempotency_key, ''), submitted_at`

func collect(rows pgx.Rows) ([]Submission, error) {
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Submission, error) {
		var sub Submission
		var number, seq int64
		var source string
		err := row.Scan(&sub.ID, &number, &source, &sub.MessageKey, &seq, &sub.IdempotencyKey, &sub.SubmittedAt)
		sub.Number, sub.StreamSeq, sub.Source = uint64(number), uint64(seq), job.Source(source)
		return sub, err
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("submissions: read rows: %w", err)
	}
	return list, nil
}
