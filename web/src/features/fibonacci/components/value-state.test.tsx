import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { ValueState } from './value-state';

import { stubFetch } from '@/testing/fake-api';
import type { FibonacciValue } from '@/features/fibonacci/types';

function renderValue(value: FibonacciValue) {
  const queryClient = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={queryClient}>
      <ValueState value={value} />
    </QueryClientProvider>,
  );
  return { user };
}

describe('ValueState', () => {
  it('renders a 30-digit value exactly', () => {
    // F(141) has 30 digits. As a JavaScript number it would print as 1.3115...e+29.
    renderValue({ index: 141, state: 'done', digits: 30, value: '131151201344081895336534324866' });

    expect(screen.getByText('131151201344081895336534324866')).toBeInTheDocument();
  });

  it('renders F(100) without rounding or grouping', () => {
    // Number('354224848179261915075') is 354224848179261900000.
    renderValue({ index: 100, state: 'done', digits: 21, value: '354224848179261915075' });

    expect(screen.getByText('354224848179261915075')).toBeInTheDocument();
  });

  it('renders a long value as head, tail and digit count', () => {
    renderValue({ index: 100000, state: 'done', digits: 20899, head: '2597406934', tail: '3428746875' });

    expect(screen.getByText('2597406934…3428746875 (20899 digits)')).toBeInTheDocument();

    const download = screen.getByRole('link', { name: 'Download the value of index 100000' });
    expect(download).toHaveTextContent('Download');
    expect(download).toHaveAttribute('href', '/api/values/100000/value');
    expect(download).toHaveAttribute('download');
    expect(screen.getByRole('button', { name: 'Copy the value of index 100000' })).toHaveTextContent('Copy');
  });

  it('copies the whole long value', async () => {
    const whole = `2597406934${'0'.repeat(20879)}3428746875`;
    const requests = stubFetch({
      'GET /api/values/100000/value': () => new Response(whole, { headers: { 'Content-Type': 'text/plain' } }),
    });
    const { user } = renderValue({ index: 100000, state: 'done', digits: 20899, head: '2597406934', tail: '3428746875' });

    await user.click(screen.getByRole('button', { name: 'Copy the value of index 100000' }));

    expect(await screen.findByText('Copied.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(whole);
    expect(requests.map((request) => request.url.pathname)).toEqual(['/api/values/100000/value']);
  });

  it('reports a failed copy', async () => {
    stubFetch({});
    const { user } = renderValue({ index: 100000, state: 'done', digits: 20899, head: '2597406934', tail: '3428746875' });

    await user.click(screen.getByRole('button', { name: 'Copy the value of index 100000' }));

    expect(await screen.findByText(/^Copy failed: fake API has no route/)).toBeInTheDocument();
  });

  it('shows the state of a queued index', () => {
    renderValue({ index: 7, state: 'queued' });

    expect(screen.getByText('queued')).toBeInTheDocument();
  });

  it('shows the reason of a failed index', () => {
    renderValue({ index: 7, state: 'failed', error: 'computation timed out after 30s' });

    expect(screen.getByText('computation timed out after 30s')).toBeInTheDocument();
    expect(screen.getByText(/^failed:/)).toBeInTheDocument();
  });
});
