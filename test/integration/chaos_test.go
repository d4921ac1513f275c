package integration

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Settings of the chaos run.
const (
	chaosJobs        = 500
	chaosWorkers     = 3
	chaosMaxIndex    = 10_000_000
	chaosKillEvery   = 3 * time.Second
	chaosSubmitTime  = 25 * time.Second
	chaosDeadline    = 4 * time.Minute
	chaosFullCheckTo = 200_000 // Values up to this index are compared whole.
)

// chaosFigures are the results of the chaos run.
type chaosFigures struct {
	jobs, viaHTTP, viaNATS       int
	kills, killsMidJob, restarts int
	lost, wrong, retries         int
	restarted, completedTwice    int
	elapsed                      time.Duration
}

// TestChaos submits jobs of mixed sizes through HTTP and NATS while a worker
// is killed every few seconds and Redis, Postgres and NATS each restart once.
// Then it checks that every accepted job has its exact value and one
// submission row, and that no job is left pending.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos run takes about a minute")
	}
	stack := startStack(t, stackOptions{workers: chaosWorkers, env: []string{
		fmt.Sprintf("MAX_INDEX=%d", chaosMaxIndex), "JOB_ACK_WAIT=3s", "LOG_LEVEL=debug",
	}})
	ctx, cancel := context.WithTimeout(context.Background(), chaosDeadline)
	defer cancel()
	started := time.Now()

	indexes := chaosIndexes()
	var figures chaosFigures
	figures.jobs = len(indexes)

	// Faults run until every job is accepted and the submit time is over.
	faultsCtx, stopFaults := context.WithCancel(ctx)
	var faults sync.WaitGroup
	faults.Go(func() { figures.kills, figures.killsMidJob = killWorkers(faultsCtx, t, stack) })
	faults.Go(func() { figures.restarts = restartStores(faultsCtx, t, stack) })

	var retries atomic.Int64
	var submitters sync.WaitGroup
	for i := range indexes {
		if i%2 == 0 {
			figures.viaHTTP++
		} else {
			figures.viaNATS++
		}
	}
	submitters.Go(func() { submitOverHTTP(ctx, t, stack, everyOther(indexes, 0), &retries) })
	submitters.Go(func() { publishOverNATS(ctx, t, stack, everyOther(indexes, 1), &retries) })
	submitters.Wait()

	remaining := chaosSubmitTime - time.Since(started)
	if remaining > 0 {
		select {
		case <-time.After(remaining):
		case <-ctx.Done():
		}
	}
	stopFaults()
	faults.Wait()
	require.NoError(t, ctx.Err(), "submitting timed out")

	// Every accepted job ends with its value.
	waitAllDone(ctx, t, stack, indexes)
	waitConsumersIdle(t, stack.Stack, time.Minute)
	figures.elapsed = time.Since(started)
	figures.retries = int(retries.Load())

	for _, index := range indexes {
		resp := get(t, fmt.Sprintf("%s/api/values/%d", stack.APIURL(), index))
		if resp.Status != http.StatusOK {
			figures.lost++
			continue
		}
		v := decodeJSON[valueState](t, resp)
		if v.State != "done" {
			figures.lost++
			continue
		}
		if !valueMatches(index, v.Value) {
			figures.wrong++
			t.Errorf("index %d has a wrong value of %d digits", index, len(v.Value))
		}
	}
	log := stack.log(t)
	starts := countByIndex(startedLine, log)
	for _, count := range starts {
		figures.restarted += count - 1
	}
	completed := countByIndex(computedLine, log)
	for _, count := range completed {
		figures.completedTwice += count - 1
	}

	t.Logf("chaos: jobs=%d http=%d nats=%d kills=%d kills_mid_job=%d store_restarts=%d lost=%d wrong=%d computations_restarted=%d computed_twice=%d client_retries=%d elapsed=%s",
		figures.jobs, figures.viaHTTP, figures.viaNATS, figures.kills, figures.killsMidJob, figures.restarts,
		figures.lost, figures.wrong, figures.restarted, figures.completedTwice, figures.retries, figures.elapsed.Round(time.Second))

	assert.Zero(t, figures.lost, "lost jobs")
	assert.Zero(t, figures.wrong, "wrong values")
	assert.Equal(t, 3, figures.restarts, "Redis, Postgres and NATS restarts")
	assert.GreaterOrEqual(t, figures.kills, 3)
	assert.Len(t, starts, len(indexes), "every index was computed")
	// A kill forces a computation to start again only if the killed worker
	// was running it, and a worker runs at most its concurrency (the number
	// of CPUs) at once. Two completed computations of one index would mean
	// a redelivery without a kill.
	assert.LessOrEqual(t, figures.restarted, figures.killsMidJob*runtime.NumCPU(), "computations started again beyond those that kills forced")
	assert.LessOrEqual(t, figures.completedTwice, figures.killsMidJob, "indexes computed to the end twice")

	assert.Equal(t, len(indexes), countRows(t, stack.Stack, ""), "one row per accepted submission")
	duplicates := countRows(t, stack.Stack, "number IN (SELECT number FROM submissions GROUP BY number HAVING count(*) > 1)")
	assert.Zero(t, duplicates, "submissions recorded twice")
}

// chaosIndexes returns distinct indexes: mostly small, some up to
// chaosMaxIndex, so that kills hit long jobs too.
func chaosIndexes() []uint64 {
	random := rand.New(rand.NewPCG(1, 2))
	seen := make(map[uint64]bool)
	var indexes []uint64
	for len(indexes) < chaosJobs {
		var index uint64
		switch r := random.IntN(100); {
		case r < 60:
			index = random.Uint64N(5_000)
		case r < 90:
			index = 5_000 + random.Uint64N(195_000)
		default:
			index = 1_000_000 + random.Uint64N(chaosMaxIndex-1_000_000)
		}
		if !seen[index] {
			seen[index] = true
			indexes = append(indexes, index)
		}
	}
	return indexes
}

func everyOther(indexes []uint64, offset int) []uint64 {
	var picked []uint64
	for i := offset; i < len(indexes); i += 2 {
		picked = append(picked, indexes[i])
	}
	return picked
}

// submitOverHTTP posts each index through nginx with an Idempotency-Key,
// retrying until the API accepts it, as a careful client does.
func submitOverHTTP(ctx context.Context, t *testing.T, stack *testStack, indexes []uint64, retries *atomic.Int64) {
	pace := newPacer(len(indexes))
	for _, index := range indexes {
		pace.wait(ctx)
		key := fmt.Sprintf("chaos-%d", index)
		for ctx.Err() == nil {
			status, err := postOnce(ctx, stack.URL(), index, key)
			if err == nil && (status == http.StatusAccepted || status == http.StatusOK) {
				break
			}
			retries.Add(1)
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func postOnce(ctx context.Context, baseURL string, index uint64, key string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	body := fmt.Sprintf(`{"index": %d}`, index)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/values", stringsReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// publishOverNATS publishes each index to JetStream with a message ID,
// retrying until the server acknowledges it.
func publishOverNATS(ctx context.Context, t *testing.T, stack *testStack, indexes []uint64, retries *atomic.Int64) {
	nc, err := nats.Connect(stack.NATSURL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Errorf("connect to NATS: %v", err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Errorf("create JetStream context: %v", err)
		return
	}

	pace := newPacer(len(indexes))
	for _, index := range indexes {
		pace.wait(ctx)
		for ctx.Err() == nil {
			publishCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := js.Publish(publishCtx, "fib.jobs", []byte(strconv.FormatUint(index, 10)),
				jetstream.WithMsgID(fmt.Sprintf("chaos-nats-%d", index)))
			cancel()
			if err == nil {
				break
			}
			retries.Add(1)
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// pacer spreads submissions over most of chaosSubmitTime, so that faults
// strike while jobs arrive.
type pacer struct {
	started time.Time
	gap     time.Duration
	next    int
}

func newPacer(jobs int) *pacer {
	return &pacer{started: time.Now(), gap: chaosSubmitTime * 4 / 5 / time.Duration(jobs)}
}

func (p *pacer) wait(ctx context.Context) {
	due := p.started.Add(time.Duration(p.next) * p.gap)
	p.next++
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(due)):
	}
}

// killWorkers kills a worker with SIGKILL every chaosKillEvery and starts it
// again, until ctx ends. It prefers a worker that holds a job, so kills
// interrupt computations. It returns the number of kills, and of those that
// hit a worker holding a job.
func killWorkers(ctx context.Context, t *testing.T, stack *testStack) (kills, midJob int) {
	random := rand.New(rand.NewPCG(3, 4))
	for {
		select {
		case <-ctx.Done():
			return kills, midJob
		case <-time.After(chaosKillEvery):
		}
		victim, busy := busyOrRandomWorker(t, stack, random)
		stack.KillWorker(victim)
		kills++
		if busy {
			midJob++
		}
		startCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := stack.StartWorker(startCtx, victim)
		cancel()
		if err != nil {
			t.Errorf("restart worker %d: %v", victim+1, err)
			return kills, midJob
		}
	}
}

// busyOrRandomWorker returns a worker that holds a job within the next
// second and true, or a random one and false.
func busyOrRandomWorker(t *testing.T, stack *testStack, random *rand.Rand) (int, bool) {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		for i := 0; i < stack.Workers(); i++ {
			if metricValue(t, stack.WorkerURL(i), "fibstack_worker_jobs_in_flight", nil) > 0 {
				return i, true
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return random.IntN(stack.Workers()), false
}

// restartStores restarts Redis, Postgres and NATS, one after the other, a
// few seconds apart, and returns how many restarts succeeded.
func restartStores(ctx context.Context, t *testing.T, stack *testStack) int {
	steps := []struct {
		name    string
		restart func(context.Context) error
	}{
		{"redis", func(ctx context.Context) error {
			if err := stack.StopRedis(); err != nil {
				return err
			}
			time.Sleep(time.Second)
			return stack.StartRedis(ctx)
		}},
		{"postgres", func(ctx context.Context) error {
			if err := stack.StopPostgres(); err != nil {
				return err
			}
			time.Sleep(time.Second)
			return stack.StartPostgres(ctx)
		}},
		{"nats", func(context.Context) error {
			stack.StopNATS()
			time.Sleep(time.Second)
			return stack.StartNATS()
		}},
	}

	restarts := 0
	for _, step := range steps {
		select {
		case <-ctx.Done():
			return restarts
		case <-time.After(5 * time.Second):
		}
		restartCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := step.restart(restartCtx)
		cancel()
		if err != nil {
			t.Errorf("restart %s: %v", step.name, err)
			continue
		}
		restarts++
	}
	return restarts
}

// waitAllDone waits until every index is done, reading the summaries a page
// at a time.
func waitAllDone(ctx context.Context, t *testing.T, stack *testStack, indexes []uint64) {
	t.Helper()

	want := make(map[uint64]bool, len(indexes))
	for _, index := range indexes {
		want[index] = true
	}
	type page struct {
		Values []struct {
			Index uint64 `json:"index"`
			State string `json:"state"`
		} `json:"values"`
		NextCursor *string `json:"next_cursor"`
	}

	for ctx.Err() == nil {
		done := 0
		cursor := ""
		for {
			resp := get(t, stack.APIURL()+"/api/values?limit=500&cursor="+cursor)
			if resp.Status != http.StatusOK {
				break
			}
			p := decodeJSON[page](t, resp)
			for _, v := range p.Values {
				if want[v.Index] && v.State == "done" {
					done++
				}
			}
			if p.NextCursor == nil {
				break
			}
			cursor = *p.NextCursor
		}
		if done == len(indexes) {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("not every index was done before the deadline")
}

// Worker log lines written when a computation starts and when it ends.
var (
	startedLine  = regexp.MustCompile(`msg="Computing a value" .*?\bindex=(\d+)\b`)
	computedLine = regexp.MustCompile(`msg="Computed a value(?: that another worker had stored)?" .*?\bindex=(\d+)\b`)
)

// countByIndex counts the log lines that line matches, by index.
func countByIndex(line *regexp.Regexp, log string) map[uint64]int {
	counts := make(map[uint64]int)
	for _, match := range line.FindAllStringSubmatch(log, -1) {
		index, _ := strconv.ParseUint(match[1], 10, 64)
		counts[index]++
	}
	return counts
}

// valueMatches checks value against an independent computation: whole for
// indexes up to chaosFullCheckTo, else by its last 18 digits and its digit
// count.
func valueMatches(index uint64, value string) bool {
	if index <= chaosFullCheckTo {
		return value == bigFibonacci(index).String()
	}
	if len(value) != fibonacciDigits(index) {
		return false
	}
	modulus := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	tail := fibonacciMod(index, modulus)
	return fmt.Sprintf("%018s", tail.String()) == value[len(value)-18:]
}
