/**
 * A modal dialog on the platform's <dialog>: showModal() makes the rest of the page inert (focus
 * stays inside, Tab included) and Escape cancels. On close, focus goes back to what opened it, or
 * to the page's heading when that is gone or disabled (e.g. Generate Token, disabled by a second token).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** role="alertdialog" for confirmations of something that cannot be undone. */
  alert?: boolean;
}

function returnFocus(to: Element | null): void {
  const target = to instanceof HTMLElement && to.isConnected && !(to as HTMLButtonElement).disabled ? to : null;
  (target ?? document.querySelector<HTMLElement>('#page-heading'))?.focus();
}

export function Dialog({ open, title, onClose, children, alert }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
      // After the page has re-rendered (the opener may have become disabled meanwhile).
      const to = opener.current;
      setTimeout(() => returnFocus(to), 0);
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      role={alert ? 'alertdialog' : 'dialog'}
      aria-labelledby={titleId}
      aria-modal="true"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}
