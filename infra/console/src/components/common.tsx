import type { ComponentChildren } from 'preact';

/** A page's heading: focusable from script only (focus lands here on navigation and after a dialog whose opener is gone). */
export function PageHeading({ children }: { children: ComponentChildren }) {
  return (
    <h1 id="page-heading" tabIndex={-1}>
      {children}
    </h1>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/** A table that scrolls sideways on a narrow screen, reachable with the keyboard. */
export function TableFrame({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-frame" role="region" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </div>
  );
}

export function Pager(props: { hasPrev: boolean; hasNext: boolean; onPrev: () => void; onNext: () => void; summary?: string }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={props.onPrev} disabled={!props.hasPrev}>
        Previous page
      </button>
      <span>{props.summary}</span>
      <button type="button" onClick={props.onNext} disabled={!props.hasNext}>
        Next page
      </button>
    </nav>
  );
}

/** A date-time as people read it here: yyyy-MM-dd HH:mm (UTC). */
export const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'Never');
