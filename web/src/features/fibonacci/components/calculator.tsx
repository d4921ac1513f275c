import { useState } from 'react';

import { CalculatedValues } from './calculated-values';
import { IndexForm } from './index-form';
import { SubmissionStatus } from './submission-status';
import { SubmittedIndexes } from './submitted-indexes';

import type { FibonacciValue } from '@/features/fibonacci/types';

// Calculator is the form, the state of this page's pending submissions and
// the two live lists.
export function Calculator() {
  // Indexes submitted from this page that were not done when the API
  // responded, newest first and each once.
  const [pendingIndexes, setPendingIndexes] = useState<number[]>([]);

  function handleSubmitted(value: FibonacciValue) {
    if (value.state === 'done') {
      return;
    }
    setPendingIndexes((indexes) => [value.index, ...indexes.filter((index) => index !== value.index)]);
  }

  return (
    <>
      <IndexForm onSubmitted={handleSubmitted} />
      <SubmissionStatus indexes={pendingIndexes} />
      <div className="lists">
        <SubmittedIndexes />
        <CalculatedValues />
      </div>
    </>
  );
}
