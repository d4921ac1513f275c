import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { emptyListRoutes, jsonResponse, stubFetch, type FakeRoutes } from '@/testing/fake-api';
import { renderApp } from '@/testing/test-utils';

describe('calculator page', () => {
  it('shows the API error next to the form', async () => {
    const requests = stubFetch({
      ...emptyListRoutes,
      'POST /api/values': () =>
        jsonResponse({ error: 'index must be at most 1000000, got "2000000"', field: 'index', rule: 'max' }, 400),
    });
    const { user } = renderApp('/');

    const input = screen.getByLabelText('Index');
    await user.type(input, '2000000');
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('index must be at most 1000000, got "2000000"');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('index must be at most 1000000, got "2000000"');
    expect(input).toHaveValue('2000000');

    const posts = requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0].body).toEqual({ index: '2000000' });
  });

  it('shows the rate limit message', async () => {
    stubFetch({
      ...emptyListRoutes,
      'POST /api/values': () => jsonResponse({ error: 'too many submissions, retry later', rule: 'rate_limit' }, 429),
    });
    const { user } = renderApp('/');

    await user.type(screen.getByLabelText('Index'), '5');
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('too many submissions, retry later');
  });

  it('shows a queued index until its value arrives', async () => {
    // A tiny in-memory API. Setting done to true stands in for a worker
    // finishing index 10.
    let done = false;
    const submitted: number[] = [];
    const tenDone = { index: 10, state: 'done', digits: 2, value: '55' };
    const routes: FakeRoutes = {
      'POST /api/values': () => {
        submitted.unshift(10);
        return jsonResponse({ index: 10, state: 'queued' }, 202);
      },
      'GET /api/submissions': () =>
        jsonResponse({
          submissions: submitted.map((number, i) => ({
            id: i + 1,
            number,
            source: 'http',
            submitted_at: '2026-12-04T20:00:00Z',
          })),
          next_cursor: null,
        }),
      'GET /api/values': () => jsonResponse({ values: done ? [tenDone] : [], next_cursor: null }),
      'GET /api/values/10': () => jsonResponse(done ? tenDone : { index: 10, state: 'queued' }),
    };
    stubFetch(routes);
    const { user } = renderApp('/');

    const input = screen.getByLabelText('Index');
    await user.type(input, '10');
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    const status = await screen.findByRole('region', { name: 'Submission status' });
    expect(status).toHaveTextContent('Index 10: queued');
    expect(input).toHaveValue('');

    const seen = screen.getByRole('region', { name: 'Indexes I have seen' });
    expect(await within(seen).findByRole('listitem')).toHaveTextContent('10');

    done = true;
    const values = screen.getByRole('region', { name: 'Calculated values' });
    // Polling picks the value up within a second or two; no event triggers it.
    const row = await within(values).findByRole('row', { name: '10 55' }, { timeout: 3000 });
    expect(row).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Submission status' })).not.toBeInTheDocument(), {
      timeout: 3000,
    });
  });

  it('loads the next page of values on Load more', async () => {
    const requests = stubFetch({
      ...emptyListRoutes,
      'GET /api/values': (request) => {
        if (request.url.searchParams.get('cursor') === 'page-2') {
          return jsonResponse({ values: [{ index: 2, state: 'done', digits: 1, value: '1' }], next_cursor: null });
        }
        return jsonResponse({ values: [{ index: 1, state: 'done', digits: 1, value: '1' }], next_cursor: 'page-2' });
      },
    });
    const { user } = renderApp('/');

    const values = await screen.findByRole('table', { name: 'Calculated values' });
    expect(within(values).getAllByRole('row')).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Load more values' }));

    await waitFor(() => expect(within(values).getAllByRole('row')).toHaveLength(3));
    expect(within(values).getByRole('row', { name: '2 1' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more values' })).not.toBeInTheDocument();

    const valueRequests = requests.filter((request) => request.url.pathname === '/api/values');
    expect(valueRequests[0].url.searchParams.get('limit')).toBe('50');
    expect(valueRequests.some((request) => request.url.searchParams.get('cursor') === 'page-2')).toBe(true);
  });

  it('shows a list load failure as an alert', async () => {
    stubFetch({
      ...emptyListRoutes,
      'GET /api/submissions': () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    renderApp('/');

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the submitted indexes: GET /api/submissions?limit=50 failed with status 502 Bad Gateway.',
    );
  });
});
