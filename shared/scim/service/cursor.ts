/** RFC 9865 cursors: opaque to clients, checked on the way back in. */
import { CURSOR_TIMEOUT_SECONDS } from '../limits';
import { ScimError } from '../messages/error';
import type { ListPosition } from '../ports';

export { CURSOR_TIMEOUT_SECONDS };

/** A place in a sorted list: missing sort value or not, the value, and the tie-breaker (creation, id). */
export interface SortPlace {
  missing: boolean;
  key: string | number;
  tie: string;
}

/**
 * Where the next page starts: after a stored position (an index listing), or after a place in
 * the order of a list built in memory (never an offset: a resource deleted between pages must not
 * shift the next one). `offset` counts what came before, for `startIndex` in the answer.
 */
export type CursorState =
  { mode: 'position'; position: ListPosition; offset: number } | { mode: 'after'; place: SortPlace; offset: number };

interface CursorBody {
  v: 1;
  /** Which list (filter, sort) the cursor belongs to. */
  list: string;
  /** Expiry, epoch seconds. */
  exp: number;
  state: CursorState;
}

export function encodeCursor(list: string, state: CursorState, now: Date): string {
  const body: CursorBody = { v: 1, list, exp: Math.floor(now.getTime() / 1000) + CURSOR_TIMEOUT_SECONDS, state };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function isPlace(p: unknown): p is SortPlace {
  const place = p as Partial<SortPlace> | undefined;
  return (
    typeof place === 'object' &&
    place !== null &&
    typeof place.missing === 'boolean' &&
    (typeof place.key === 'string' || (typeof place.key === 'number' && Number.isFinite(place.key))) &&
    typeof place.tie === 'string'
  );
}

function isPosition(p: unknown): p is ListPosition {
  return typeof p === 'object' && p !== null && Object.values(p).every((v) => typeof v === 'string');
}

/** The state a cursor holds; 400 invalidCursor for one this list did not issue, expiredCursor when stale. */
export function decodeCursor(cursor: string, list: string, now: Date): CursorState {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw ScimError.typed('invalidCursor', 'The cursor is not one this service issued.');
  }
  const b = body as Partial<CursorBody>;
  const state = b?.state as Partial<CursorState> | undefined;
  const offsetOk = Number.isInteger((state as { offset?: unknown } | undefined)?.offset) && (state as { offset: number }).offset >= 0;
  const validState =
    offsetOk &&
    ((state?.mode === 'position' && isPosition((state as { position?: unknown }).position)) ||
      (state?.mode === 'after' && isPlace((state as { place?: unknown }).place)));
  if (b?.v !== 1 || typeof b.exp !== 'number' || !validState) {
    throw ScimError.typed('invalidCursor', 'The cursor is not one this service issued.');
  }
  if (b.list !== list) throw ScimError.typed('invalidCursor', 'The cursor belongs to a different filter or sort order.');
  if (b.exp * 1000 < now.getTime()) throw ScimError.typed('expiredCursor', 'The cursor has expired; start again without one.');
  return state as CursorState;
}
