// Path prefix of the Go API. nginx serves it from the same origin as the page,
// and the Vite dev and preview servers proxy it (see vite.config.ts).
export const API_BASE_PATH = '/api';

// Interval between two polls of the lists and of queued values, in milliseconds.
export const POLL_INTERVAL_MS = 1000;

// Items requested per page of submissions or values.
export const PAGE_SIZE = 50;
