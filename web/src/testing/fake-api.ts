import { vi } from 'vitest';

// FakeRequest is what a fake route receives: the method, the URL resolved
// against http://localhost and the parsed JSON body, if any.
export type FakeRequest = {
  method: string;
  url: URL;
  body: unknown;
};

export type FakeRoute = (request: FakeRequest) => Response | Promise<Response>;

// FakeRoutes maps "METHOD /path" to a route. The query string is not part of
// the key, so a route reads it from request.url.
export type FakeRoutes = Record<string, FakeRoute>;

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

// emptyListRoutes serves both list endpoints with no items, so a test only
// declares the routes it is about.
export const emptyListRoutes: FakeRoutes = {
  'GET /api/submissions': () => jsonResponse({ submissions: [], next_cursor: null }),
  'GET /api/values': () => jsonResponse({ values: [], next_cursor: null }),
};

// stubFetch replaces the global fetch with the given routes for the current
// test, and setup-tests.ts restores it afterwards. A request without a route gets a 501
// whose error names the missing route. The returned array records every
// request in order.
export function stubFetch(routes: FakeRoutes): FakeRequest[] {
  const requests: FakeRequest[] = [];

  const fetchStub = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const request = { method, url, body };
    requests.push(request);

    const route = routes[`${method} ${url.pathname}`];
    if (!route) {
      return jsonResponse({ error: `fake API has no route for ${method} ${url.pathname}` }, 501);
    }
    return route(request);
  });

  vi.stubGlobal('fetch', fetchStub);
  return requests;
}
