import { queryOptions, useQueries } from '@tanstack/react-query';

import { fibonacciKeys } from './query-keys';

import { POLL_INTERVAL_MS } from '@/config/api';
import { api, apiUrl } from '@/lib/api-client';
import type { FibonacciValue } from '@/features/fibonacci/types';

// getValue fetches the state of one index, with a long value summarized as
// digit count, head and tail. It rejects with an ApiError of status 404 when
// the index was never submitted.
export function getValue(index: number, signal?: AbortSignal): Promise<FibonacciValue> {
  return api.get<FibonacciValue>(`/values/${index}?summary=true`, { signal });
}

// fullValueUrl is the URL of the whole decimal value as a text/plain download.
export function fullValueUrl(index: number): string {
  return apiUrl(`/values/${index}/value`);
}

// getFullValue fetches the whole decimal value of a computed index as text.
export function getFullValue(index: number, signal?: AbortSignal): Promise<string> {
  return api.getText(`/values/${index}/value`, { signal });
}

// getValueQueryOptions polls an index until its state is done or failed.
export function getValueQueryOptions(index: number) {
  return queryOptions({
    queryKey: fibonacciKeys.value(index),
    queryFn: ({ signal }) => getValue(index, signal),
    refetchInterval: (query) => {
      const state = query.state.data?.state;
      return state === 'done' || state === 'failed' ? false : POLL_INTERVAL_MS;
    },
  });
}

// useValueStates tracks the state of each index until it is done or failed.
export function useValueStates(indexes: number[]) {
  return useQueries({ queries: indexes.map((index) => getValueQueryOptions(index)) });
}
