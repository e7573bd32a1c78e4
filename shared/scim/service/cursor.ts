/**
 * RFC 9865 cursors: opaque to clients (sealed: encrypted and authenticated under the deployment's
 * key, so they reveal no table keys and an edited position or expiry does not open), checked on
 * the way back in.
 */
import { CURSOR_TIMEOUT_SECONDS } from '../limits';
import { ScimError } from '../messages/error';
import type { ListPosition, OrderRange, ResourceOrder, Sealer } from '../ports';

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
  | {
      mode: 'position';
      position: ListPosition;
      offset: number;
      /** The order walked (creation when absent) and, for a filter's walk, the range of it. */
      order?: ResourceOrder;
      range?: OrderRange;
    }
  | { mode: 'after'; place: SortPlace; offset: number };

/** Longer than any cursor this service issues (a sort key of a long value included). */
const MAX_CURSOR_LENGTH = 16_384;

interface CursorBody {
  v: 1;
  /** Which list (filter, sort) the cursor belongs to. */
  list: string;
  /** Expiry, epoch seconds. */
  exp: number;
  state: CursorState;
}

/** What SCIM cursors are sealed for (an audit cursor, sealed for another purpose, does not open as one). */
const PURPOSE = 'scim-list-cursor';

export function encodeCursor(list: string, state: CursorState, now: Date, sealer: Sealer): string {
  const body: CursorBody = { v: 1, list, exp: Math.floor(now.getTime() / 1000) + CURSOR_TIMEOUT_SECONDS, state };
  return sealer.seal(PURPOSE, JSON.stringify(body));
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
export function decodeCursor(cursor: string, list: string, now: Date, sealer: Sealer): CursorState {
  const text = cursor.length <= MAX_CURSOR_LENGTH ? sealer.open(PURPOSE, cursor) : undefined;
  if (text === undefined) throw ScimError.typed('invalidCursor', 'The cursor is not one this service issued.');
  let body: unknown;
  try {
    body = JSON.parse(text);
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
