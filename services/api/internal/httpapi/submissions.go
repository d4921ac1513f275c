package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/fibstack/fibstack/services/api/internal/submissions"
	"github.com/fibstack/fibstack/shared/results"
)

// Page sizes of the list endpoints.
const (
	defaultPageLimit = 50
	maxPageLimit     = 500
)

// submissionJSON is one submission. Number keeps the teaching app's name for
// the index.
type submissionJSON struct {
	ID          int64     `json:"id"`
	Number      uint64    `json:"number"`
	Source      string    `json:"source"`
	SubmittedAt time.Time `json:"submitted_at"`
	State       string    `json:"state,omitempty"`
}

func newSubmissionJSON(sub submissions.Submission) submissionJSON {
	return submissionJSON{ID: sub.ID, Number: sub.Number, Source: string(sub.Source), SubmittedAt: sub.SubmittedAt}
}

// allSubmissions serves the teaching app's GET /api/values/all: every
// submission, oldest first.
func (s *Server) allSubmissions(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), dependencyTimeout)
	defer cancel()

	list, err := s.Submissions.All(ctx)
	if err != nil {
		return unavailable("postgres", err)
	}

	body := make([]submissionJSON, len(list))
	for i, sub := range list {
		body[i] = newSubmissionJSON(sub)
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// submissionsPage is the body of GET /api/submissions.
type submissionsPage struct {
	Submissions []submissionJSON `json:"submissions"`
	NextCursor  *string          `json:"next_cursor"`
}

// listSubmissions serves GET /api/submissions: submissions newest first, a
// page at a time, each with the current state of its index.
func (s *Server) listSubmissions(w http.ResponseWriter, r *http.Request, _ httprouter.Params) error {
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	before, err := cursor(r)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(r.Context(), dependencyTimeout)
	defer cancel()

	list, err := s.Submissions.Page(ctx, before, limit+1)
	if err != nil {
		return unavailable("postgres", err)
	}
	page := submissionsPage{Submissions: make([]submissionJSON, 0, min(len(list), limit))}
	if len(list) > limit {
		list = list[:limit]
		next := strconv.FormatInt(list[limit-1].ID, 10)
		page.NextCursor = &next
	}

	states, err := s.states(ctx, list)
	if err != nil {
		return err
	}
	for _, sub := range list {
		item := newSubmissionJSON(sub)
		item.State = states[sub.Number]
		page.Submissions = append(page.Submissions, item)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) states(ctx context.Context, list []submissions.Submission) (map[uint64]string, error) {
	indexes := make([]uint64, len(list))
	for i, sub := range list {
		indexes[i] = sub.Number
	}
	found, err := s.Results.Results(ctx, indexes)
	if err != nil {
		return nil, unavailable("redis", err)
	}

	states := make(map[uint64]string, len(list))
	for _, index := range indexes {
		states[index] = string(results.StateQueued)
		if r, ok := found[index]; ok {
			states[index] = string(r.State)
		}
	}
	return states, nil
}

func pageLimit(r *http.Request) (int, error) {
	text := r.URL.Query().Get("limit")
	if text == "" {
		return defaultPageLimit, nil
	}
	limit, err := strconv.Atoi(text)
	if err != nil || limit < 1 || limit > maxPageLimit {
		return 0, badRequest("limit", ruleLimit, "limit must be an integer from 1 to %d, got %q", maxPageLimit, text)
	}
	return limit, nil
}

// cursor returns the position encoded in the cursor parameter, or 0 for the
// first page. Cursors are the decimal numbers that a previous page returned
// as next_cursor.
func cursor(r *http.Request) (int64, error) {
	text := r.URL.Query().Get("cursor")
	if text == "" {
		return 0, nil
	}
	position, err := strconv.ParseInt(text, 10, 64)
	if err != nil || position < 0 {
		return 0, badRequest("cursor", ruleFormat, "cursor must be a next_cursor value from a previous page, got %q", text)
	}
	return position, nil
}
