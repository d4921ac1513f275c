import { QueryClient } from '@tanstack/react-query';

import { ApiError } from './api-client';

// shouldRetry retries a failed query once, unless the API rejected the
// request itself: a 4xx response does not change on a retry, and polling
// queries try again at the next interval anyway.
function shouldRetry(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
    return false;
  }
  return failureCount < 1;
}

// createQueryClient returns the query client of the app. Mutations are never
// retried, so an index is submitted once per click.
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry },
      mutations: { retry: false },
    },
  });
}
