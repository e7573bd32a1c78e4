import { ScimTokenAuthorizer, refusalEvent } from '../../shared/tokens/authorize';
import { tokenView } from '../../shared/tokens/provisioning';
import { checkGroupName, configuredRoles, mayManageProvisioning, rolesFromVerifiedToken } from '../../shared/tokens/roles';
import { FakeClock } from '../support/clock';

describe('admin roles', () => {
  /** An ID token as the admin API's Authorization header carries it (the authorizer verified it; the function only reads it). */
  const idToken = (payload: Record<string, unknown>): string =>
    `Bearer ${[{ alg: 'ES256' }, payload].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.')}.c2ln`;

  it("reads the groups from the verified ID token's cognito:groups array, element by element", () => {
    expect(rolesFromVerifiedToken(idToken({ sub: 's1', 'cognito:groups': ['Owner', 'SystemAdmin'] }), 's1')).toEqual([
      'Owner',
      'SystemAdmin',
    ]);
    expect(rolesFromVerifiedToken(idToken({ sub: 's1', 'cognito:groups': ['Viewer,Owner'] }), 's1')).toEqual(['Viewer,Owner']);
  });

  it('gives no role to a token that is not the one the authorizer verified, or that carries no group list', () => {
    expect(rolesFromVerifiedToken(idToken({ sub: 'other', 'cognito:groups': ['Owner'] }), 's1')).toEqual([]);
    expect(rolesFromVerifiedToken(idToken({ sub: 's1', 'cognito:groups': 'Owner' }), 's1')).toEqual([]);
    expect(rolesFromVerifiedToken('Bearer not-a-jwt', 's1')).toEqual([]);
    expect(rolesFromVerifiedToken(undefined, 's1')).toEqual([]);
    expect(rolesFromVerifiedToken(idToken({ sub: 's1', 'cognito:groups': ['Owner'] }), undefined)).toEqual([]);
  });

  it('grants a role only to a group of exactly that name', () => {
    const allowed = ['Owner', 'SystemAdmin'];
    expect(mayManageProvisioning(['Viewer', 'SystemAdmin'], allowed)).toBe(true);
    for (const fake of ['Viewer,Owner', '[Owner]', 'Product Owner', 'SystemAdmin Viewer', 'owner', ' Owner']) {
      expect({ fake, allowed: mayManageProvisioning([fake], allowed) }).toEqual({ fake, allowed: false });
    }
    expect(mayManageProvisioning([], allowed)).toBe(false);
  });

  it('refuses to configure an admin group name with a separator (at synth and at cold start)', () => {
    for (const bad of ['Owner,Admin', '[Owner]', 'Product Owner', 'a"b', ''])
      expect(() => checkGroupName(bad)).toThrow(/must be non-empty/);
    expect(configuredRoles('Owner,SystemAdmin')).toEqual(['Owner', 'SystemAdmin']);
    expect(configuredRoles(undefined)).toEqual(['Owner', 'SystemAdmin']);
  });
});

describe('token view', () => {
  const record = {
    id: 'id1',
    name: 'Okta',
    hint: 'wxyz',
    hash: 'h',
    createdAt: '2026-11-29T10:00:00.000Z',
    expiresAt: '2027-11-29T10:00:00.000Z',
    status: 'Active' as const,
    createdBy: 'u',
  };

  it('has exactly the promised fields, never the hash', () => {
    expect(tokenView(record, new Date('2027-01-01T00:00:00Z'))).toEqual({
      id: 'id1',
      name: 'Okta',
      hint: 'wxyz',
      createdAt: '2026-11-29T10:00:00.000Z',
      expiresAt: '2027-11-29T10:00:00.000Z',
      expiresOn: '2027-11-29',
      status: 'Active',
      lastUsedAt: null,
    });
  });

  it('shows Expired by the clock before the expiry job has run', () => {
    expect(tokenView(record, new Date('2027-11-29T10:00:00Z')).status).toBe('Expired');
  });
});

describe('authorizer configuration and audit', () => {
  it('refuses a cache longer than the 5-second revocation bound', () => {
    const deps = { tokens: { getToken: async () => undefined, recordUse: async () => undefined }, clock: new FakeClock(new Date()) };
    expect(() => new ScimTokenAuthorizer({ ...deps, cacheMs: 5001 })).toThrow(RangeError);
    expect(() => new ScimTokenAuthorizer({ ...deps, cacheMs: 5000 })).not.toThrow();
  });

  it('audits a refusal with the token id and client, never the value, at the minute it happened', () => {
    const event = refusalEvent(
      { allowed: false, reason: 'expired', tokenId: 'abc' },
      { sourceIp: '203.0.113.9', userAgent: 'Okta SCIM Client 1.0.0' },
      new Date('2027-01-01T00:00:42.123Z'),
    );
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/) as unknown,
      at: '2027-01-01T00:00:00.000Z',
      actor: { type: 'scimToken', id: 'abc', sourceIp: '203.0.113.9', userAgent: 'Okta SCIM Client 1.0.0' },
      action: 'scim.authenticate',
      outcome: 'denied',
      reason: 'expired',
    });
    expect(refusalEvent({ allowed: false, reason: 'malformed' }, {}, new Date(0)).actor).toEqual({
      type: 'anonymous',
      id: 'unknown',
    });
  });

  it('makes refusals from one source IP with one reason within a minute one event (the log counts them)', () => {
    const id = (reason: 'unknown' | 'expired', ip: string, at: string): string =>
      refusalEvent({ allowed: false, reason }, { sourceIp: ip }, new Date(at)).id;
    const base = id('unknown', '198.51.100.7', '2027-01-01T10:05:00.000Z');
    expect(id('unknown', '198.51.100.7', '2027-01-01T10:05:59.999Z')).toBe(base);
    expect(id('unknown', '198.51.100.7', '2027-01-01T10:06:00.000Z')).not.toBe(base);
    expect(id('unknown', '198.51.100.8', '2027-01-01T10:05:10.000Z')).not.toBe(base);
    expect(id('expired', '198.51.100.7', '2027-01-01T10:05:10.000Z')).not.toBe(base);
  });
});
