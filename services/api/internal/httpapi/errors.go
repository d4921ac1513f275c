package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/fibstack/fibstack/shared/job"
)

// Error is an error that the API reports to the client as JSON.
type Error struct {
	Status  int
	Message string
	Field   string // The request field at fault, if any.
	Rule    string // The rule it breaks, if any.
}

func (e *Error) Error() string { return e.Message }

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
	Rule  string `json:"rule,omitempty"`
}

// Rules of the request that are not about the index itself.
const (
	ruleJSON        = "json"
	ruleUnknown     = "unknown_field"
	ruleDuplicate   = "duplicate_field"
	ruleMaxSize     = "max_size"
	ruleContentType = "content_type"
	ruleFormat      = "format"
	ruleLimit       = "range"
	ruleSubmitted   = "submitted"
	ruleComputed    = "computed"
	ruleRoute       = "route"
	ruleMethod      = "method"
	ruleUnavailable = "unavailable"
	ruleKeyReused   = "key_reused"
)

func badRequest(field, rule, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// unavailable reports that a dependency failed. The client sees which one,
// never the driver's message, which the log keeps.
func unavailable(dependency string, err error) error {
	return &dependencyError{dependency: dependency, err: err}
}

type dependencyError struct {
	dependency string
	err        error
}

func (e *dependencyError) Error() string { return e.dependency + ": " + e.err.Error() }
func (e *dependencyError) Unwrap() error { return e.err }

// writeError maps err to a status and a JSON body. It is the one place where
// errors become statuses.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var apiErr *Error
	var ruleErr *job.RuleError
	var depErr *dependencyError

	switch {
	case errors.As(err, &apiErr):
	case errors.As(err, &ruleErr):
		apiErr = &Error{Status: http.StatusUnprocessableEntity, Message: ruleErr.Message, Field: ruleErr.Field, Rule: ruleErr.Rule}
	case errors.As(err, &depErr):
		s.logger.WarnContext(r.Context(), "Request failed: dependency unavailable", "method", r.Method, "path", r.URL.Path, "dependency", depErr.dependency, "error", depErr.err)
		message := depErr.dependency + " is unavailable, retry in a few seconds"
		if errors.Is(err, context.DeadlineExceeded) {
			message = depErr.dependency + " timed out, retry in a few seconds"
		}
		if errors.Is(err, context.DeadlineExceeded) && depErr.dependency == "nats" {
			// The server may still store a publish that timed out.
			message = "nats timed out, so the job may or may not be queued: retry with the same Idempotency-Key to avoid a second submission"
		}
		w.Header().Set("Retry-After", "2")
		apiErr = &Error{Status: http.StatusServiceUnavailable, Message: message, Rule: ruleUnavailable}
	default:
		s.logger.ErrorContext(r.Context(), "Request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		apiErr = &Error{Status: http.StatusInternalServerError, Message: "internal error, see the API's log"}
	}

	writeJSON(w, apiErr.Status, errorBody{Error: apiErr.Message, Field: apiErr.Field, Rule: apiErr.Rule})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	encodeJSON(w, body)
}

func encodeJSON(w http.ResponseWriter, body any) {
	if err := jsonEncoder(w).Encode(body); err != nil {
		// Headers are gone already; the client sees a truncated body.
		slog.Default().Debug("Failed to write a response body", "error", err)
	}
}
