package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSubmitThroughNginx(t *testing.T) {
	stack := sharedStack(t)

	resp := submit(t, stack.URL(), `{"index": 30}`)
	require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, resp.Status, "body: %s", resp.Body)
	accepted := decodeJSON[valueState](t, resp)
	assert.Equal(t, uint64(30), accepted.Index)

	value := waitForValue(t, stack.URL(), 30, 20*time.Second)
	assert.Equal(t, "832040", value.Value)
	assert.Equal(t, 6, value.Digits)

	current := decodeJSON[map[string]string](t, get(t, stack.URL()+"/api/values/current"))
	assert.Equal(t, "832040", current["30"])

	found := false
	for _, row := range allSubmissions(t, stack.URL()) {
		if row.Number == 30 && row.Source == "http" {
			found = true
			assert.WithinDuration(t, time.Now(), row.SubmittedAt, time.Minute)
		}
	}
	assert.True(t, found, "index 30 from http missing in /api/values/all")
}

func TestSubmitStringWithLeadingZeros(t *testing.T) {
	stack := sharedStack(t)

	resp := submit(t, stack.URL(), `{"index": "007"}`)
	require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, resp.Status, "body: %s", resp.Body)
	assert.Equal(t, uint64(7), decodeJSON[valueState](t, resp).Index)

	assert.Equal(t, "13", waitForValue(t, stack.URL(), 7, 20*time.Second).Value)
}

func TestNATSJobAppearsInBothLists(t *testing.T) {
	stack := sharedStack(t)
	nc := connectNATS(t, stack)

	// A core NATS publish, as `nats pub fib.jobs 31` sends it.
	require.NoError(t, nc.Publish("fib.jobs", []byte("31")))
	require.NoError(t, nc.Flush())

	assert.Equal(t, "1346269", waitForValue(t, stack.URL(), 31, 20*time.Second).Value)

	require.Eventually(t, func() bool {
		for _, row := range allSubmissions(t, stack.URL()) {
			if row.Number == 31 && row.Source == "nats" {
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond, "index 31 from nats missing in /api/values/all")

	current := decodeJSON[map[string]string](t, get(t, stack.URL()+"/api/values/current"))
	assert.Equal(t, "1346269", current["31"])
}

func TestValueOfUnknownIndexIs404(t *testing.T) {
	stack := sharedStack(t)

	resp := get(t, stack.URL()+"/api/values/99991")

	assert.Equal(t, http.StatusNotFound, resp.Status)
	body := decodeJSON[map[string]string](t, resp)
	assert.Equal(t, "index", body["field"])
	assert.Contains(t, body["error"], "99991")
}

func TestValueStatesAndDigits(t *testing.T) {
	stack := sharedStack(t)

	submit(t, stack.URL(), `{"index": 1000}`)
	value := waitForValue(t, stack.URL(), 1000, 20*time.Second)

	assert.Equal(t, 209, value.Digits)
	assert.Len(t, value.Value, 209)
	assert.Equal(t, "4346655768", value.Value[:10])
	assert.Equal(t, "6849228875", value.Value[len(value.Value)-10:])
}

func TestAPIRestartKeepsData(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})

	submit(t, stack.URL(), `{"index": 40}`)
	waitForValue(t, stack.URL(), 40, 20*time.Second)
	before := allSubmissions(t, stack.URL())

	require.NoError(t, stack.StopAPI())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, stack.StartAPI(ctx))

	assert.Equal(t, before, allSubmissions(t, stack.URL()))
	assert.Equal(t, "102334155", waitForValue(t, stack.URL(), 40, 5*time.Second).Value)
	assert.Equal(t, 1, countRows(t, stack.Stack, "number = $1", 40))
}

func TestPageRoutesAndNotFound(t *testing.T) {
	stack := sharedStack(t)

	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantBody   string
		wantJSON   bool
	}{
		{"calculator page", "/", http.StatusOK, `<div id="root">`, false},
		{"second page deep link", "/about", http.StatusOK, `<div id="root">`, false},
		{"unknown page route", "/no/such/page", http.StatusOK, `<div id="root">`, false},
		{"missing asset", "/assets/missing-1234.js", http.StatusNotFound, "", false},
		{"missing file", "/missing.png", http.StatusNotFound, "", false},
		{"unknown api route", "/api/nothing-here", http.StatusNotFound, `"rule":"route"`, true},
		{"api root", "/api", http.StatusNotFound, `"rule":"route"`, true},
		{"api trailing slash", "/api/", http.StatusNotFound, `"rule":"route"`, true},
		{"values with trailing slash", "/api/values/all/", http.StatusOK, `[`, true},
		{"values with doubled slash", "/api//values//current", http.StatusOK, `{`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, stack.URL()+tt.path)

			assert.Equal(t, tt.wantStatus, resp.Status, "body: %s", resp.Body)
			assert.Empty(t, resp.Header.Get("Location"), "no redirect expected")
			assert.True(t, contains(resp.Body, tt.wantBody), "body %q lacks %q", resp.Body, tt.wantBody)
			if tt.wantJSON {
				assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
			}
		})
	}
}

func TestPagesHaveSecurityHeaders(t *testing.T) {
	stack := sharedStack(t)

	resp := get(t, stack.URL()+"/about")

	assert.Equal(t, "nginx", resp.Header.Get("Server"), "the server header must not name a version")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	assert.NotEmpty(t, resp.Header.Get("Content-Security-Policy"))
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
}

func TestHealthAndReadiness(t *testing.T) {
	stack := sharedStack(t)

	urls := []string{stack.APIURL()}
	for i := 0; i < stack.Workers(); i++ {
		urls = append(urls, stack.WorkerURL(i))
	}
	for _, url := range urls {
		t.Run(url, func(t *testing.T) {
			assert.Equal(t, http.StatusOK, get(t, url+"/healthz").Status)

			ready := get(t, url+"/readyz")
			assert.Equal(t, http.StatusOK, ready.Status, "body: %s", ready.Body)
			assert.True(t, contains(ready.Body, `"redis":"ok"`), "body: %s", ready.Body)

			metrics := get(t, url+"/metrics")
			assert.Equal(t, http.StatusOK, metrics.Status)
			assert.True(t, contains(metrics.Body, "go_goroutines"), "metrics lack go_goroutines")
		})
	}
}

func TestListEndpointsPaginate(t *testing.T) {
	stack := sharedStack(t)

	for _, index := range []int{50, 51, 52} {
		submit(t, stack.URL(), fmt.Sprintf(`{"index": %d}`, index))
	}
	for _, index := range []uint64{50, 51, 52} {
		waitForValue(t, stack.URL(), index, 20*time.Second)
	}

	type page struct {
		Values []struct {
			Index uint64 `json:"index"`
			Value string `json:"value"`
		} `json:"values"`
		NextCursor *string `json:"next_cursor"`
	}
	first := decodeJSON[page](t, get(t, stack.URL()+"/api/values?limit=2&cursor=50"))
	require.Len(t, first.Values, 2)
	assert.Equal(t, uint64(50), first.Values[0].Index)
	assert.Equal(t, "12586269025", first.Values[0].Value)
	require.NotNil(t, first.NextCursor)

	second := decodeJSON[page](t, get(t, stack.URL()+"/api/values?limit=2&cursor="+*first.NextCursor))
	require.NotEmpty(t, second.Values)
	assert.Equal(t, uint64(52), second.Values[0].Index)

	bad := get(t, stack.URL()+"/api/values?limit=0")
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.True(t, contains(bad.Body, `"field":"limit"`), "body: %s", bad.Body)
}
