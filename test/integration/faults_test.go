package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outageAnswerLimit is how fast a request that needs a stopped store must
// get its 503: two seconds, plus slack for a loaded test machine.
const outageAnswerLimit = 2500 * time.Millisecond

// requireUnavailable checks that a request gets a 503 JSON response in time.
func requireUnavailable(t *testing.T, method, url, body string) {
	t.Helper()

	started := time.Now()
	resp := do(t, method, url, "application/json", []byte(body))
	elapsed := time.Since(started)

	assert.Equal(t, http.StatusServiceUnavailable, resp.Status, "%s %s: %s", method, url, resp.Body)
	assert.Less(t, elapsed, outageAnswerLimit, "%s %s took %s", method, url, elapsed)
	assert.Equal(t, "unavailable", decodeJSON[map[string]string](t, resp)["rule"])
}

func background() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

func TestRedisOutage(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})
	ctx, cancel := background()
	defer cancel()

	require.NoError(t, stack.StopRedis())
	requireUnavailable(t, http.MethodGet, stack.URL()+"/api/values/current", "")
	requireUnavailable(t, http.MethodGet, stack.URL()+"/api/values?limit=5", "")
	assert.Equal(t, http.StatusServiceUnavailable, get(t, stack.APIURL()+"/readyz").Status)

	// The job needs only NATS to be accepted, and waits for Redis.
	resp := submit(t, stack.URL(), `{"index": 80}`)
	require.Equal(t, http.StatusAccepted, resp.Status, "body: %s", resp.Body)

	require.NoError(t, stack.StartRedis(ctx))
	assert.Equal(t, "23416728348467685", waitForValue(t, stack.URL(), 80, 30*time.Second).Value)
}

func TestPostgresOutage(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})
	ctx, cancel := background()
	defer cancel()

	require.NoError(t, stack.StopPostgres())
	requireUnavailable(t, http.MethodGet, stack.URL()+"/api/values/all", "")
	requireUnavailable(t, http.MethodGet, stack.URL()+"/api/submissions", "")

	resp := submit(t, stack.URL(), `{"index": 81}`)
	require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, resp.Status, "body: %s", resp.Body)
	waitForValue(t, stack.URL(), 81, 30*time.Second)

	require.NoError(t, stack.StartPostgres(ctx))
	require.Eventually(t, func() bool {
		for _, row := range allSubmissions(t, stack.URL()) {
			if row.Number == 81 {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "the recorder did not record index 81 after Postgres came back")
	assert.Equal(t, 1, countRows(t, stack.Stack, "number = $1", 81))
}

func TestNATSOutage(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})

	submit(t, stack.URL(), `{"index": 82}`)
	waitForValue(t, stack.URL(), 82, 20*time.Second)

	stack.StopNATS()
	requireUnavailable(t, http.MethodPost, stack.URL()+"/api/values", `{"index": 83}`)
	assert.Equal(t, http.StatusOK, get(t, stack.URL()+"/api/values/82").Status, "reads need no NATS")

	require.NoError(t, stack.StartNATS())
	require.Eventually(t, func() bool {
		return submit(t, stack.URL(), `{"index": 83}`).Status == http.StatusAccepted
	}, 30*time.Second, 200*time.Millisecond, "the API did not accept jobs after NATS came back")
	assert.Equal(t, "99194853094755497", waitForValue(t, stack.URL(), 83, 30*time.Second).Value)
	assert.Equal(t, 0, countRows(t, stack.Stack, "number = $1 AND source = 'nats'", 83))
}

func TestServicesStartBeforeDependencies(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})
	ctx, cancel := background()
	defer cancel()

	// Without its tables, the API must migrate again once Postgres is up.
	dropSchema(t, stack.DatabaseURL())
	require.NoError(t, stack.StopAPI())
	require.NoError(t, stack.StopWorker(0))
	stack.StopNATS()
	require.NoError(t, stack.StopRedis())
	require.NoError(t, stack.StopPostgres())

	require.NoError(t, stack.StartAPINoWait())
	require.NoError(t, stack.StartWorkerNoWait(0))
	require.Eventually(t, func() bool {
		return strings.Contains(stack.log(t), "Startup step failed, retrying")
	}, 20*time.Second, 100*time.Millisecond, "no retry was logged")
	for _, url := range []string{stack.APIURL(), stack.WorkerURL(0)} {
		assert.Equal(t, http.StatusOK, get(t, url+"/healthz").Status)
		ready := get(t, url+"/readyz")
		assert.Equal(t, http.StatusServiceUnavailable, ready.Status, "body: %s", ready.Body)
		assert.Contains(t, string(ready.Body), `"status":"not ready"`)
	}

	require.NoError(t, stack.StartNATS())
	require.NoError(t, stack.StartRedis(ctx))
	require.NoError(t, stack.StartPostgres(ctx))
	require.NoError(t, stack.WaitReady(ctx, stack.API(), stack.APIURL()))
	require.NoError(t, stack.WaitReady(ctx, stack.Worker(0), stack.WorkerURL(0)))

	submit(t, stack.URL(), `{"index": 90}`)
	assert.Equal(t, "2880067194370816120", waitForValue(t, stack.URL(), 90, 20*time.Second).Value)
	exited, err := stack.API().Exited()
	assert.False(t, exited, "the API exited: %v", err)
}

func dropSchema(t *testing.T, databaseURL string) {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP TABLE submissions; DROP TABLE goose_db_version`)
	require.NoError(t, err)
}

func TestRedisFlushHealsValues(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1, env: []string{"HEAL_INTERVAL=500ms"}})

	indexes := []uint64{91, 92, 93}
	for _, index := range indexes {
		submit(t, stack.URL(), fmt.Sprintf(`{"index": %d}`, index))
	}
	for _, index := range indexes {
		waitForValue(t, stack.URL(), index, 20*time.Second)
	}
	rows := countRows(t, stack.Stack, "")

	rdb := connectRedis(t, stack.Stack)
	require.NoError(t, rdb.FlushAll(context.Background()).Err())

	for _, index := range indexes {
		waitForValue(t, stack.URL(), index, 30*time.Second)
	}
	assert.Equal(t, "7540113804746346429", waitForValue(t, stack.URL(), 92, time.Second).Value)
	assert.Equal(t, rows, countRows(t, stack.Stack, ""), "healing recorded new submissions")
	assert.Contains(t, stack.log(t), "Jobs or values were lost")
}

// longIndex takes the engine about a second or more on a 2-core machine, long
// enough to kill or stop a worker in the middle of it.
const longIndex = 100_000_000

// longStack is a stack whose workers compute one job at a time and accept
// longIndex, with a short ack wait.
func longStack(t *testing.T, workers int) *testStack {
	return startStack(t, stackOptions{workers: workers, env: []string{
		fmt.Sprintf("MAX_INDEX=%d", longIndex), "WORKER_CONCURRENCY=1", "JOB_ACK_WAIT=2s",
	}})
}

// busyWorker waits until a worker holds a job and returns its number.
func busyWorker(t *testing.T, stack *testStack) int {
	t.Helper()

	busy := -1
	require.Eventually(t, func() bool {
		for i := 0; i < stack.Workers(); i++ {
			if metricValue(t, stack.WorkerURL(i), "fibstack_worker_jobs_in_flight", nil) > 0 {
				busy = i
				return true
			}
		}
		return false
	}, 20*time.Second, 10*time.Millisecond, "no worker took the job")
	return busy
}

func TestWorkerKilledMidJob(t *testing.T) {
	stack := longStack(t, 2)

	submit(t, stack.URL(), fmt.Sprintf(`{"index": %d}`, longIndex))
	victim := busyWorker(t, stack)
	stack.KillWorker(victim)

	value := waitForValue(t, stack.URL(), longIndex, 2*time.Minute)
	// Digit count and edges of F(100,000,000) as GMP 6.2's mpz_fib_ui and
	// mpz_get_str print them.
	assert.Equal(t, 20_898_764, value.Digits)
	assert.Equal(t, "4737103473", value.Value[:10])
	assert.Equal(t, "7760546875", value.Value[len(value.Value)-10:])

	survivor := 1 - victim
	handled := metricValue(t, stack.WorkerURL(survivor), "fibstack_worker_jobs_total", map[string]string{"outcome": "computed"}) +
		metricValue(t, stack.WorkerURL(survivor), "fibstack_worker_jobs_total", map[string]string{"outcome": "already_stored"})
	assert.Equal(t, 1.0, handled, "the other worker took over the job")
	assert.Equal(t, 0.0, workerJobs(t, stack.Stack, "duplicate"))
	assert.LessOrEqual(t, strings.Count(stack.log(t), fmt.Sprintf("msg=\"Computed a value\" service=worker stream_seq=1 delivery=2 index=%d", longIndex)), 1)
}

func TestWorkerSIGTERMFinishesJob(t *testing.T) {
	stack := longStack(t, 1)

	submit(t, stack.URL(), fmt.Sprintf(`{"index": %d}`, longIndex))
	busyWorker(t, stack)

	require.NoError(t, stack.StopWorker(0), "the worker must exit 0 after SIGTERM")
	assert.Contains(t, stack.log(t), "Worker stopping: waiting for jobs in flight")
	assert.Equal(t, 20_898_764, waitForValue(t, stack.URL(), longIndex, 10*time.Second).Digits,
		"the job in flight was finished before the worker exited")
}

func TestAPISIGTERMExitsCleanly(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})

	require.NoError(t, stack.StopAPI(), "the API must exit 0 after SIGTERM")
	assert.Contains(t, stack.log(t), "API stopped")
}

func TestHungRedisAnswers503(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})
	submit(t, stack.URL(), `{"index": 84}`)
	waitForValue(t, stack.URL(), 84, 20*time.Second)

	require.NoError(t, stack.Redis().Pause())
	defer func() { require.NoError(t, stack.Redis().Resume()) }()

	requireUnavailable(t, http.MethodGet, stack.URL()+"/api/values/84", "")
	requireUnavailable(t, http.MethodGet, stack.URL()+"/api/values?limit=5", "")
	started := time.Now()
	assert.Equal(t, http.StatusServiceUnavailable, get(t, stack.APIURL()+"/readyz").Status)
	assert.Less(t, time.Since(started), outageAnswerLimit)
}

func TestStreamRecreatedWhileRunning(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})
	submit(t, stack.URL(), `{"index": 85}`)
	waitForValue(t, stack.URL(), 85, 20*time.Second)
	waitConsumersIdle(t, stack.Stack, 10*time.Second)

	ctx, cancel := background()
	defer cancel()
	js, err := jetstream.New(connectNATS(t, stack.Stack))
	require.NoError(t, err)
	require.NoError(t, js.DeleteStream(ctx, "FIB_JOBS"))

	// The services create the stream and consumers again on their own, and
	// jobs in the new stream, whose sequences restart at 1, get rows of
	// their own.
	var accepted response
	require.Eventually(t, func() bool {
		accepted = submit(t, stack.URL(), `{"index": 86}`)
		return accepted.Status == http.StatusAccepted || accepted.Status == http.StatusOK
	}, 30*time.Second, 200*time.Millisecond, "the API did not accept jobs after the stream was deleted")
	assert.Equal(t, "420196140727489673", waitForValue(t, stack.URL(), 86, 30*time.Second).Value)

	require.Eventually(t, func() bool {
		return countRows(t, stack.Stack, "number = $1", 86) == 1
	}, 20*time.Second, 100*time.Millisecond, "index 86 was not recorded")
	assert.Equal(t, 1, countRows(t, stack.Stack, "number = $1", 85))
	first := decodeJSON[map[string]any](t, accepted)["submission_id"]
	assert.NotEqual(t, float64(1), first, "the new job was merged into the first row")
}

func TestSummaryWithoutValueIsQueued(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1})
	submit(t, stack.URL(), `{"index": 87}`)
	waitForValue(t, stack.URL(), 87, 20*time.Second)

	rdb := connectRedis(t, stack.Stack)
	require.NoError(t, rdb.Del(context.Background(), "fib:value:87").Err())

	resp := get(t, stack.URL()+"/api/values/87")
	assert.Equal(t, http.StatusOK, resp.Status, "body: %s", resp.Body)
	assert.Equal(t, "queued", decodeJSON[valueState](t, resp).State)

	submit(t, stack.URL(), `{"index": 87}`)
	assert.Equal(t, "679891637638612258", waitForValue(t, stack.URL(), 87, 20*time.Second).Value)
}

func TestDeletedStreamJobsAreHealed(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1, env: []string{
		fmt.Sprintf("MAX_INDEX=%d", longIndex), "WORKER_CONCURRENCY=1", "HEAL_INTERVAL=500ms",
	}})

	// The only worker is busy, so index 88 waits in the stream when the
	// stream is deleted.
	submit(t, stack.URL(), fmt.Sprintf(`{"index": %d}`, longIndex))
	busyWorker(t, stack)
	resp := submit(t, stack.URL(), `{"index": 88}`)
	require.Equal(t, http.StatusAccepted, resp.Status, "body: %s", resp.Body)

	ctx, cancel := background()
	defer cancel()
	js, err := jetstream.New(connectNATS(t, stack.Stack))
	require.NoError(t, err)
	require.NoError(t, js.DeleteStream(ctx, "FIB_JOBS"))

	assert.Equal(t, "1100087778366101931", waitForValue(t, stack.URL(), 88, time.Minute).Value)
	waitForValue(t, stack.URL(), longIndex, time.Minute)
	assert.Equal(t, 2, countRows(t, stack.Stack, ""), "healing recorded new submissions")
	assert.Contains(t, stack.log(t), "stream_recreated=true")
}

func TestStreamDeletedWhileServicesPaused(t *testing.T) {
	stack := startStack(t, stackOptions{workers: 1, env: []string{"HEAL_INTERVAL=500ms"}})
	submit(t, stack.URL(), `{"index": 89}`)
	waitForValue(t, stack.URL(), 89, 20*time.Second)

	// Paused services receive no "consumer deleted" notice, so only their
	// own checks can find that the stream is gone.
	require.NoError(t, stack.API().Pause())
	require.NoError(t, stack.Worker(0).Pause())
	ctx, cancel := background()
	defer cancel()
	js, err := jetstream.New(connectNATS(t, stack.Stack))
	require.NoError(t, err)
	require.NoError(t, js.DeleteStream(ctx, "FIB_JOBS"))
	time.Sleep(time.Second)
	require.NoError(t, stack.Worker(0).Resume())
	require.NoError(t, stack.API().Resume())

	require.Eventually(t, func() bool {
		status := submit(t, stack.URL(), `{"index": 90}`).Status
		return status == http.StatusAccepted || status == http.StatusOK
	}, 30*time.Second, 200*time.Millisecond, "the API did not accept jobs after the stream was deleted")
	assert.Equal(t, "2880067194370816120", waitForValue(t, stack.URL(), 90, 30*time.Second).Value)
}
