// Types of the JSON bodies that the Go API returns for Fibonacci values.
// Values are decimal strings: F(79) already exceeds Number.MAX_SAFE_INTEGER,
// so the page never converts them to numbers.

export type ValueState = 'queued' | 'done' | 'failed';

// ShortValue is a computed value that the API sends whole.
export type ShortValue = {
  index: number;
  state: 'done';
  digits: number;
  value: string;
};

// LongValue is a computed value too long to send in a list or status body.
// The full value is served as text by GET /api/values/{index}/value.
export type LongValue = {
  index: number;
  state: 'done';
  digits: number;
  head: string;
  tail: string;
};

export type QueuedValue = {
  index: number;
  state: 'queued';
};

export type FailedValue = {
  index: number;
  state: 'failed';
  error: string;
};

export type DoneValue = ShortValue | LongValue;

// FibonacciValue is the state of one index as GET /api/values/{index}
// returns it. A body with state "done" has either value or head and tail.
export type FibonacciValue = QueuedValue | DoneValue | FailedValue;

// Submission is one accepted POST /api/values, including repeats of an index.
export type Submission = {
  id: number;
  number: number;
  // Origin of the submission, such as "http".
  source: string;
  // RFC 3339 time.
  submitted_at: string;
};

export type SubmissionsPage = {
  submissions: Submission[];
  next_cursor: string | null;
};

export type ValuesPage = {
  values: FibonacciValue[];
  next_cursor: string | null;
};

export function isShortValue(value: DoneValue): value is ShortValue {
  return typeof (value as ShortValue).value === 'string';
}
