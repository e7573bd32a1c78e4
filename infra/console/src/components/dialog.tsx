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
  /** The id of the element focus goes back to (default: what had it when the dialog opened). */
  returnTo?: string;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Tab and Shift+Tab wrap around inside the dialog: the platform's modal dialog keeps focus off the
 * page, but would let it leave for the browser's own controls.
 */
function trapTab(e: KeyboardEvent, dialog: HTMLDialogElement): void {
  if (e.key !== 'Tab') return;
  const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (e.shiftKey && (active === first || !dialog.contains(active))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !dialog.contains(active))) {
    e.preventDefault();
    first.focus();
  }
}

function returnFocus(to: Element | null): void {
  const target = to instanceof HTMLElement && to.isConnected && !(to as HTMLButtonElement).disabled ? to : null;
  (target ?? document.querySelector<HTMLElement>('#page-heading'))?.focus();
}

export function Dialog({ open, title, onClose, children, alert, returnTo }: DialogProps) {
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
      const to = (returnTo ? document.getElementById(returnTo) : null) ?? opener.current;
      setTimeout(() => returnFocus(to), 0);
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      role={alert ? 'alertdialog' : 'dialog'}
      aria-labelledby={titleId}
      aria-modal="true"
      onKeyDown={(e) => ref.current && trapTab(e, ref.current)}
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
