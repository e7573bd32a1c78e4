/**
 * Password hashing for the writeOnly `password` attribute (RFC 7643 section 4.1.1): scrypt with a
 * random salt, stored as `scrypt$N$r$p$<salt base64>$<hash base64>` so parameters can change later.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Upper bounds on stored parameters, so a tampered hash cannot make verification exhaust memory. */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(plain: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const memoryFor = (n: number, r: number): number => 256 * n * r;

/** Hashes a cleartext password with scrypt and a fresh 16-byte salt. */
export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(plain, salt, KEY_BYTES, { N, r: R, p: P, maxmem: memoryFor(N, R) });
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

const positiveInt = (s: string | undefined, max: number): number | undefined => {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= max ? n : undefined;
};

/** Whether `plain` matches a hash made by hashPassword; false (never a throw) for a malformed hash. */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const [scheme, nRaw, rRaw, pRaw, saltRaw, hashRaw, ...extra] = stored.split('$');
  const n = positiveInt(nRaw, MAX_N);
  const r = positiveInt(rRaw, MAX_R);
  const p = positiveInt(pRaw, MAX_P);
  if (scheme !== 'scrypt' || extra.length > 0 || !n || !r || !p || !saltRaw || !hashRaw) return false;
  if ((n & (n - 1)) !== 0 || n < 2) return false;
  const salt = Buffer.from(saltRaw, 'base64');
  const expected = Buffer.from(hashRaw, 'base64');
  if (salt.length === 0 || expected.length === 0) return false;
  const actual = await derive(plain, salt, expected.length, { N: n, r, p, maxmem: memoryFor(n, r) });
  return timingSafeEqual(actual, expected);
}
