import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

import { createQueryClient } from '@/lib/react-query';

export type AppProviderProps = {
  children: ReactNode;
  // Client for all queries. Tests pass their own, and the app creates one.
  queryClient?: QueryClient;
};

export function AppProvider({ children, queryClient }: AppProviderProps) {
  const [defaultClient] = useState(createQueryClient);
  return <QueryClientProvider client={queryClient ?? defaultClient}>{children}</QueryClientProvider>;
}
