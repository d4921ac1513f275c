import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';

import { fibonacciKeys } from './query-keys';

import { PAGE_SIZE, POLL_INTERVAL_MS } from '@/config/api';
import { api } from '@/lib/api-client';
import type { ValuesPage } from '@/features/fibonacci/types';

// getValues fetches one page of values, ordered by index ascending.
// cursor is the next_cursor of the previous page, or null for the first page.
export function getValues(cursor: string | null, signal?: AbortSignal): Promise<ValuesPage> {
  return api.get<ValuesPage>('/values', { params: { limit: PAGE_SIZE, cursor }, signal });
}

export function getValuesQueryOptions() {
  return infiniteQueryOptions({
    queryKey: fibonacciKeys.values,
    queryFn: ({ pageParam, signal }) => getValues(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.next_cursor,
  });
}

// useValues polls every loaded page of values, so results computed by the
// workers show up without a reload. fetchNextPage loads the next page.
//
// NOTE: TanStack Query refetches the loaded pages one after another, so each
// poll sends one request per loaded page.
export function useValues() {
  return useInfiniteQuery({ ...getValuesQueryOptions(), refetchInterval: POLL_INTERVAL_MS });
}
