package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformedJobsAreTerminatedOnce(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 2})
	nc := connectNATS(t, stack.Stack)

	payloads := []struct {
		name    string
		payload []byte
	}{
		{"word", []byte("abc")},
		{"negative", []byte("-5")},
		{"fraction", []byte("1.5")},
		{"empty", nil},
		{"whitespace", []byte("  \n")},
		{"megabyte of digits", []byte(strings.Repeat("7", 1<<20-1024))},
		{"invalid utf-8", []byte{0xff, 0xfe, 0x31}},
		{"json object", []byte(`{"index": 5}`)},
		{"json array", []byte(`[5]`)},
		{"json string", []byte(`"5"`)},
		{"exponent", []byte("1e3")},
		{"hex", []byte("0x10")},
		{"over max", []byte(fmt.Sprint(testMaxIndex + 1))},
		{"nul byte", []byte("5\x00")},
	}
	require.GreaterOrEqual(t, len(payloads), 10)
	rowsBefore := countRows(t, stack.Stack, "")

	for _, p := range payloads {
		require.NoError(t, nc.Publish("fib.jobs", p.payload), p.name)
	}
	require.NoError(t, nc.Publish("fib.jobs", []byte("25")))
	require.NoError(t, nc.Flush())

	// The valid job behind the malformed ones completes: nothing stalls.
	assert.Equal(t, "75025", waitForValue(t, stack.URL(), 25, 20*time.Second).Value)
	waitConsumersIdle(t, stack.Stack, 20*time.Second)

	assert.Equal(t, float64(len(payloads)), workerJobs(t, stack.Stack, "malformed"))
	assert.Equal(t, 0.0, workerJobs(t, stack.Stack, "retried"))
	assert.Equal(t, len(payloads), strings.Count(stack.log(t), "Rejected a malformed job"), "each malformed job is logged once")
	assert.Equal(t, rowsBefore+1, countRows(t, stack.Stack, ""), "only the valid job is a submission")
	for i := 0; i < stack.Workers(); i++ {
		exited, err := stack.Worker(i).Exited()
		assert.False(t, exited, "worker %d exited: %v", i+1, err)
	}
}

func TestIdempotencyKeyReplaysAnswer(t *testing.T) {
	stack := sharedStack(t)
	key := fmt.Sprintf("test-key-%d", time.Now().UnixNano())

	first := submit(t, stack.URL(), `{"index": 60}`, "Idempotency-Key", key)
	require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, first.Status, "body: %s", first.Body)
	second := submit(t, stack.URL(), `{"index": 60}`, "Idempotency-Key", key)
	require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, second.Status, "body: %s", second.Body)

	firstID := decodeJSON[map[string]any](t, first)["submission_id"]
	assert.NotNil(t, firstID)
	assert.Equal(t, firstID, decodeJSON[map[string]any](t, second)["submission_id"])
	assert.Equal(t, "true", second.Header.Get("Idempotent-Replayed"))
	assert.Equal(t, 1, countRows(t, stack, "idempotency_key = $1", key))

	reused := submit(t, stack.URL(), `{"index": 61}`, "Idempotency-Key", key)
	assert.Equal(t, http.StatusUnprocessableEntity, reused.Status, "body: %s", reused.Body)
	body := decodeJSON[map[string]string](t, reused)
	assert.Equal(t, "Idempotency-Key", body["field"])
	assert.Equal(t, "key_reused", body["rule"])
	assert.Equal(t, 0, countRows(t, stack, "number = $1", 61))
}

func TestPostWithoutKeyIsNewSubmission(t *testing.T) {
	stack := sharedStack(t)

	submit(t, stack.URL(), `{"index": 62}`)
	submit(t, stack.URL(), `{"index": 62}`)

	assert.Equal(t, 2, countRows(t, stack, "number = $1", 62))
}

func TestResubmitAnswersFromStoredValue(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})

	submit(t, stack.URL(), `{"index": 70}`)
	waitForValue(t, stack.URL(), 70, 20*time.Second)
	waitConsumersIdle(t, stack.Stack, 10*time.Second)
	computed := workerJobs(t, stack.Stack, "computed")

	resp := submit(t, stack.URL(), `{"index": 70}`)

	assert.Equal(t, http.StatusOK, resp.Status, "body: %s", resp.Body)
	assert.Equal(t, "190392490709135", decodeJSON[valueState](t, resp).Value)
	waitConsumersIdle(t, stack.Stack, 10*time.Second)
	assert.Equal(t, computed, workerJobs(t, stack.Stack, "computed"), "a stored value was computed again")
	assert.Equal(t, 1.0, workerJobs(t, stack.Stack, "already_stored"))
	assert.Equal(t, 2, countRows(t, stack.Stack, "number = $1", 70))
}

func TestEachJobComputedOnce(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 3})
	nc := connectNATS(t, stack.Stack)

	const jobs = 300
	for i := 0; i < jobs; i++ {
		require.NoError(t, nc.Publish("fib.jobs", []byte(fmt.Sprint(1000+i*97))))
	}
	require.NoError(t, nc.Flush())

	waitConsumersIdle(t, stack.Stack, time.Minute)
	assert.Equal(t, float64(jobs), workerJobs(t, stack.Stack, "computed"))
	assert.Equal(t, 0.0, workerJobs(t, stack.Stack, "duplicate"))
	assert.Equal(t, 0.0, workerJobs(t, stack.Stack, "already_stored"))
	assert.Zero(t, consumerInfo(t, stack.Stack, "fib-workers").NumRedelivered)
}

func TestSubmissionsAreRateLimited(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1, submitRate: "1r/s", submitBurst: 2})

	limited := 0
	for i := 0; i < 10; i++ {
		resp := submit(t, stack.URL(), `{"index": 5}`)
		if resp.Status == http.StatusTooManyRequests {
			limited++
			body := decodeJSON[map[string]string](t, resp)
			assert.Equal(t, "rate_limit", body["rule"])
			assert.NotEmpty(t, resp.Header.Get("Retry-After"))
		}
	}
	assert.GreaterOrEqual(t, limited, 5)

	for i := 0; i < 10; i++ {
		assert.Equal(t, http.StatusOK, get(t, stack.URL()+"/api/values/all").Status, "reads are not limited")
	}
}
