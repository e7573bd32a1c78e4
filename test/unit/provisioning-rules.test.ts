import { ScimTokenAuthorizer, refusalEvent } from '../../shared/tokens/authorize';
import { tokenView } from '../../shared/tokens/provisioning';
import { mayManageProvisioning, rolesFromClaim } from '../../shared/tokens/roles';
import { FakeClock } from '../support/clock';

describe('admin roles', () => {
  it('reads cognito:groups in every shape API Gateway and JWTs give it', () => {
    expect(rolesFromClaim(['Owner', 'SystemAdmin'])).toEqual(['Owner', 'SystemAdmin']);
    expect(rolesFromClaim('Owner,SystemAdmin')).toEqual(['Owner', 'SystemAdmin']);
    expect(rolesFromClaim('[Owner, SystemAdmin]')).toEqual(['Owner', 'SystemAdmin']);
    expect(rolesFromClaim('Owner')).toEqual(['Owner']);
    expect(rolesFromClaim(undefined)).toEqual([]);
  });

  it('lets only the configured roles manage provisioning', () => {
    const allowed = ['Owner', 'SystemAdmin'];
    expect(mayManageProvisioning(['Viewer', 'SystemAdmin'], allowed)).toBe(true);
    expect(mayManageProvisioning(['Viewer'], allowed)).toBe(false);
    expect(mayManageProvisioning(['owner'], allowed)).toBe(false); // group names are exact
    expect(mayManageProvisioning([], allowed)).toBe(false);
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

  it('audits a refusal with the token id and client, never the value', () => {
    const event = refusalEvent(
      { allowed: false, reason: 'expired', tokenId: 'abc' },
      { sourceIp: '203.0.113.9', userAgent: 'Okta SCIM Client 1.0.0' },
      new Date('2027-01-01T00:00:00Z'),
      'e1',
    );
    expect(event).toEqual({
      id: 'e1',
      at: '2027-01-01T00:00:00.000Z',
      actor: { type: 'scimToken', id: 'abc', sourceIp: '203.0.113.9', userAgent: 'Okta SCIM Client 1.0.0' },
      action: 'scim.authenticate',
      outcome: 'denied',
      reason: 'expired',
    });
    expect(refusalEvent({ allowed: false, reason: 'malformed' }, {}, new Date(0), 'e2').actor).toEqual({
      type: 'anonymous',
      id: 'unknown',
    });
  });
});
