package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/fibstack/fibstack/services/api/internal/publisher"
	"github.com/fibstack/fibstack/services/api/internal/submissions"
	"github.com/fibstack/fibstack/shared/job"
	"github.com/fibstack/fibstack/shared/results"
)

// recordBudget bounds the Postgres and Redis calls that follow a publish.
// They only improve the response, so a hung store must not delay it long.
const recordBudget = time.Second

// shortValueDigits is the longest value that list responses include whole.
// Longer values are listed by digit count, head and tail.
const shortValueDigits = 64

// valueJSON is an index with its state and, when done, its value or summary.
type valueJSON struct {
	Index     uint64     `json:"index"`
	State     string     `json:"state"`
	Digits    int        `json:"digits,omitempty"`
	Value     *string    `json:"value,omitempty"`
	Head      string     `json:"head,omitempty"`
	Tail      string     `json:"tail,omitempty"`
	Error     string     `json:"error,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`

	SubmissionID int64 `json:"submission_id,omitempty"`
}

func newValueJSON(r results.Result) valueJSON {
	v := valueJSON{Index: r.Index, State: string(r.State), Error: r.Error}
	if !r.UpdatedAt.IsZero() {
		v.UpdatedAt = &r.UpdatedAt
	}
	if r.State != results.StateDone {
		return v
	}

	v.Digits = r.Digits
	if r.Digits <= results.EdgeDigits {
		// The summary of a value of at most EdgeDigits digits is the value.
		v.Value = &r.Head
		return v
	}
	v.Head, v.Tail = r.Head, r.Tail
	return v
}

// createValue serves POST /api/values: it validates the index, queues a job,
// records the submission and responds 202, or 200 with the value when the
// index was computed already.
func (s *Server) createValue(w http.ResponseWriter, r *http.Request, _ httprouter.Params) error {
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	index, err := decodeSubmission(w, r, s.MaxIndex)
	if err != nil {
		return err
	}
	publishCtx, cancel := context.WithTimeout(r.Context(), dependencyTimeout)
	defer cancel()
	ack, err := s.Publisher.Publish(publishCtx, index, key)
	if err != nil {
		return unavailable("nats", err)
	}
	if ack.Duplicate {
		if err := s.checkReplay(r, key, index, ack); err != nil {
			return err
		}
		w.Header().Set("Idempotent-Replayed", "true")
	}

	// From here on the job is safe in JetStream, so the response is a
	// success even if Postgres or Redis fail: the recorder writes the
	// submission later, and the worker computes the value. Both calls run
	// at once under one short deadline, so a hung store delays the
	// response by recordBudget at most.
	afterPublish, cancelAfter := context.WithTimeout(r.Context(), recordBudget)
	defer cancelAfter()
	var submissionID int64
	var recorded sync.WaitGroup
	recorded.Go(func() {
		submissionID = s.recordSubmission(afterPublish, submissions.Submission{
			Number:         index,
			Source:         job.SourceHTTP,
			MessageKey:     job.MessageKey(ack.MessageID, ack.Sequence, time.Time{}),
			StreamSeq:      ack.Sequence,
			IdempotencyKey: key,
			SubmittedAt:    time.Now().UTC(),
		})
	})
	stored, done := s.storedValue(afterPublish, index)
	recorded.Wait()

	answer := valueJSON{Index: index, State: string(results.StateQueued)}
	status := http.StatusAccepted
	if done {
		answer, status = stored, http.StatusOK
	}
	answer.SubmissionID = submissionID
	writeJSON(w, status, answer)
	return nil
}

// checkReplay rejects an Idempotency-Key that was first sent with another
// index, because the client would otherwise get the other index's response.
// It finds the first index in Postgres or, when Postgres is down or the
// recorder has not written it yet, in the stream.
func (s *Server) checkReplay(r *http.Request, key string, index uint64, ack publisher.Ack) error {
	// Postgres may be down or hung, and the stream has the first job as
	// long as the duplicate window lasts, which is shorter than its
	// retention. Each lookup gets half the budget.
	findCtx, cancelFind := context.WithTimeout(r.Context(), dependencyTimeout/2)
	defer cancelFind()
	first, found, err := s.Submissions.FindByMessage(findCtx, job.MessageKey(ack.MessageID, ack.Sequence, time.Time{}))
	firstIndex := first.Number
	if err != nil || !found {
		streamCtx, cancelStream := context.WithTimeout(r.Context(), dependencyTimeout/2)
		defer cancelStream()
		if firstIndex, err = s.Publisher.Index(streamCtx, ack.Sequence); err != nil {
			return unavailable("nats", err)
		}
	}

	if firstIndex != index {
		return &Error{Status: http.StatusUnprocessableEntity, Field: "Idempotency-Key", Rule: ruleKeyReused,
			Message: fmt.Sprintf("Idempotency-Key %q was used for index %d: send a new key for index %d", key, firstIndex, index)}
	}
	return nil
}

// recordSubmission records sub and returns its ID, or 0 after logging when
// Postgres fails.
func (s *Server) recordSubmission(ctx context.Context, sub submissions.Submission) int64 {
	stored, err := s.Submissions.Record(ctx, sub)
	if err != nil {
		s.logger.WarnContext(ctx, "Failed to record a queued job; the recorder will record it", "index", sub.Number, "stream_seq", sub.StreamSeq, "error", err)
		return 0
	}
	return stored.ID
}

// storedValue returns the value of index when it is stored already: whole
// when short, else as a summary.
func (s *Server) storedValue(ctx context.Context, index uint64) (valueJSON, bool) {
	result, err := s.Results.Result(ctx, index)
	if err != nil || result.State != results.StateDone {
		return valueJSON{}, false
	}
	v := newValueJSON(result)
	if v.Value != nil || result.Digits > shortValueDigits {
		return v, true
	}

	value, err := s.Results.Value(ctx, index)
	if err != nil {
		return valueJSON{}, false
	}
	v.Value, v.Head, v.Tail = &value, "", ""
	return v, true
}

// getValue serves GET /api/values/{index} with the whole value, or with the
// summary of a long value given ?summary=true, and the teaching app's
// /api/values/all and /api/values/current.
func (s *Server) getValue(w http.ResponseWriter, r *http.Request, params httprouter.Params) error {
	switch params.ByName("index") {
	case "all":
		return s.allSubmissions(w, r)
	case "current":
		return s.currentValues(w, r)
	}

	index, err := job.ParseIndex(params.ByName("index"), s.MaxIndex)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(r.Context(), dependencyTimeout)
	defer cancel()

	result, err := s.Results.Result(ctx, index)
	switch {
	case errors.Is(err, results.ErrNotFound):
		return s.queuedOrMissing(ctx, w, index)
	case err != nil:
		return unavailable("redis", err)
	}

	v := newValueJSON(result)
	if result.State == results.StateDone && r.URL.Query().Get("summary") != "true" {
		value, err := s.Results.Value(ctx, index)
		if errors.Is(err, results.ErrNotFound) {
			// Only someone deleting keys by hand separates a summary from
			// its value. Resubmitting the index computes it again.
			s.logger.WarnContext(ctx, "Stored summary has no value", "index", index)
			return s.queuedOrMissing(ctx, w, index)
		}
		if err != nil {
			return unavailable("redis", err)
		}
		v.Value, v.Head, v.Tail = &value, "", ""
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) queuedOrMissing(ctx context.Context, w http.ResponseWriter, index uint64) error {
	submitted, err := s.Submissions.Submitted(ctx, index)
	if err != nil {
		return unavailable("postgres", err)
	}
	if !submitted {
		return &Error{Status: http.StatusNotFound, Field: job.FieldIndex, Rule: ruleSubmitted,
			Message: fmt.Sprintf("index %d was never submitted: POST it to /api/values first", index)}
	}
	writeJSON(w, http.StatusOK, valueJSON{Index: index, State: string(results.StateQueued)})
	return nil
}

// downloadValue serves GET /api/values/{index}/value: the whole value as a
// plain-text attachment, streamed from Redis a chunk at a time.
func (s *Server) downloadValue(w http.ResponseWriter, r *http.Request, params httprouter.Params) error {
	index, err := job.ParseIndex(params.ByName("index"), s.MaxIndex)
	if err != nil {
		return err
	}

	sizeCtx, cancel := context.WithTimeout(r.Context(), dependencyTimeout)
	defer cancel()
	size, err := s.Results.ValueSize(sizeCtx, index)
	if errors.Is(err, results.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Field: job.FieldIndex, Rule: ruleComputed,
			Message: fmt.Sprintf("the value of index %d is not computed yet", index)}
	}
	if err != nil {
		return unavailable("redis", err)
	}

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.FormatInt(size+1, 10))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="fibonacci-%d.txt"`, index))
	w.WriteHeader(http.StatusOK)
	if err := s.Results.CopyValue(r.Context(), index, size, w); err != nil {
		// The status is sent already: end the response short, so the
		// client sees an incomplete download.
		s.logger.WarnContext(r.Context(), "Stopped sending a value", "index", index, "error", err)
		panic(http.ErrAbortHandler)
	}
	_, _ = io.WriteString(w, "\n") // A client that hung up is not an error of the API.
	return nil
}

// valuesPage is the body of GET /api/values.
type valuesPage struct {
	Values     []valueJSON `json:"values"`
	NextCursor *string     `json:"next_cursor"`
}

// listValues serves GET /api/values: computed and failed indexes in
// ascending order, a page at a time, with whole values only when short.
func (s *Server) listValues(w http.ResponseWriter, r *http.Request, _ httprouter.Params) error {
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	from, err := cursor(r)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(r.Context(), dependencyTimeout)
	defer cancel()
	list, next, err := s.Results.List(ctx, uint64(from), limit)
	if err != nil {
		return unavailable("redis", err)
	}

	page := valuesPage{Values: make([]valueJSON, 0, len(list))}
	for _, result := range list {
		v := newValueJSON(result)
		if v.Value == nil && result.State == results.StateDone && result.Digits <= shortValueDigits {
			value, err := s.Results.Value(ctx, result.Index)
			if err != nil && !errors.Is(err, results.ErrNotFound) {
				return unavailable("redis", err)
			}
			if err == nil {
				v.Value, v.Head, v.Tail = &value, "", ""
			}
		}
		page.Values = append(page.Values, v)
	}
	if next != nil {
		text := strconv.FormatUint(*next, 10)
		page.NextCursor = &text
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// currentValues serves the teaching app's GET /api/values/current: an object
// from every computed index to its whole value. The body is written while
// values are read, a few at a time, so memory stays small however many
// values there are. Its size still grows with all the values together, so
// the page uses GET /api/values instead.
func (s *Server) currentValues(w http.ResponseWriter, r *http.Request) error {
	// Sending every value can take long, so each Redis call gets its own
	// deadline and the response as a whole none.
	written := false
	err := s.Results.EachValue(r.Context(), dependencyTimeout, func(index uint64, value string) error {
		separator := ","
		if !written {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			separator = "{"
			written = true
		}
		_, err := fmt.Fprintf(w, `%s"%d":"%s"`, separator, index, value)
		return err
	})

	switch {
	case err != nil && !written:
		return unavailable("redis", err)
	case err != nil:
		// The status is sent already: end the response short, so the
		// client sees an error and not a smaller object.
		s.logger.WarnContext(r.Context(), "Stopped sending current values", "error", err)
		panic(http.ErrAbortHandler)
	case !written:
		writeJSON(w, http.StatusOK, map[string]string{})
		return nil
	}
	_, _ = io.WriteString(w, "}\n")
	return nil
}
