import { useId, useState, type FormEvent } from 'react';

import { useSubmitIndex } from '@/features/fibonacci/api/submit-index';
import type { FibonacciValue } from '@/features/fibonacci/types';

export type IndexFormProps = {
  // Called with the API's response after each accepted submission.
  onSubmitted?: (value: FibonacciValue) => void;
};

// IndexForm submits an index and shows the API's reason when it rejects one.
export function IndexForm({ onSubmitted }: IndexFormProps) {
  const [index, setIndex] = useState('');
  const inputId = useId();
  const errorId = useId();

  const submission = useSubmitIndex({
    onSuccess: (value, submitted) => {
      // Keep what was typed while the request was pending.
      setIndex((current) => (current.trim() === submitted ? '' : current));
      onSubmitted?.(value);
    },
  });

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    submission.mutate(index.trim());
  }

  return (
    <form className="index-form" onSubmit={handleSubmit}>
      <label htmlFor={inputId}>Index</label>
      <input
        id={inputId}
        name="index"
        inputMode="numeric"
        autoComplete="off"
        required
        value={index}
        onChange={(event) => setIndex(event.target.value)}
        aria-invalid={submission.isError}
        aria-describedby={submission.isError ? errorId : undefined}
      />
      <button type="submit" disabled={submission.isPending}>
        Submit
      </button>
      {submission.isError && (
        <p id={errorId} className="form-error" role="alert">
          {submission.error.message}
        </p>
      )}
    </form>
  );
}
