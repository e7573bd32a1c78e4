/**
 * Cursors a client should never be able to forge: random text, base64url JSON with edited fields
 * (the format of today's cursors, SCIM and audit alike), and real cursors with flipped bytes,
 * truncated or extended. The byte-level mutations work on any format, sealed ones included.
 */
import type { Rng } from './prng';
import { BASE62, hostileString, obj } from './values';

const B64URL = `${BASE62}-_`;

/** A base64url-encoded JSON value, if the text is one. */
function decodeJson(cursor: string): unknown {
  try {
    const text = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!/^[[{]/.test(text)) return undefined;
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Every path to a leaf (or a whole object) of a JSON value. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const out: string[][] = prefix.length ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(value: unknown, path: readonly string[], leaf: unknown, remove: boolean): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> = Array.isArray(value)
    ? ({ ...value } as Record<string, unknown>)
    : { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && remove) delete copy[head];
  else
    Object.defineProperty(copy, head, {
      value: setAt(copy[head], rest, leaf, remove),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  return copy;
}

/** A replacement for one field of a decoded cursor. */
function fieldValue(rng: Rng, old: unknown): unknown {
  return rng.weighted<() => unknown>([
    [3, () => ''],
    [2, () => rng.pick(['x', 'USER#', 'GROUP#x', 'AUDIT#', 'LIST#USER', 'TOKEN#x', '#', '\u0000', '\ud800', ' '])],
    [2, () => (typeof old === 'string' && old.length > 0 ? old.slice(0, -1) + (old.endsWith('z') ? 'y' : 'z') : 'z')],
    [2, () => 'x'.repeat(rng.pick([1025, 2049, 10_000, 400_000]))],
    [2, () => rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER])],
    [2, () => rng.pick([null, true, [], {}, ['a'], { S: 'x' }, { N: '1' }, { B: 'AAAA' }])],
    [1, () => hostileString(rng)],
    [1, () => rng.pick(['position', 'after', 'offset', 'POSITION'])],
  ])();
}

/** A forged cursor of base64url JSON: a real one with fields changed, added or removed, or one made up. */
function forgeJson(rng: Rng, real: unknown): { cursor: string; shape: string } {
  if (real === undefined || rng.chance(0.25)) {
    const made = rng.pick<unknown>([
      {},
      [],
      null,
      1,
      'x',
      { v: 1 },
      { v: 1, list: '', exp: 9_999_999_999, state: { mode: 'position', position: {}, offset: 0 } },
      { v: 1, list: '', exp: 9_999_999_999, state: { mode: 'position', position: { PK: 'x', SK: 'y' }, offset: 0 } },
      { v: 1, list: '', exp: 9_999_999_999, state: { mode: 'after', place: { missing: false, key: 'a', tie: '' }, offset: 0 } },
      { v: 1, list: '', exp: 9_999_999_999, state: { mode: 'after', place: { missing: false, key: 1e308, tie: 'x' }, offset: 1e15 } },
      { PK: 'x', SK: 'y', GSI3PK: 'AUDIT', GSI3SK: 'z' },
      obj(['__proto__', { v: 1 }], ['v', 1]),
    ]);
    return {
      cursor: rng.chance(0.5) ? encodeJson(made) : Buffer.from(JSON.stringify(made)).toString('base64'),
      shape: 'cursor:forged-json',
    };
  }
  const all = paths(real);
  const edits = rng.int(1, 3);
  let value: unknown = real;
  for (let i = 0; i < edits; i++) {
    const path = rng.pick(all.length ? all : [[]]);
    const edit = rng.weighted([
      [15, 'remove'],
      [15, 'add'],
      [70, 'change'],
    ] as const);
    if (edit === 'remove') {
      value = setAt(value, path, undefined, true);
    } else if (edit === 'add') {
      value = setAt(
        value,
        [...path.slice(0, -1), rng.pick(['extra', '__proto__', 'constructor', 'PK', 'SK', 'id'])],
        fieldValue(rng, undefined),
        false,
      );
    } else {
      const old = path.reduce<unknown>(
        (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
        value,
      );
      value = setAt(value, path, fieldValue(rng, old), false);
    }
  }
  return { cursor: encodeJson(value), shape: 'cursor:edited-json' };
}

/** A cursor no service issued. */
export function hostileCursor(rng: Rng, real: readonly string[]): { cursor: string; shape: string } {
  const original = real.length ? rng.pick(real) : '';
  return rng.weighted<() => { cursor: string; shape: string }>([
    [3, () => forgeJson(rng, original ? decodeJson(original) : undefined)],
    [
      3,
      () => {
        if (!original) return { cursor: rng.chars(40, B64URL), shape: 'cursor:random' };
        const chars = [...original];
        const flips = rng.int(1, 3);
        for (let i = 0; i < flips; i++) {
          const at = rng.int(0, chars.length - 1);
          chars[at] = rng.pick([...B64URL.replace(chars[at] ?? '', '')]);
        }
        return { cursor: chars.join(''), shape: 'cursor:flipped' };
      },
    ],
    [2, () => ({ cursor: original.slice(0, rng.int(0, Math.max(0, original.length - 1))), shape: 'cursor:truncated' })],
    [
      2,
      () => ({
        cursor: original + rng.pick(['A', 'x', '==', '.', '%00', rng.chars(rng.int(1, 30), B64URL), original]),
        shape: 'cursor:appended',
      }),
    ],
    [
      2,
      () =>
        rng.pick([
          { cursor: rng.chars(rng.pick([1, 4, 16, 43, 100, 1000]), B64URL), shape: 'cursor:random' },
          { cursor: rng.chars(rng.pick([8, 44, 400]), `${BASE62}+/=`), shape: 'cursor:random-base64' },
          { cursor: 'x'.repeat(rng.pick([4096, 10_000])), shape: 'cursor:long' },
          { cursor: `eyJ${rng.chars(30, B64URL)}`, shape: 'cursor:json-prefix' },
          { cursor: rng.pick(['=', '==', '....', '%', '\u00e9', ' ', 'null', '0', '-1']), shape: 'cursor:odd' },
          { cursor: original.toUpperCase(), shape: 'cursor:case' },
          { cursor: Buffer.from(original, 'base64url').toString('base64'), shape: 'cursor:std-base64' },
        ]),
    ],
  ])();
}
