import { useId } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';

import { ValueState } from './value-state';

import { useValueStates } from '@/features/fibonacci/api/get-value';
import type { FibonacciValue } from '@/features/fibonacci/types';

export type SubmissionStatusProps = {
  // Indexes submitted from this page, newest first.
  indexes: number[];
};

// SubmissionStatus shows the state of each index submitted from this page
// until it is done. Failed indexes stay, with their reason.
export function SubmissionStatus({ indexes }: SubmissionStatusProps) {
  const headingId = useId();
  const states = useValueStates(indexes);

  const unfinished = indexes
    .map((index, i) => ({ index, query: states[i] }))
    .filter(({ query }) => query.data?.state !== 'done');

  if (unfinished.length === 0) {
    return null;
  }

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Submission status</h2>
      <ul className="status-list" aria-live="polite">
        {unfinished.map(({ index, query }) => (
          <li key={index}>
            Index {index}: <StateText query={query} />
          </li>
        ))}
      </ul>
    </section>
  );
}

type StateTextProps = {
  query: UseQueryResult<FibonacciValue>;
};

function StateText({ query }: StateTextProps) {
  if (query.data) {
    return <ValueState value={query.data} />;
  }
  if (query.isError) {
    return <span className="load-error">could not load its state: {query.error.message}</span>;
  }
  return <>checking…</>;
}
