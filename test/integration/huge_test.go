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

func TestSmallJobPassesHugeJob(t *testing.T) {
	// One worker with the default concurrency (the number of CPUs), and an
	// ack wait shorter than the huge job, which must keep its lease.
	stack := startStack(t, stackOptions{workers: 1, env: []string{
		fmt.Sprintf("MAX_INDEX=%d", longIndex), "JOB_ACK_WAIT=1s",
	}})

	submit(t, stack.URL(), fmt.Sprintf(`{"index": %d}`, longIndex))
	busyWorker(t, stack)
	submit(t, stack.URL(), `{"index": 15}`)

	assert.Equal(t, "610", waitForValue(t, stack.URL(), 15, 10*time.Second).Value)
	huge := decodeJSON[valueState](t, get(t, fmt.Sprintf("%s/api/values/%d", stack.APIURL(), longIndex)))
	assert.Equal(t, "queued", huge.State, "F(15) must not wait behind the huge job")

	waitForValue(t, stack.URL(), longIndex, 2*time.Minute)
	waitConsumersIdle(t, stack.Stack, 10*time.Second)
	assert.Zero(t, consumerInfo(t, stack.Stack, "fib-workers").NumRedelivered, "the huge job lost its lease")
	assert.Equal(t, 2.0, workerJobs(t, stack.Stack, "computed"))
}

func TestHugeValueListedBySummary(t *testing.T) {
	stack := sharedStack(t)

	submit(t, stack.URL(), `{"index": 100000}`)
	waitForValue(t, stack.URL(), 100000, 30*time.Second)

	type summary struct {
		Index  uint64  `json:"index"`
		Digits int     `json:"digits"`
		Value  *string `json:"value"`
		Head   string  `json:"head"`
		Tail   string  `json:"tail"`
	}
	page := decodeJSON[struct {
		Values []summary `json:"values"`
	}](t, get(t, stack.URL()+"/api/values?cursor=100000&limit=1"))
	require.Len(t, page.Values, 1)
	listed := page.Values[0]

	// F(100,000) has 20,899 digits; its edges are those GMP 6.2 prints.
	assert.Equal(t, uint64(100000), listed.Index)
	assert.Equal(t, 20899, listed.Digits)
	assert.Nil(t, listed.Value, "a list must not carry a long value whole")
	assert.Equal(t, "2597406934", listed.Head)
	assert.Equal(t, "3428746875", listed.Tail)

	download := get(t, stack.URL()+"/api/values/100000/value")
	assert.Equal(t, http.StatusOK, download.Status)
	assert.Contains(t, download.Header.Get("Content-Type"), "text/plain")
	assert.Contains(t, download.Header.Get("Content-Disposition"), "attachment")
	text := strings.TrimSpace(string(download.Body))
	assert.Len(t, text, 20899)
	assert.Equal(t, bigFibonacci(100000).String(), text)
}
