import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';

import { fibonacciKeys } from './query-keys';

import { PAGE_SIZE, POLL_INTERVAL_MS } from '@/config/api';
import { api } from '@/lib/api-client';
import type { SubmissionsPage } from '@/features/fibonacci/types';

// getSubmissions fetches one page of submitted indexes, newest first.
// cursor is the next_cursor of the previous page, or null for the first page.
export function getSubmissions(cursor: string | null, signal?: AbortSignal): Promise<SubmissionsPage> {
  return api.get<SubmissionsPage>('/submissions', { params: { limit: PAGE_SIZE, cursor }, signal });
}

export function getSubmissionsQueryOptions() {
  return infiniteQueryOptions({
    queryKey: fibonacciKeys.submissions,
    queryFn: ({ pageParam, signal }) => getSubmissions(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.next_cursor,
  });
}

// useSubmissions polls every loaded page of submissions, so new indexes show
// up without a reload. fetchNextPage loads the next page.
export function useSubmissions() {
  return useInfiniteQuery({ ...getSubmissionsQueryOptions(), refetchInterval: POLL_INTERVAL_MS });
}
