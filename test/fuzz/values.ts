/**
 * Hostile building blocks: strings, numbers, path segments and JSON text that no schema
 * validator should choke on. JSON is written as text (`Raw` and `jsonText`), so that a body can
 * hold what JSON.stringify cannot produce from an object literal: `__proto__` keys, 1e400, 10,000
 * levels of nesting, duplicate keys.
 */
import type { Rng } from './prng';

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

/** JSON text inserted as it is. */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold `Raw` parts (objects' own keys, `__proto__` included, as they are). */
export function jsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with exactly these own keys (`__proto__` becomes an own key, not the prototype). */
export const obj = (...entries: (readonly [string, unknown])[]): Record<string, unknown> => Object.fromEntries(entries);

export const uuid = (rng: Rng): string =>
  `${rng.chars(8, HEX)}-${rng.chars(4, HEX)}-4${rng.chars(3, HEX)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.chars(3, HEX)}-${rng.chars(12, HEX)}`;

export const UNICODE = [
  'é',
  'A\u030a', // Å decomposed (NFC makes it one code point)
  'Å',
  'Ω',
  '中文名',
  'עברית',
  'العربية',
  '\u202egnp.exe', // right-to-left override
  '\u200b', // zero-width space
  '\ufeff', // BOM
  'ﬁ', // ligature (NFKC folds it)
  'ß',
  'İ', // dotted capital I: lowercases to two code points
  '\u0130\u0131',
  '😀',
  '👨‍👩‍👧‍👦', // ZWJ sequence
  '🏳️‍🌈',
  '\u0000',
  '\u0001\u001f',
  '\u007f',
  '\uffff',
  '\ufffd',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\udc00\ud800', // surrogates in the wrong order
  '\r\n',
  '\t',
];

export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '1 OR 1=1',
  '" or ""="',
  '{"$ne": null}',
  '{"$gt": ""}',
  '$where: function() { return true }',
  '{"S": "x"}',
  'attribute_exists(PK)',
  'USER#',
  'GROUP#*',
  'TOKEN#',
  '#',
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..\\..\\windows',
  '%00',
  '%s%s%s%n',
  '\\',
  '*',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

/** A string that is long, odd or both. */
export function hostileString(rng: Rng): string {
  return rng.weighted<() => string>([
    [3, () => rng.pick(UNICODE)],
    [3, () => rng.pick(INJECTIONS)],
    [2, () => `x${rng.pick(UNICODE)}${rng.pick(INJECTIONS)}`],
    [2, () => rng.chars(rng.int(0, 40), BASE62)],
    [1, () => ''],
    [1, () => ' '],
    [1, () => 'a'.repeat(rng.pick([256, 1025, 2049, 4096, 10_240]))],
    [1, () => rng.pick(UNICODE).repeat(rng.int(100, 3000))],
    [1, () => rng.chars(rng.int(1, 20), '"\\/\b\f\n\r\t{}[]:,')],
  ])();
}

/** A number that parses, or should not. */
export function hostileNumberText(rng: Rng): string {
  return rng.pick([
    '0',
    '-0',
    '1',
    '-1',
    '1.5',
    '1e3',
    '1e309',
    '-1e309',
    '1e400',
    '1e-400',
    '9007199254740993',
    '99999999999999999999999999',
    '0.0000000000000000000001',
    '2147483648',
    '4294967296',
  ]);
}

/** What a query parameter that wants an integer may be sent as. */
export function hostileIntegerParam(rng: Rng): string {
  return rng.pick([
    '-1',
    '0',
    '1',
    '2',
    '1000',
    '1001',
    '100000',
    '1e309',
    '1e3',
    '1.5',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    ' 5',
    '5 ',
    '+1',
    '-0',
    '',
    'abc',
    '9007199254740993',
    '99999999999999999999',
    '١٢', // Arabic-Indic digits
    '１０', // full-width digits
    '1,000',
    '10abc',
    'null',
    'true',
    '[1]',
    '%',
  ]);
}

/** Percent-encodes every byte of the UTF-8 of `s` except unreserved characters (lone surrogates as WTF-8 bytes). */
export function pctEncode(s: string, keep = /[A-Za-z0-9\-._~]/): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    const code = s.charCodeAt(i);
    if (code < 0x80 && keep.test(c)) {
      out += c;
      continue;
    }
    let cp = code;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i += 1;
      }
    }
    out += utf8Bytes(cp)
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join('');
  }
  return out;
}

/** The UTF-8 bytes of a code point (a lone surrogate as its three WTF-8 bytes, which is not valid UTF-8). */
function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** Encodes for a query value: like encodeURIComponent, but lone surrogates are sent too. */
export const queryEncode = (s: string): string => pctEncode(s, /[A-Za-z0-9\-._~!*'()]/);

export interface HostileSegment {
  /** The path segment(s) as sent on the request line. */
  readonly segment: string;
  readonly shape: string;
}

/**
 * A resource id in a path that no resource has: over-long, with `/`, `%2F`, `..`, unicode, NUL,
 * emoji, invalid percent escapes, injection text. `near` are real ids (of the fuzzer's own
 * resources) to make look-alikes of.
 */
export function hostileId(rng: Rng, near: readonly string[]): HostileSegment {
  const real = near.length > 0 ? rng.pick(near) : uuid(rng);
  return rng.weighted<() => HostileSegment>([
    [
      4,
      () => {
        const size = rng.pick([1024, 1025, 2048, 2049, 4096, 8192, 10_240]);
        const fill = rng.pick(['a', 'A1', BASE62, '-', '%41']);
        const text = fill === BASE62 ? rng.chars(size, BASE62) : fill.repeat(Math.ceil(size / fill.length)).slice(0, size);
        return { segment: text, shape: `id:over-long(${size})` };
      },
    ],
    [
      1,
      () => {
        const unit = pctEncode(rng.pick(UNICODE.filter((u) => u.length < 4)));
        const target = rng.pick([1024, 4096, 10_240]);
        return { segment: unit.repeat(Math.max(1, Math.floor(target / unit.length))), shape: `id:over-long-unicode(${target})` };
      },
    ],
    [
      3,
      () =>
        rng.pick([
          { segment: `${real}/x`, shape: 'id:slash' },
          { segment: `a/b/c`, shape: 'id:slash' },
          { segment: `${real}%2Fx`, shape: 'id:%2F' },
          { segment: `%2F`, shape: 'id:%2F' },
          { segment: `%2F${real}`, shape: 'id:%2F' },
          { segment: `..`, shape: 'id:dot-dot' },
          { segment: `.`, shape: 'id:dot' },
          { segment: `%2e%2e`, shape: 'id:dot-dot-encoded' },
          { segment: `..%2F..%2Fadmin%2Fv1%2Faudit`, shape: 'id:dot-dot-encoded' },
          { segment: `${real}/..`, shape: 'id:dot-dot' },
          { segment: `x/../${real}`, shape: 'id:dot-dot' },
          { segment: `%5C..%5C`, shape: 'id:backslash' },
        ]),
    ],
    [
      4,
      () => {
        const u = rng.pick(UNICODE);
        return { segment: pctEncode(`${rng.pick(['', real, 'u'])}${u}`), shape: `id:unicode(${JSON.stringify(u).slice(1, -1)})` };
      },
    ],
    [
      2,
      () =>
        rng.pick([
          { segment: '%00', shape: 'id:nul' },
          { segment: `${real}%00`, shape: 'id:nul' },
          { segment: `%00${real}`, shape: 'id:nul' },
          { segment: '%F0%9F%98%80', shape: 'id:emoji' },
          { segment: '%ED%A0%80', shape: 'id:lone-surrogate-wtf8' },
          { segment: '%FF%FE', shape: 'id:invalid-utf8' },
          { segment: '%C0%AF', shape: 'id:overlong-utf8' },
          { segment: '%', shape: 'id:bad-percent' },
          { segment: '%Z1', shape: 'id:bad-percent' },
          { segment: '%%%', shape: 'id:bad-percent' },
          { segment: `${real}%`, shape: 'id:bad-percent' },
          { segment: '%0D%0AX-Injected:%201', shape: 'id:crlf' },
          { segment: '%20', shape: 'id:space' },
          { segment: `${real}%20`, shape: 'id:trailing-space' },
          { segment: `%09${real}`, shape: 'id:tab' },
        ]),
    ],
    [3, () => ({ segment: pctEncode(rng.pick(INJECTIONS)), shape: 'id:injection' })],
    [
      3,
      () =>
        rng.pick([
          { segment: uuid(rng), shape: 'id:unknown-uuid' },
          { segment: real.toUpperCase(), shape: 'id:upper-case' },
          { segment: `${real};x=1`, shape: 'id:matrix-param' },
          { segment: `${real}.json`, shape: 'id:suffix' },
          { segment: `${real}${real}`, shape: 'id:doubled' },
          { segment: real.slice(0, -1), shape: 'id:truncated' },
          { segment: `USER%23${real}`, shape: 'id:key-prefix' },
          { segment: `GROUP%23${real}`, shape: 'id:key-prefix' },
          { segment: `%24ref`, shape: 'id:$ref' },
          { segment: `*`, shape: 'id:star' },
          { segment: `~`, shape: 'id:tilde' },
          { segment: `.search`, shape: 'id:.search' },
          { segment: `Me`, shape: 'id:Me' },
          { segment: `0`, shape: 'id:zero' },
          { segment: `-1`, shape: 'id:negative' },
          { segment: `null`, shape: 'id:null' },
          { segment: `__proto__`, shape: 'id:__proto__' },
          { segment: `constructor`, shape: 'id:constructor' },
          { segment: `hasOwnProperty`, shape: 'id:hasOwnProperty' },
        ]),
    ],
  ])();
}
