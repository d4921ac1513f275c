import { ValueText } from './value-text';

import type { FibonacciValue } from '@/features/fibonacci/types';

export type ValueStateProps = {
  value: FibonacciValue;
};

// ValueState shows a computed value, or the state of an index that is not
// done together with the reason of a failure.
export function ValueState({ value }: ValueStateProps) {
  switch (value.state) {
    case 'done':
      return <ValueText value={value} />;
    case 'queued':
      return <span className="state state-queued">queued</span>;
    case 'failed':
      return (
        <span className="state state-failed">
          failed: <span className="failure-reason">{value.error}</span>
        </span>
      );
  }
}
