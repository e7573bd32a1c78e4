import { CLIENT_SECRET_PREFIX, generateToken, parseToken, TOKEN_PREFIX, tokenMatches } from '../../shared/tokens/token';
import { ScimTokenAuthorizer } from '../../shared/tokens/authorize';
import { FakeClock } from '../support/clock';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSigner } from '../../shared/crypto/signing-key';
import { issueAccessToken } from '../../shared/tokens/access-token';
import type { TokenRecord } from '../../shared/tokens/ports';

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

describe('the SCIM authorizer with access tokens', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const urls = { issuer: 'https://oauth.example/token', audience: 'https://scim.example/scim/v2' };
  const record = (over: Partial<TokenRecord>): TokenRecord => ({
    kind: 'client',
    id: 'C'.repeat(16),
    name: 'c',
    hint: 'x',
    hash: '0'.repeat(64),
    createdAt: '2026-01-01T00:00:00Z',
    expiresAt: '2027-01-01T00:00:00Z',
    status: 'Active',
    createdBy: 't',
    ...over,
  });
  const setup = (client: TokenRecord | undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'signer-'));
    const signer = fileSigner(join(dir, 'key.pem'));
    const authorizer = new ScimTokenAuthorizer({
      tokens: { getToken: async () => client, recordUse: async () => undefined },
      clock: new FakeClock(now),
      cacheMs: 0,
      accessTokenKey: () => signer.publicKey(),
    });
    return { signer, authorizer };
  };
  const token = async (signer: ReturnType<typeof fileSigner>): Promise<string> =>
    (await issueAccessToken(signer, { ...urls, clientId: 'C'.repeat(16), now, lifetimeSeconds: 3600 })).token;

  it('allows an access token of an Active client, for this audience and issuer', async () => {
    const { signer, authorizer } = setup(record({}));
    expect(await authorizer.authorize(await token(signer), urls)).toEqual({ allowed: true, tokenId: 'C'.repeat(16), credential: 'client' });
  });

  it.each([
    ['an expired client', record({ expiresAt: '2026-05-31T23:59:59Z' }), 'expired'],
    ['a client marked Expired', record({ status: 'Expired' }), 'inactive'],
    ['a deleted client', undefined, 'unknown'],
    ['a token record under that id', record({ kind: 'token' }), 'unknown'],
  ] as const)('refuses an access token of %s', async (_what, client, reason) => {
    const { signer, authorizer } = setup(client);
    expect(await authorizer.authorize(await token(signer), urls)).toMatchObject({ allowed: false, reason });
  });

  it('refuses access tokens when no verification key is configured, or for another audience', async () => {
    const { signer, authorizer } = setup(record({}));
    const value = await token(signer);
    expect(await authorizer.authorize(value, { ...urls, audience: 'https://other.example/scim/v2' })).toMatchObject({
      allowed: false,
      reason: 'mismatch',
    });
    const keyless = new ScimTokenAuthorizer({
      tokens: { getToken: async () => record({}), recordUse: async () => undefined },
      clock: new FakeClock(now),
      cacheMs: 0,
    });
    expect(await keyless.authorize(value, urls)).toMatchObject({ allowed: false, reason: 'malformed' });
  });
});
