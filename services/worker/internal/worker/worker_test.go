package worker_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/services/worker/internal/worker"
	"github.com/fibstack/fibstack/shared/config"
	"github.com/fibstack/fibstack/shared/job"
	"github.com/fibstack/fibstack/shared/results"
	"github.com/fibstack/fibstack/shared/stream"
)

func TestFailingJobIsDeadLettered(t *testing.T) {
	tests := []struct {
		name    string
		compute worker.Compute
		reason  string
	}{
		{
			name:    "error",
			compute: func(context.Context, uint64) (string, error) { return "", errors.New("out of scratch space") },
			reason:  "out of scratch space",
		},
		{
			name:    "panic",
			compute: func(context.Context, uint64) (string, error) { panic("index out of range") },
			reason:  "computation panicked: index out of range",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := startJetStream(t)
			store := results.NewStore(startRedis(t))
			const attempts = 3

			var calls atomic.Int32
			runWorker(t, js, store, attempts, func(ctx context.Context, n uint64) (string, error) {
				calls.Add(1)
				return tt.compute(ctx, n)
			})
			_, err := js.Publish(context.Background(), job.Subject, []byte("42"))
			require.NoError(t, err)

			dead := waitForDeadLetter(t, js)
			assert.Equal(t, "42", string(dead.Data))
			assert.Contains(t, dead.Header.Get(job.HeaderReason), tt.reason)
			assert.Contains(t, dead.Header.Get(job.HeaderReason), "failed 3 times")
			assert.Equal(t, int32(attempts), calls.Load())

			result, err := store.Result(context.Background(), 42)
			require.NoError(t, err)
			assert.Equal(t, results.StateFailed, result.State)
			assert.Contains(t, result.Error, tt.reason)
		})
	}
}

func TestValueIsStoredOnceAndAcknowledged(t *testing.T) {
	js := startJetStream(t)
	store := results.NewStore(startRedis(t))

	var calls atomic.Int32
	runWorker(t, js, store, 3, func(_ context.Context, n uint64) (string, error) {
		calls.Add(1)
		return "value-of-" + strconv.FormatUint(n, 10), nil
	})
	for i := 0; i < 2; i++ {
		_, err := js.Publish(context.Background(), job.Subject, []byte("7"))
		require.NoError(t, err)
	}

	require.Eventually(t, func() bool {
		value, err := store.Value(context.Background(), 7)
		return err == nil && value == "value-of-7"
	}, 10*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		info, err := mustConsumer(t, js).Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	}, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, int32(1), calls.Load(), "the second job found the value stored")
}

func runWorker(t *testing.T, js jetstream.JetStream, store *results.Store, attempts int, compute worker.Compute) {
	t.Helper()

	w := &worker.Worker{
		Consumer:    mustConsumer(t, js),
		Results:     store,
		Publisher:   js,
		Compute:     compute,
		Concurrency: 1,
		MaxIndex:    1000,
		AckWait:     5 * time.Second,
		MaxAttempts: attempts,
		Metrics:     worker.NewMetrics(prometheus.NewRegistry()),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, context.Background()) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
}

func mustConsumer(t *testing.T, js jetstream.JetStream) jetstream.Consumer {
	t.Helper()

	consumer, err := js.Consumer(context.Background(), job.Stream, job.WorkerConsumer)
	require.NoError(t, err)
	return consumer
}

func waitForDeadLetter(t *testing.T, js jetstream.JetStream) *jetstream.RawStreamMsg {
	t.Helper()

	var dead *jetstream.RawStreamMsg
	require.Eventually(t, func() bool {
		s, err := js.Stream(context.Background(), job.DeadLetterStream)
		if err != nil {
			return false
		}
		dead, err = s.GetMsg(context.Background(), 1)
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "no job reached %s", job.DeadLetterStream)
	return dead
}

// startJetStream runs an embedded NATS server with JetStream in a temporary
// folder and creates the job streams.
func startJetStream(t *testing.T) jetstream.JetStream {
	t.Helper()

	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
	})
	require.NoError(t, err)
	ns.Start()
	t.Cleanup(ns.Shutdown)
	require.True(t, ns.ReadyForConnections(10*time.Second))

	nc, err := nats.Connect(ns.ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)

	jobs := config.Jobs{MaxIndex: 1000, AckWait: 5 * time.Second, MaxAttempts: 3, DuplicateWindow: time.Minute, Retention: time.Hour}
	_, err = stream.Ensure(context.Background(), js, jobs)
	require.NoError(t, err)
	return js
}

// startRedis runs redis-server without persistence on a free port.
func startRedis(t *testing.T) *redis.Client {
	t.Helper()

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())

	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no")
	require.NoError(t, cmd.Start(), "redis-server is required: run make deps")
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	rdb := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))})
	t.Cleanup(func() { rdb.Close() })
	require.Eventually(t, func() bool { return rdb.Ping(context.Background()).Err() == nil }, 10*time.Second, 20*time.Millisecond)
	return rdb
}

func TestJobThatKeepsCrashingWorkersIsDeadLettered(t *testing.T) {
	js := startJetStream(t)
	store := results.NewStore(startRedis(t))
	_, err := js.Publish(context.Background(), job.Subject, []byte("43"))
	require.NoError(t, err)

	// Each delivery that ends without an acknowledgement stands for a
	// worker that died during the job: 3 attempts allow 12 deliveries.
	consumer := mustConsumer(t, js)
	for i := 0; i < 12; i++ {
		msg, err := consumer.Next(jetstream.FetchMaxWait(5 * time.Second))
		require.NoError(t, err)
		require.NoError(t, msg.Nak())
	}

	var calls atomic.Int32
	runWorker(t, js, store, 3, func(context.Context, uint64) (string, error) {
		calls.Add(1)
		return "", nil
	})

	dead := waitForDeadLetter(t, js)
	assert.Contains(t, dead.Header.Get(job.HeaderReason), "delivered 13 times without finishing")
	assert.Zero(t, calls.Load(), "the job must not run again")
	result, err := store.Result(context.Background(), 43)
	require.NoError(t, err)
	assert.Equal(t, results.StateFailed, result.State)
}

func TestRedisRejectingWritesDelaysJob(t *testing.T) {
	js := startJetStream(t)
	rdb := startRedis(t)
	store := results.NewStore(rdb)

	// With a one-byte memory limit and no eviction, Redis rejects every
	// write with an OOM error but still serves reads and PING.
	ctx := context.Background()
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", "1").Err())

	var calls atomic.Int32
	runWorker(t, js, store, 3, func(_ context.Context, n uint64) (string, error) {
		calls.Add(1)
		return strconv.FormatUint(n*2, 10), nil
	})
	_, err := js.Publish(ctx, job.Subject, []byte("44"))
	require.NoError(t, err)

	time.Sleep(3 * time.Second)
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", "0").Err())

	require.Eventually(t, func() bool {
		value, err := store.Value(ctx, 44)
		return err == nil && value == "88"
	}, 20*time.Second, 50*time.Millisecond)
	assert.Equal(t, int32(1), calls.Load(), "the value was computed once and kept while Redis rejected it")
	info, err := mustConsumer(t, js).Info(ctx)
	require.NoError(t, err)
	assert.Zero(t, info.NumRedelivered, "a store failure must not return the job to the stream")
	dead, err := js.Stream(ctx, job.DeadLetterStream)
	require.NoError(t, err)
	deadInfo, err := dead.Info(ctx)
	require.NoError(t, err)
	assert.Zero(t, deadInfo.State.Msgs, "a store failure must not dead-letter the job")
}

func TestSameIndexComputedOnceAtATime(t *testing.T) {
	js := startJetStream(t)
	store := results.NewStore(startRedis(t))

	var calls atomic.Int32
	compute := func(_ context.Context, n uint64) (string, error) {
		calls.Add(1)
		time.Sleep(500 * time.Millisecond)
		return strconv.FormatUint(n, 10), nil
	}
	// Two workers, each free to take a job of the index at once.
	runWorker(t, js, store, 3, compute)
	runWorker(t, js, store, 3, compute)
	for i := 0; i < 4; i++ {
		_, err := js.Publish(context.Background(), job.Subject, []byte("46"))
		require.NoError(t, err)
	}

	require.Eventually(t, func() bool {
		info, err := mustConsumer(t, js).Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	}, 20*time.Second, 20*time.Millisecond)
	assert.Equal(t, int32(1), calls.Load(), "jobs of one index waited for the first computation")
	value, err := store.Value(context.Background(), 46)
	require.NoError(t, err)
	assert.Equal(t, "46", value)
}
