package worker

import "github.com/prometheus/client_golang/prometheus"

// Outcomes of a job, the label of fibstack_worker_jobs_total.
const (
	outcomeComputed      = "computed"
	outcomeAlreadyStored = "already_stored"
	outcomeDuplicate     = "duplicate"
	outcomeMalformed     = "malformed"
	outcomeRetried       = "retried"
	outcomeDeadLettered  = "dead_lettered"
	outcomeReturned      = "returned"
)

// Metrics are the worker's Prometheus metrics.
type Metrics struct {
	jobs           *prometheus.CounterVec
	computeSeconds prometheus.Histogram
	inFlight       prometheus.Gauge
}

// NewMetrics registers the worker's metrics with registry.
func NewMetrics(registry prometheus.Registerer) *Metrics {
	m := &Metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fibstack_worker_jobs_total",
			Help: "Jobs handled, by outcome: computed, already_stored, duplicate, malformed, retried, dead_lettered, returned.",
		}, []string{"outcome"}),
		computeSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "fibstack_worker_compute_seconds",
			Help:    "Time to compute one value, in seconds.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 12),
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fibstack_worker_jobs_in_flight",
			Help: "Jobs this worker holds now, from fetch to acknowledgement.",
		}),
	}
	registry.MustRegister(m.jobs, m.computeSeconds, m.inFlight)
	return m
}
