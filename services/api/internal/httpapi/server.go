// Package httpapi serves the fibstack HTTP API under /api.
package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fibstack/fibstack/services/api/internal/publisher"
	"github.com/fibstack/fibstack/services/api/internal/submissions"
	"github.com/fibstack/fibstack/shared/health"
	"github.com/fibstack/fibstack/shared/results"
)

// dependencyTimeout bounds each call to NATS, Redis or Postgres made while
// serving a request. A request that needs a stopped or hung store then gets
// a 503 within two seconds instead of hanging, with room for the rest of the
// request.
const dependencyTimeout = 1500 * time.Millisecond

// Publisher queues jobs.
type Publisher interface {
	Publish(ctx context.Context, index uint64, idempotencyKey string) (publisher.Ack, error)

	// Index returns the index of the job stored at sequence seq.
	Index(ctx context.Context, seq uint64) (uint64, error)
}

// SubmissionStore records and lists submissions.
type SubmissionStore interface {
	Record(ctx context.Context, sub submissions.Submission) (submissions.Submission, error)
	FindByMessage(ctx context.Context, messageKey string) (submissions.Submission, bool, error)
	All(ctx context.Context) ([]submissions.Submission, error)
	Page(ctx context.Context, before int64, limit int) ([]submissions.Submission, error)
	Submitted(ctx context.Context, number uint64) (bool, error)
}

// ResultStore reads computed values.
type ResultStore interface {
	Result(ctx context.Context, index uint64) (results.Result, error)
	Results(ctx context.Context, indexes []uint64) (map[uint64]results.Result, error)
	List(ctx context.Context, from uint64, limit int) ([]results.Result, *uint64, error)
	Value(ctx context.Context, index uint64) (string, error)
	ValueSize(ctx context.Context, index uint64) (int64, error)
	CopyValue(ctx context.Context, index uint64, size int64, w io.Writer) error
	EachValue(ctx context.Context, callTimeout time.Duration, fn func(index uint64, value string) error) error
}

// Server holds the API's dependencies. Set every field before calling
// Handler.
type Server struct {
	Publisher   Publisher
	Submissions SubmissionStore
	Results     ResultStore
	Health      *health.Checker

	// MaxIndex is the largest index accepted.
	MaxIndex uint64

	// Registry receives the API's metrics and is served on /metrics.
	Registry *prometheus.Registry

	Logger *slog.Logger

	logger  *slog.Logger
	metrics *metrics
}

// Handler returns the API's routes: /api/..., /healthz, /readyz and
// /metrics.
func (s *Server) Handler() http.Handler {
	s.logger = s.Logger
	s.metrics = newMetrics(s.Registry)

	router := httprouter.New()
	// Redirects would be relative to the API's own path and could drop the
	// /api prefix behind a proxy, so normalizePath cleans paths in place.
	router.RedirectTrailingSlash = false
	router.RedirectFixedPath = false
	router.HandleOPTIONS = true
	router.NotFound = http.HandlerFunc(s.notFound)
	router.MethodNotAllowed = http.HandlerFunc(s.methodNotAllowed)
	router.PanicHandler = s.recoverPanic

	s.handle(router, http.MethodPost, "/api/values", s.createValue)
	s.handle(router, http.MethodGet, "/api/values", s.listValues)
	s.handle(router, http.MethodGet, "/api/values/:index", s.getValue)
	s.handle(router, http.MethodGet, "/api/values/:index/value", s.downloadValue)
	s.handle(router, http.MethodGet, "/api/submissions", s.listSubmissions)

	router.HandlerFunc(http.MethodGet, "/healthz", s.Health.Healthz)
	router.HandlerFunc(http.MethodGet, "/readyz", s.Health.Readyz)
	router.Handler(http.MethodGet, "/metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{Registry: s.Registry}))

	return normalizePath(router)
}

// handlerFunc is an API handler. A returned error is written as JSON by
// writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, params httprouter.Params) error

func (s *Server) handle(router *httprouter.Router, method, route string, handler handlerFunc) {
	router.Handle(method, route, func(w http.ResponseWriter, r *http.Request, params httprouter.Params) {
		started := time.Now()
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}

		if err := handler(recorder, r, params); err != nil {
			s.writeError(recorder, r, err)
		}
		s.metrics.observe(method, route, recorder.status, time.Since(started))
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Error: "no route for " + r.Method + " " + r.URL.Path, Rule: ruleRoute})
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	// httprouter has set the Allow header already.
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{
		Error: r.Method + " is not allowed on " + r.URL.Path + ", use " + w.Header().Get("Allow"),
		Rule:  ruleMethod,
	})
}

func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request, recovered any) {
	if recovered == http.ErrAbortHandler {
		// A handler cut its response short on purpose; net/http closes the
		// connection, so the client sees the response as incomplete.
		panic(recovered)
	}
	s.logger.ErrorContext(r.Context(), "Handler panicked", "method", r.Method, "path", r.URL.Path, "panic", recovered)
	writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal error, see the API's log"})
}

// normalizePath collapses repeated slashes and drops a trailing slash, so
// /api//values/ is served as /api/values without a redirect.
func normalizePath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p != "/" && (strings.HasSuffix(p, "/") || strings.Contains(p, "//")) {
			r.URL.Path = path.Clean(p)
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
