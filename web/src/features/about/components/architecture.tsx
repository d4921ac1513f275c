// Architecture describes how a submitted index travels through the stack.
export function Architecture() {
  return (
    <>
      <p>
        fibstack computes Fibonacci numbers F(n) exactly, for indexes up to the limit the API sets. It rebuilds a
        well-known multi-container teaching app with Go services and NATS JetStream.
      </p>

      <h2>How a submission travels</h2>
      <ol>
        <li>
          <strong>nginx</strong> serves this page and forwards every path under <code>/api</code> to the API. It also
          limits how often one address may submit.
        </li>
        <li>
          The <strong>API</strong> (Go) checks the index and publishes a job on a <strong>NATS JetStream</strong>{' '}
          stream. It answers only after JetStream has stored the job, so an accepted index is never lost. An index that
          was computed before is answered straight away.
        </li>
        <li>
          <strong>Workers</strong> (Go) share one durable consumer, so each job goes to one worker at a time. A worker
          computes the value with big integers and stores it in <strong>Redis</strong>. A job that keeps failing goes to
          a dead-letter stream after a set number of attempts, and its index is stored as failed with the reason.
        </li>
        <li>
          The API also consumes every job to record it in <strong>Postgres</strong>: that table is the list of indexes
          seen, including repeats and jobs published straight to NATS.
        </li>
        <li>
          This page polls the API every second, so new indexes and values appear without a reload. Values are decimal
          strings and are shown as sent; a long value shows its first and last digits and can be downloaded whole.
        </li>
      </ol>
    </>
  );
}
