import { useId } from 'react';

import { useSubmissions } from '@/features/fibonacci/api/get-submissions';

// SubmittedIndexes lists every submitted index, newest first, repeats
// included, and keeps the list current by polling.
export function SubmittedIndexes() {
  const headingId = useId();
  const submissions = useSubmissions();
  const items = submissions.data?.pages.flatMap((page) => page.submissions) ?? [];

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Indexes I have seen</h2>

      {submissions.isError && (
        <p className="load-error" role="alert">
          Could not load the submitted indexes: {submissions.error.message}
        </p>
      )}

      {submissions.isPending && <p>Loading…</p>}
      {submissions.isSuccess && items.length === 0 && <p>No index submitted yet.</p>}
      {items.length > 0 && (
        <ul className="index-list">
          {items.map((submission) => (
            <li key={submission.id}>{submission.number}</li>
          ))}
        </ul>
      )}

      {submissions.hasNextPage && (
        <button
          type="button"
          onClick={() => void submissions.fetchNextPage()}
          disabled={submissions.isFetchingNextPage}
          aria-label="Load more indexes"
        >
          Load more
        </button>
      )}
    </section>
  );
}
