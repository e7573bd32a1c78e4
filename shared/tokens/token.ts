/**
 * SCIM token format and rules (pure).
 *
 * Format: `scim_<id>_<secret><checksum>`
 *  - id: 16 base62 characters (~95 bits), the lookup key; not secret.
 *  - secret: 43 base62 characters (>= 256 bits of randomness).
 *  - checksum: CRC32 of everything before it, 6 base62 characters, so secret scanners can
 *    tell a real token from a look-alike without a lookup, and typos are refused cheaply.
 * Only the SHA-256 of the whole value is stored; comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const TOKEN_PREFIX = 'scim_';
/**
 * SCIM clients' secrets (OAuth 2.0 client credentials) have the same form with their own prefix:
 * a client secret is never a well-formed SCIM token, so it cannot be used as a bearer token.
 */
export const CLIENT_SECRET_PREFIX = 'scimcs_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ID_LENGTH = 16;
export const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const patternOf = (prefix: string): RegExp =>
  new RegExp(`^${prefix}([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}})$`);
const PATTERNS: Record<string, RegExp> = {
  [TOKEN_PREFIX]: patternOf(TOKEN_PREFIX),
  [CLIENT_SECRET_PREFIX]: patternOf(CLIENT_SECRET_PREFIX),
};

/** Whether `id` has the form of a token id (16 base62 characters): anything else names no token and is never looked up. */
export function isTokenId(id: string): boolean {
  return new RegExp(`^[0-9A-Za-z]{${ID_LENGTH}}$`).test(id);
}

/** Unbiased random base62 string (rejection sampling over bytes). */
export function randomBase62(length: number, random: (n: number) => Buffer = randomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function base62Fixed(value: number, length: number): string {
  let out = '';
  let n = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function checksum(body: string): string {
  return base62Fixed(crc32(body) >>> 0, CHECKSUM_LENGTH);
}

export interface NewToken {
  id: string;
  /** The value to show once. */
  value: string;
  /** SHA-256 hex of the value: the only thing stored. */
  hash: string;
  /** Last 4 characters: a non-secret hint to tell tokens apart. */
  hint: string;
}

/** The token value for an id and a secret, checksum appended. */
export function formatToken(id: string, secret: string, prefix: string = TOKEN_PREFIX): string {
  const body = `${prefix}${id}_${secret}`;
  return body + checksum(body);
}

/** A new SCIM token (or, with CLIENT_SECRET_PREFIX, a SCIM client's id and secret). */
export function generateToken(random?: (n: number) => Buffer, prefix: string = TOKEN_PREFIX): NewToken {
  const id = randomBase62(ID_LENGTH, random);
  const value = formatToken(id, randomBase62(SECRET_LENGTH, random), prefix);
  return { id, value, hash: hashToken(value), hint: value.slice(-4) };
}

export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The id of a well-formed token with a valid checksum, or undefined. Does not prove it is genuine. */
export function parseToken(value: string, prefix: string = TOKEN_PREFIX): { id: string } | undefined {
  const m = (PATTERNS[prefix] ?? patternOf(prefix)).exec(value);
  if (!m || m[1] === undefined) return undefined;
  const body = value.slice(0, value.length - CHECKSUM_LENGTH);
  if (checksum(body) !== value.slice(-CHECKSUM_LENGTH)) return undefined;
  return { id: m[1] };
}

/** Constant-time comparison of the presented value's hash with the stored hash. */
export function tokenMatches(value: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(value), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer value of an Authorization header, or undefined. */
export function bearerValue(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
