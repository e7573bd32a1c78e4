import { CLIENT_SECRET_PREFIX, generateToken, parseToken, TOKEN_PREFIX, tokenMatches } from '../../shared/tokens/token';
import { ScimTokenAuthorizer } from '../../shared/tokens/authorize';
import { FakeClock } from '../support/clock';

describe('SCIM client secrets', () => {
  it('have the token form with their own prefix, so one is never taken for the other', () => {
    const secret = generateToken(undefined, CLIENT_SECRET_PREFIX);
    expect(secret.value).toMatch(/^scimcs_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$/);
    expect(parseToken(secret.value, CLIENT_SECRET_PREFIX)).toEqual({ id: secret.id });
    expect(parseToken(secret.value)).toBeUndefined();
    const token = generateToken();
    expect(parseToken(token.value, CLIENT_SECRET_PREFIX)).toBeUndefined();
    expect(parseToken(token.value, TOKEN_PREFIX)).toEqual({ id: token.id });
    // The checksum covers the prefix: re-prefixing a secret does not make a token.
    expect(parseToken(`scim_${secret.value.slice(CLIENT_SECRET_PREFIX.length)}`)).toBeUndefined();
    expect(tokenMatches(secret.value, secret.hash)).toBe(true);
  });

  it('a client record is never a bearer token, even for a value of the token form with its id', async () => {
    const token = generateToken();
    const authorizer = new ScimTokenAuthorizer({
      tokens: {
        getToken: async (id) => ({
          kind: 'client',
          id,
          name: 'c',
          hint: 'x',
          hash: token.hash,
          createdAt: '2026-01-01T00:00:00Z',
          expiresAt: '2027-01-01T00:00:00Z',
          status: 'Active',
          createdBy: 't',
        }),
        recordUse: async () => undefined,
      },
      clock: new FakeClock(new Date('2026-06-01T00:00:00Z')),
      cacheMs: 0,
    });
    expect(await authorizer.authorize(token.value)).toEqual({ allowed: false, reason: 'unknown', tokenId: token.id });
  });
});
