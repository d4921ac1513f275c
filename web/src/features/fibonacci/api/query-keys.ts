// Query keys of the fibonacci feature, kept in one place so that a mutation
// can invalidate exactly the queries it makes stale.
export const fibonacciKeys = {
  submissions: ['submissions'] as const,
  values: ['values'] as const,
  value: (index: number) => ['value', index] as const,
};
