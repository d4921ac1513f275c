import { API_BASE_PATH } from '@/config/api';

// ApiError is thrown for every failed API call: an error status, an
// unreachable server or a body that is not the expected JSON. message is
// meant for people and, for a JSON error body, is its error field verbatim.
export class ApiError extends Error {
  // HTTP status of the response, or 0 when no response arrived.
  readonly status: number;
  // Request field that failed validation, such as "index".
  readonly field?: string;
  // Broken rule named by the API, such as "max" or "rate_limit".
  readonly rule?: string;

  constructor(message: string, status: number, details: { field?: string; rule?: string; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.name = 'ApiError';
    this.status = status;
    this.field = details.field;
    this.rule = details.rule;
  }
}

export type QueryParams = Record<string, string | number | null | undefined>;

export type RequestOptions = {
  // Query parameters. null and undefined values are left out.
  params?: QueryParams;
  signal?: AbortSignal;
};

type ErrorBody = { error?: unknown; field?: unknown; rule?: unknown };

// apiUrl builds the path of an API endpoint, such as apiUrl('/values/7/value').
export function apiUrl(path: string, params: QueryParams = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) {
      query.set(name, String(value));
    }
  }

  const search = query.toString();
  return `${API_BASE_PATH}${path}${search ? `?${search}` : ''}`;
}

async function send(method: string, path: string, body: unknown, options: RequestOptions): Promise<Response> {
  const url = apiUrl(path, options.params);
  const headers: Record<string, string> = { Accept: 'application/json, text/plain' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
  } catch (error) {
    // An abort comes from TanStack Query cancelling a stale request, and
    // TanStack Query expects the original error back.
    if (error instanceof DOMException && error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(`Could not reach the API (${method} ${url}). Check the connection and try again.`, 0, {
      cause: error,
    });
  }

  if (!response.ok) {
    throw await parseError(method, url, response);
  }
  return response;
}

// parseError turns an error response into an ApiError. The API sends
// errors as {"error": ..., "field": ..., "rule": ...}. A proxy in front of
// it may send HTML instead, which gets a message naming the status.
async function parseError(method: string, url: string, response: Response): Promise<ApiError> {
  const fallback = `${method} ${url} failed with status ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;

  if (!response.headers.get('Content-Type')?.includes('application/json')) {
    return new ApiError(fallback, response.status);
  }

  let body: ErrorBody;
  try {
    body = (await response.json()) as ErrorBody;
  } catch (error) {
    return new ApiError(fallback, response.status, { cause: error });
  }

  return new ApiError(typeof body.error === 'string' && body.error ? body.error : fallback, response.status, {
    field: typeof body.field === 'string' ? body.field : undefined,
    rule: typeof body.rule === 'string' ? body.rule : undefined,
  });
}

async function readJson<T>(method: string, path: string, response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new ApiError(`${method} ${apiUrl(path)} returned a body that is not valid JSON.`, response.status, {
      cause: error,
    });
  }
}

// api is the one client for the Go API. Paths are relative to API_BASE_PATH.
// Every method rejects with ApiError on failure, or with the fetch
// AbortError when options.signal aborts the request.
export const api = {
  async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await send('GET', path, undefined, options);
    return readJson<T>('GET', path, response);
  },

  async post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    const response = await send('POST', path, body, options);
    return readJson<T>('POST', path, response);
  },

  // getText returns the body as text, for endpoints that send text/plain.
  async getText(path: string, options: RequestOptions = {}): Promise<string> {
    const response = await send('GET', path, undefined, options);
    return response.text();
  },
};
