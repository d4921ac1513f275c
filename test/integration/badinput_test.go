package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/devstack"
)

// badRequest is a malformed HTTP request and the error it must get.
type badRequest struct {
	name        string
	method      string
	path        string
	contentType string
	body        string
	headers     []string

	wantStatus int
	wantField  string
	wantRule   string
}

func badRequests() []badRequest {
	const jsonType = "application/json"
	post := func(name, body string, status int, field, rule string) badRequest {
		return badRequest{name: name, method: http.MethodPost, path: "/api/values", contentType: jsonType,
			body: body, wantStatus: status, wantField: field, wantRule: rule}
	}
	const (
		invalid = http.StatusUnprocessableEntity
		bad     = http.StatusBadRequest
	)

	requests := []badRequest{
		post("negative", `{"index": -5}`, invalid, "index", "non_negative"),
		post("negative string", `{"index": "-5"}`, invalid, "index", "non_negative"),
		post("fraction", `{"index": 1.5}`, invalid, "index", "integer"),
		post("integral fraction", `{"index": 10.0}`, invalid, "index", "integer"),
		post("exponent", `{"index": 1e3}`, invalid, "index", "integer"),
		post("exponent string", `{"index": "1e3"}`, invalid, "index", "integer"),
		post("hex string", `{"index": "0x1f"}`, invalid, "index", "integer"),
		post("empty string", `{"index": ""}`, invalid, "index", "required"),
		post("space in string", `{"index": " 10"}`, invalid, "index", "integer"),
		post("plus sign", `{"index": "+10"}`, invalid, "index", "integer"),
		post("null", `{"index": null}`, invalid, "index", "type"),
		post("true", `{"index": true}`, invalid, "index", "type"),
		post("false", `{"index": false}`, invalid, "index", "type"),
		post("array", `{"index": [10]}`, invalid, "index", "type"),
		post("nested object", `{"index": {"value": 10}}`, invalid, "index", "type"),
		post("over max", `{"index": 100001}`, invalid, "index", "max"),
		post("huge number", `{"index": 123456789012345678901234567890}`, invalid, "index", "max"),
		post("huge string", `{"index": "`+strings.Repeat("9", 500)+`"}`, invalid, "index", "max"),
		post("missing index", `{}`, invalid, "index", "required"),
		post("unknown field", `{"index": 10, "extra": 1}`, bad, "extra", "unknown_field"),
		post("wrong field name", `{"value": 10}`, bad, "value", "unknown_field"),
		post("duplicate key", `{"index": 10, "index": 11}`, bad, "index", "duplicate_field"),
		post("empty body", ``, bad, "body", "json"),
		post("whitespace body", "  \n ", bad, "body", "json"),
		post("not json", `index=10`, bad, "body", "json"),
		post("bare number", `10`, bad, "body", "json"),
		post("top-level array", `[{"index": 10}]`, bad, "body", "json"),
		post("truncated json", `{"index": 10`, bad, "body", "json"),
		post("trailing data", `{"index": 10} {"index": 11}`, bad, "body", "json"),
		post("invalid utf-8 string", "{\"index\": \"1\xff\"}", invalid, "index", "integer"),
		post("unicode digits", `{"index": "١٠"}`, invalid, "index", "integer"),
		post("body over limit", `{"index": 10, "pad": "`+strings.Repeat("x", 2000)+`"}`, http.StatusRequestEntityTooLarge, "body", "max_size"),
		post("body over nginx limit", `{"pad": "`+strings.Repeat("x", 20_000)+`"}`, http.StatusRequestEntityTooLarge, "body", "max_size"),
		{name: "form content type", method: http.MethodPost, path: "/api/values", contentType: "application/x-www-form-urlencoded",
			body: `index=10`, wantStatus: http.StatusUnsupportedMediaType, wantField: "Content-Type", wantRule: "content_type"},
		{name: "text content type", method: http.MethodPost, path: "/api/values", contentType: "text/plain",
			body: `{"index": 10}`, wantStatus: http.StatusUnsupportedMediaType, wantField: "Content-Type", wantRule: "content_type"},
		{name: "missing content type", method: http.MethodPost, path: "/api/values",
			body: `{"index": 10}`, wantStatus: http.StatusUnsupportedMediaType, wantField: "Content-Type", wantRule: "content_type"},
		{name: "idempotency key with space", method: http.MethodPost, path: "/api/values", contentType: jsonType,
			body: `{"index": 10}`, headers: []string{"Idempotency-Key", "a b"}, wantStatus: bad, wantField: "Idempotency-Key", wantRule: "format"},
		{name: "idempotency key too long", method: http.MethodPost, path: "/api/values", contentType: jsonType,
			body: `{"index": 10}`, headers: []string{"Idempotency-Key", strings.Repeat("k", 200)}, wantStatus: bad, wantField: "Idempotency-Key", wantRule: "format"},
		{name: "put on values", method: http.MethodPut, path: "/api/values", contentType: jsonType,
			body: `{"index": 10}`, wantStatus: http.StatusMethodNotAllowed, wantRule: "method"},
		{name: "delete on one value", method: http.MethodDelete, path: "/api/values/10",
			wantStatus: http.StatusMethodNotAllowed, wantRule: "method"},
		{name: "get of negative index", method: http.MethodGet, path: "/api/values/-1",
			wantStatus: invalid, wantField: "index", wantRule: "non_negative"},
		{name: "get of word index", method: http.MethodGet, path: "/api/values/abc",
			wantStatus: invalid, wantField: "index", wantRule: "integer"},
		{name: "bad page cursor", method: http.MethodGet, path: "/api/submissions?cursor=x",
			wantStatus: bad, wantField: "cursor", wantRule: "format"},
		{name: "get of fraction index", method: http.MethodGet, path: "/api/values/1.5",
			wantStatus: invalid, wantField: "index", wantRule: "integer"},
		{name: "utf-16 charset", method: http.MethodPost, path: "/api/values", contentType: "application/json; charset=utf-16",
			body: `{"index": 10}`, wantStatus: http.StatusUnsupportedMediaType, wantField: "Content-Type", wantRule: "content_type"},
	}
	return requests
}

func TestBadRequestsChangeNothing(t *testing.T) {
	stack := sharedStack(t)
	require.GreaterOrEqual(t, len(badRequests()), 30)

	rowsBefore := countRows(t, stack, "")
	seqBefore := lastJobSequence(t, stack)

	for _, tt := range badRequests() {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, tt.method, stack.URL()+tt.path, tt.contentType, []byte(tt.body), tt.headers...)

			assert.Equal(t, tt.wantStatus, resp.Status, "body: %s", resp.Body)
			assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
			body := decodeJSON[map[string]string](t, resp)
			assert.NotEmpty(t, body["error"])
			assert.Equal(t, tt.wantRule, body["rule"], "error: %s", body["error"])
			if tt.wantField != "" {
				assert.Equal(t, tt.wantField, body["field"], "error: %s", body["error"])
			}
		})
	}

	assert.Equal(t, rowsBefore, countRows(t, stack, ""), "a rejected request recorded a submission")
	assert.Equal(t, seqBefore, lastJobSequence(t, stack), "a rejected request published a job")
}

// lastJobSequence returns the sequence number of the last message stored in
// the job stream.
func lastJobSequence(t *testing.T, stack *devstack.Stack) uint64 {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	js, err := jetstream.New(connectNATS(t, stack))
	require.NoError(t, err)
	s, err := js.Stream(ctx, "FIB_JOBS")
	require.NoError(t, err)
	info, err := s.Info(ctx)
	require.NoError(t, err)
	return info.State.LastSeq
}
