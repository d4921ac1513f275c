import { useId } from 'react';

import { ValueState } from './value-state';

import { useValues } from '@/features/fibonacci/api/get-values';

// CalculatedValues shows every index with a result in ascending order and
// keeps the table current by polling.
export function CalculatedValues() {
  const headingId = useId();
  const values = useValues();
  const items = values.data?.pages.flatMap((page) => page.values) ?? [];

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Calculated values</h2>

      {values.isError && (
        <p className="load-error" role="alert">
          Could not load the calculated values: {values.error.message}
        </p>
      )}

      {values.isPending && <p>Loading…</p>}
      {values.isSuccess && items.length === 0 && <p>No value calculated yet.</p>}
      {items.length > 0 && (
        <table className="values-table" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">Index</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {items.map((value) => (
              <tr key={value.index}>
                <th scope="row">{value.index}</th>
                <td>
                  <ValueState value={value} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {values.hasNextPage && (
        <button
          type="button"
          onClick={() => void values.fetchNextPage()}
          disabled={values.isFetchingNextPage}
          aria-label="Load more values"
        >
          Load more
        </button>
      )}
    </section>
  );
}
