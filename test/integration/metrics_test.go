package integration

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/devstack"
)

// metricValue returns the value of the counter or gauge name with the label
// set, summed over matching series, from the /metrics page at baseURL. A
// missing series counts as 0.
func metricValue(t *testing.T, baseURL, name string, labels map[string]string) float64 {
	t.Helper()

	resp := get(t, baseURL+"/metrics")
	require.Equal(t, 200, resp.Status)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(resp.Body))
	require.NoError(t, err)

	family, ok := families[name]
	if !ok {
		return 0
	}
	total := 0.0
	for _, metric := range family.GetMetric() {
		if !hasLabels(metric, labels) {
			continue
		}
		switch {
		case metric.Counter != nil:
			total += metric.Counter.GetValue()
		case metric.Gauge != nil:
			total += metric.Gauge.GetValue()
		}
	}
	return total
}

func hasLabels(metric *dto.Metric, labels map[string]string) bool {
	matched := 0
	for _, pair := range metric.GetLabel() {
		if want, ok := labels[pair.GetName()]; ok && want == pair.GetValue() {
			matched++
		}
	}
	return matched == len(labels)
}

// workerJobs returns fibstack_worker_jobs_total for outcome, summed over the
// stack's running workers.
func workerJobs(t *testing.T, stack *devstack.Stack, outcome string) float64 {
	t.Helper()

	total := 0.0
	for i := 0; i < stack.Workers(); i++ {
		if exited, _ := stack.Worker(i).Exited(); exited {
			continue
		}
		total += metricValue(t, stack.WorkerURL(i), "fibstack_worker_jobs_total", map[string]string{"outcome": outcome})
	}
	return total
}

// consumerInfo returns the state of a consumer of the job stream.
func consumerInfo(t *testing.T, stack *devstack.Stack, name string) *jetstream.ConsumerInfo {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	js, err := jetstream.New(connectNATS(t, stack))
	require.NoError(t, err)
	consumer, err := js.Consumer(ctx, "FIB_JOBS", name)
	require.NoError(t, err)
	info, err := consumer.Info(ctx)
	require.NoError(t, err)
	return info
}

// waitConsumersIdle waits until both consumers of the job stream have no
// pending and no unacknowledged jobs.
func waitConsumersIdle(t *testing.T, stack *devstack.Stack, timeout time.Duration) {
	t.Helper()

	require.Eventually(t, func() bool {
		for _, name := range []string{"fib-workers", "fib-recorder"} {
			info := consumerInfo(t, stack, name)
			if info.NumPending != 0 || info.NumAckPending != 0 {
				return false
			}
		}
		return true
	}, timeout, 100*time.Millisecond, "the job consumers still have pending or unacknowledged jobs")
}
