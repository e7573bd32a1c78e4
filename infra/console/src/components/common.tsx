import { useState } from 'preact/hooks';
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

/** What Pager needs of useCursorPages. */
export interface Paged {
  page: number;
  hasPrev: boolean;
  hasNext: boolean;
  prev: () => void;
  next: () => void;
  data?: { total?: number | null } | undefined;
}

/** Previous and Next, and where the list is ("Page 2 of 41 users" when the total is known). */
export function Pager({ pages, noun = 'item' }: { pages: Paged; noun?: string }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={pages.prev} disabled={!pages.hasPrev}>
        Previous page
      </button>
      <span>{pageSummary(pages.page, pages.data?.total, noun)}</span>
      <button type="button" onClick={pages.next} disabled={!pages.hasNext}>
        Next page
      </button>
    </nav>
  );
}

/** A date-time as people read it here: yyyy-MM-dd HH:mm (UTC). */
export const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'Never');

/** A search box (role search): the text is searched when the form is sent; `children` add more fields (e.g. a status). */
export function SearchForm(props: {
  id: string;
  label: string;
  placeholder: string;
  onSearch: (text: string) => void;
  children?: ComponentChildren;
}) {
  const [text, setText] = useState('');
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch(text);
      }}
    >
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="search"
        value={text}
        placeholder={props.placeholder}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      {props.children}
      <button type="submit">Search</button>
    </form>
  );
}

/** "Page 2 of 41 users": the page number, and the total when the API knows it (a cursor page may not, RFC 9865). */
export function pageSummary(page: number, total: number | null | undefined, noun: string): string {
  if (total === null || total === undefined) return `Page ${page}`;
  return `Page ${page} of ${total} ${noun}${total === 1 ? '' : 's'}`;
}
