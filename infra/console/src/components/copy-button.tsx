import { useState } from 'preact/hooks';

/** A Copy button for a value (the clipboard API), saying so in a live region when it is done. */
export function CopyButton({ value, label = 'Copy', describedBy }: { value: string; label?: string; describedBy?: string }) {
  const [said, setSaid] = useState('');
  return (
    <>
      <button
        type="button"
        aria-describedby={describedBy}
        onClick={() =>
          navigator.clipboard.writeText(value).then(
            () => setSaid('Copied to the clipboard.'),
            () => setSaid('Could not copy: select the text and copy it yourself.'),
          )
        }
      >
        {label}
      </button>
      <span class="copy-status" role="status">
        {said}
      </span>
    </>
  );
}
