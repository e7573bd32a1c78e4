import fc from 'fast-check';
import { bearerValue, generateToken, hashToken, ID_LENGTH, parseToken, randomBase62, tokenMatches } from '../../shared/tokens/token';

describe('SCIM token format', () => {
  it('is scim_<id>_<secret+checksum> with at least 256 bits of secret', () => {
    const token = generateToken();
    expect(token.value).toMatch(/^scim_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$/);
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(256);
    expect(token.id).toHaveLength(ID_LENGTH);
    expect(token.hint).toBe(token.value.slice(-4));
    expect(token.hash).toBe(hashToken(token.value));
    expect(token.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('parses its own tokens and gives back the id', () => {
    const token = generateToken();
    expect(parseToken(token.value)).toEqual({ id: token.id });
  });

  it('refuses any single-character change through the checksum', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), (pos, ch) => {
        const { value } = generateToken();
        const i = 5 + (pos % (value.length - 5));
        fc.pre(value[i] !== '_' && value[i] !== ch);
        const changed = value.slice(0, i) + ch + value.slice(i + 1);
        return parseToken(changed) === undefined;
      }),
      { numRuns: 300 },
    );
  });

  it('refuses values of the wrong shape', () => {
    for (const bad of ['', 'scim_', 'Bearer x', `ghp_${'a'.repeat(40)}`, `scim_${'a'.repeat(16)}_${'b'.repeat(48)}`]) {
      expect(parseToken(bad)).toBeUndefined();
    }
  });

  it('compares the hash of the presented value with the stored hash', () => {
    const a = generateToken();
    const b = generateToken();
    expect(tokenMatches(a.value, a.hash)).toBe(true);
    expect(tokenMatches(b.value, a.hash)).toBe(false);
    expect(tokenMatches(a.value, 'not-hex')).toBe(false);
  });

  it('draws base62 characters without bias from the random source', () => {
    const bytes = Buffer.from([0, 61, 62, 247, 248, 255, 1]);
    let calls = 0;
    // 248..255 are rejected, so the 2 characters come from 0 and 61, then 62 (= '0') never needed.
    expect(randomBase62(2, () => (calls++ === 0 ? bytes : Buffer.alloc(4)))).toBe('0z');
  });

  it('reads the bearer value of an Authorization header, scheme case-insensitive', () => {
    expect(bearerValue('Bearer abc')).toBe('abc');
    expect(bearerValue('bearer  abc ')).toBe('abc');
    expect(bearerValue('Basic abc')).toBeUndefined();
    expect(bearerValue(undefined)).toBeUndefined();
  });
});
