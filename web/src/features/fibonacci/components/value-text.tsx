import { CopyValueButton } from './copy-value-button';

import { fullValueUrl } from '@/features/fibonacci/api/get-value';
import { isShortValue, type DoneValue } from '@/features/fibonacci/types';

export type ValueTextProps = {
  value: DoneValue;
};

// ValueText shows a computed value exactly as the API sent it. A long value
// arrives as its first and last digits only, so it gets a download link and
// a copy button for the whole value.
export function ValueText({ value }: ValueTextProps) {
  if (isShortValue(value)) {
    return <span className="digits">{value.value}</span>;
  }

  return (
    <span className="long-value">
      <span className="digits">{`${value.head}…${value.tail} (${value.digits} digits)`}</span>{' '}
      <a href={fullValueUrl(value.index)} download aria-label={`Download the value of index ${value.index}`}>
        Download
      </a>{' '}
      <CopyValueButton index={value.index} />
    </span>
  );
}
