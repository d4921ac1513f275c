import { useMutation, useQueryClient } from '@tanstack/react-query';

import { fibonacciKeys } from './query-keys';

import { api } from '@/lib/api-client';
import type { FibonacciValue } from '@/features/fibonacci/types';

// submitIndex requests F(index). index is sent as typed, so the API alone
// decides which input is valid and words the error. The response is the
// queued state, or the value when it was computed before.
export function submitIndex(index: string): Promise<FibonacciValue> {
  return api.post<FibonacciValue>('/values', { index });
}

type UseSubmitIndexOptions = {
  // Called with the API's response and the index text that was submitted.
  onSuccess?: (value: FibonacciValue, submitted: string) => void;
};

// useSubmitIndex submits an index, caches the response as the index's
// current state and refreshes both lists at once instead of at the next poll.
export function useSubmitIndex({ onSuccess }: UseSubmitIndexOptions = {}) {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: submitIndex,
    onSuccess: (value, submitted) => {
      queryClient.setQueryData(fibonacciKeys.value(value.index), value);
      void queryClient.invalidateQueries({ queryKey: fibonacciKeys.submissions });
      void queryClient.invalidateQueries({ queryKey: fibonacciKeys.values });
      onSuccess?.(value, submitted);
    },
  });
}
