import { useMutation } from '@tanstack/react-query';

import { getFullValue } from '@/features/fibonacci/api/get-value';

export type CopyValueButtonProps = {
  index: number;
};

// writeToClipboard copies the text that load resolves to. Safari rejects a
// clipboard write that happens after an await in the click handler, so when
// ClipboardItem exists the pending text goes to the clipboard as a promise.
async function writeToClipboard(load: () => Promise<string>): Promise<void> {
  const clipboard = navigator.clipboard;
  if (!clipboard) {
    throw new Error('The clipboard is not available here: browsers allow it only over HTTPS or on localhost. Use Download instead.');
  }

  if (typeof ClipboardItem === 'undefined' || typeof clipboard.write !== 'function') {
    await clipboard.writeText(await load());
    return;
  }

  const text = load();
  const blob = text.then((value) => new Blob([value], { type: 'text/plain' }));
  try {
    await clipboard.write([new ClipboardItem({ 'text/plain': blob })]);
  } catch (error) {
    // When the download failed, its ApiError explains more than the
    // clipboard's generic rejection does.
    await text;
    throw error;
  }
}

// CopyValueButton downloads the whole value of an index and copies it to the
// clipboard, then reports the outcome in a live region.
export function CopyValueButton({ index }: CopyValueButtonProps) {
  const copy = useMutation({
    // The download ends with a newline, which the copied number must not.
    mutationFn: () => writeToClipboard(async () => (await getFullValue(index)).trimEnd()),
  });

  let outcome = '';
  if (copy.isSuccess) {
    outcome = 'Copied.';
  } else if (copy.isError) {
    outcome = `Copy failed: ${copy.error.message}`;
  }

  return (
    <>
      <button
        type="button"
        onClick={() => copy.mutate()}
        disabled={copy.isPending}
        aria-label={`Copy the value of index ${index}`}
      >
        Copy
      </button>
      <span className="copy-outcome" role="status">
        {outcome}
      </span>
    </>
  );
}
