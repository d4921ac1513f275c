// Package results stores computed Fibonacci values in Redis.
//
// Each index that is done or failed has a summary hash: its state, digit
// count, first and last digits, or the failure reason. A done index also has
// its whole decimal value under a key of its own, so listing summaries never
// reads the values themselves. A sorted set scored by index lists the indexes.
package results

import (
	"errors"
	"strconv"
	"time"
)

// State is the state of an index.
type State string

// States of an index. Queued is never stored in Redis: an index is queued
// when it was submitted and has no result yet.
const (
	StateQueued State = "queued"
	StateDone   State = "done"
	StateFailed State = "failed"
)

// EdgeDigits is how many leading and trailing digits a summary keeps.
const EdgeDigits = 10

// ErrNotFound is returned when an index has no stored result.
var ErrNotFound = errors.New("results: not found")

// Result is the stored outcome of one index.
type Result struct {
	Index uint64
	State State

	// Digits is the number of decimal digits of the value, when done.
	Digits int

	// Head and Tail are the first and last EdgeDigits digits, or the whole
	// value when it is shorter.
	Head string
	Tail string

	// Error is the reason of a failure.
	Error string

	UpdatedAt time.Time
}

// Keys. Every service takes them from here.
const (
	keyIndexes     = "fib:indexes"
	keyValuePrefix = "fib:value:"
	keySummaryPref = "fib:summary:"
)

func valueKey(index uint64) string   { return keyValuePrefix + strconv.FormatUint(index, 10) }
func summaryKey(index uint64) string { return keySummaryPref + strconv.FormatUint(index, 10) }

// edges returns the first and last EdgeDigits digits of value.
func edges(value string) (head, tail string) {
	if len(value) <= EdgeDigits {
		return value, value
	}
	return value[:EdgeDigits], value[len(value)-EdgeDigits:]
}
