import { describe, expect, it, vi } from 'vitest';

import { api, ApiError } from './api-client';

import { jsonResponse, stubFetch } from '@/testing/fake-api';

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('api client', () => {
  it('sends JSON and parses the answer', async () => {
    const requests = stubFetch({
      'POST /api/values': () => jsonResponse({ index: 30, state: 'queued' }, 202),
    });

    await expect(api.post('/values', { index: '30' })).resolves.toEqual({ index: 30, state: 'queued' });
    expect(requests[0].body).toEqual({ index: '30' });
  });

  it('puts set query parameters in the URL', async () => {
    const requests = stubFetch({
      'GET /api/values': () => jsonResponse({ values: [], next_cursor: null }),
    });

    await api.get('/values', { params: { limit: 50, cursor: null, other: undefined } });

    expect(requests[0].url.search).toBe('?limit=50');
  });

  it('throws ApiError with the fields of a JSON error', async () => {
    stubFetch({
      'POST /api/values': () => jsonResponse({ error: 'index must be at most 1000000', field: 'index', rule: 'max' }, 400),
    });

    const error = await catchError(api.post('/values', { index: '2000000' }));

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ message: 'index must be at most 1000000', status: 400, field: 'index', rule: 'max' });
  });

  it('names the status of a non-JSON error', async () => {
    stubFetch({
      'GET /api/values/7': () => new Response('<html></html>', { status: 502, statusText: 'Bad Gateway' }),
    });

    const error = await catchError(api.get('/values/7'));

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ message: 'GET /api/values/7 failed with status 502 Bad Gateway.', status: 502 });
  });

  it('throws ApiError with status 0 when the network fails', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));

    const error = await catchError(api.get('/values'));

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0 });
    expect((error as ApiError).message).toContain('Could not reach the API (GET /api/values)');
  });

  it('returns a text body as is', async () => {
    stubFetch({
      'GET /api/values/30/value': () => new Response('832040', { headers: { 'Content-Type': 'text/plain' } }),
    });

    await expect(api.getText('/values/30/value')).resolves.toBe('832040');
  });
});
