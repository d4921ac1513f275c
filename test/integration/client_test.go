package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/devstack"
)

// response is an HTTP response read whole.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a new value of type T.
func decodeJSON[T any](t *testing.T, resp response) T {
	t.Helper()

	var value T
	require.NoError(t, json.Unmarshal(resp.Body, &value), "body: %s", resp.Body)
	return value
}

var httpClient = &http.Client{
	Timeout: 10 * time.Second,
	// Tests check that nothing redirects, so redirects are returned as is.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func do(t *testing.T, method, url, contentType string, body []byte, headers ...string) response {
	t.Helper()

	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}

	resp, err := httpClient.Do(req)
	require.NoError(t, err, "%s %s", method, url)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func get(t *testing.T, url string) response {
	t.Helper()
	return do(t, http.MethodGet, url, "", nil)
}

func submit(t *testing.T, baseURL string, body string, headers ...string) response {
	t.Helper()
	return do(t, http.MethodPost, baseURL+"/api/values", "application/json", []byte(body), headers...)
}

// valueState is the body of GET /api/values/{index}.
type valueState struct {
	Index  uint64 `json:"index"`
	State  string `json:"state"`
	Digits int    `json:"digits"`
	Value  string `json:"value"`
	Error  string `json:"error"`
}

// waitForValue polls GET /api/values/{index} until the index is done and
// returns its state.
func waitForValue(t *testing.T, baseURL string, index uint64, timeout time.Duration) valueState {
	t.Helper()

	var last valueState
	require.Eventually(t, func() bool {
		resp := get(t, fmt.Sprintf("%s/api/values/%d", baseURL, index))
		if resp.Status != http.StatusOK {
			return false
		}
		last = decodeJSON[valueState](t, resp)
		return last.State == "done"
	}, timeout, 50*time.Millisecond, "index %d not done within %s; last state %+v", index, timeout, last)
	return last
}

// submissionRow is one element of GET /api/values/all.
type submissionRow struct {
	Number      uint64    `json:"number"`
	Source      string    `json:"source"`
	SubmittedAt time.Time `json:"submitted_at"`
}

func allSubmissions(t *testing.T, baseURL string) []submissionRow {
	t.Helper()

	resp := get(t, baseURL+"/api/values/all")
	require.Equal(t, http.StatusOK, resp.Status, "body: %s", resp.Body)
	return decodeJSON[[]submissionRow](t, resp)
}

// countRows returns the number of rows in Postgres matching the condition.
func countRows(t *testing.T, stack *devstack.Stack, where string, args ...any) int {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, stack.DatabaseURL())
	require.NoError(t, err)
	defer conn.Close(ctx)

	var count int
	query := "SELECT count(*) FROM submissions"
	if where != "" {
		query += " WHERE " + where
	}
	require.NoError(t, conn.QueryRow(ctx, query, args...).Scan(&count))
	return count
}

// connectNATS returns a plain NATS client of the stack, closed when t ends.
func connectNATS(t *testing.T, stack *devstack.Stack) *nats.Conn {
	t.Helper()

	nc, err := nats.Connect(stack.NATSURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	return nc
}

// connectRedis returns a client of the stack's Redis, closed when t ends.
func connectRedis(t *testing.T, stack *devstack.Stack) *redis.Client {
	t.Helper()

	options, err := redis.ParseURL(stack.RedisURL())
	require.NoError(t, err)
	rdb := redis.NewClient(options)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func contains(haystack []byte, needle string) bool {
	return strings.Contains(string(haystack), needle)
}
