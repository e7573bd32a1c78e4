import { randomUUID } from 'node:crypto';
import type { Actor } from '../../shared/audit/events';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { ScimTokenAuthorizer } from '../../shared/tokens/authorize';
import { runTokenExpiry } from '../../shared/tokens/expiry-job';
import { ProvisioningService } from '../../shared/tokens/provisioning';
import { formatToken, parseToken, randomBase62, SECRET_LENGTH } from '../../shared/tokens/token';
import { DAY_MS, FakeClock } from '../support/clock';
import { createTestTable } from '../support/dynamo';

const owner: Actor = { type: 'admin', id: 'owner-1', roles: ['Owner'] };

describe('token lifetime with a controllable clock', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let tokens: DynamoTokenRepository;
  let service: ProvisioningService;
  let clock: FakeClock;

  const authorizer = (cacheMs = 0): ScimTokenAuthorizer => new ScimTokenAuthorizer({ tokens, clock, cacheMs });

  beforeEach(async () => {
    table = await createTestTable();
    tokens = new DynamoTokenRepository(table.db, table.tableName);
    clock = new FakeClock(new Date('2026-11-29T10:00:00Z'));
    service = new ProvisioningService({ tokens, audit: new DynamoAuditLog(table.db, table.tableName), clock, newEventId: randomUUID });
    await service.setEnabled(owner, true);
  });
  afterEach(() => table.destroy());

  it('works on day 364, is refused from its expiry instant, and shows Expired after the job runs', async () => {
    const { value, view } = await service.generate(owner, 'Okta');
    expect(view).toMatchObject({ expiresAt: '2027-11-29T10:00:00.000Z', expiresOn: '2027-11-29', status: 'Active', lastUsedAt: null });

    clock.set('2027-11-28T10:00:00Z'); // day 364
    expect(await authorizer().authorize(value)).toEqual({ allowed: true, tokenId: view.id, credential: 'token' });

    clock.set('2027-11-29T10:00:00Z'); // the expiry instant: refused by the clock before the job ran
    expect(await authorizer().authorize(value)).toEqual({ allowed: false, reason: 'expired', tokenId: view.id });
    expect((await tokens.getToken(view.id))?.status).toBe('Active');
    expect((await service.listTokens())[0]?.status).toBe('Expired'); // the view tells the truth by the clock

    const report = await runTokenExpiry({ tokens, clock, retentionDays: 90 });
    expect(report.expired).toEqual([view.id]);
    const stored = await table.db.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: table.tableName, Key: { PK: 'TOKEN', SK: view.id } }),
    );
    expect(stored.Item).toMatchObject({ status: 'Expired', ttl: Date.parse('2028-02-27T10:00:00Z') / 1000 });
    expect((await runTokenExpiry({ tokens, clock, retentionDays: 90 })).expired).toEqual([]); // idempotent

    clock.set('2026-12-01T00:00:00Z'); // even with a clock set back, an Expired token stays refused
    expect(await authorizer().authorize(value)).toEqual({ allowed: false, reason: 'inactive', tokenId: view.id });
  });

  it('gives a token issued on 29 February 2028 an expiry date of 28 February 2029 (UTC)', async () => {
    clock.set('2028-02-29T23:30:00Z');
    const { view } = await service.generate(owner, 'leap');
    expect(view).toMatchObject({ createdAt: '2028-02-29T23:30:00.000Z', expiresAt: '2029-02-28T23:30:00.000Z', expiresOn: '2029-02-28' });
  });

  it('warns once per threshold before expiry (30, 7 and 1 days)', async () => {
    const { view } = await service.generate(owner, 'Entra');
    clock.set(new Date(Date.parse(view.expiresAt) - 31 * DAY_MS));
    expect((await runTokenExpiry({ tokens, clock, retentionDays: 90 })).expiringSoon).toEqual([]);

    clock.advance(2 * DAY_MS); // 29 days left
    const first = await runTokenExpiry({ tokens, clock, retentionDays: 90 });
    expect(first.expiringSoon).toEqual([expect.objectContaining({ id: view.id, daysLeft: 29, expiresOn: view.expiresOn })]);
    expect(first.newlyWarned.map((w) => w.threshold)).toEqual([30]);
    clock.advance(3600_000);
    expect((await runTokenExpiry({ tokens, clock, retentionDays: 90 })).newlyWarned).toEqual([]); // hourly runs do not repeat it

    clock.set(new Date(Date.parse(view.expiresAt) - 6 * DAY_MS));
    expect((await runTokenExpiry({ tokens, clock, retentionDays: 90 })).newlyWarned.map((w) => w.threshold)).toEqual([7]);
  });

  it('refuses a deleted token within the configured cache bound, and at once without a cache', async () => {
    const { value, view } = await service.generate(owner, 'cached');
    const cached = authorizer(5000);
    const uncached = authorizer(0);
    expect((await cached.authorize(value)).allowed).toBe(true);
    expect((await uncached.authorize(value)).allowed).toBe(true);

    await service.deleteToken(owner, view.id);
    expect((await uncached.authorize(value)).allowed).toBe(false);
    clock.advance(4999);
    expect((await cached.authorize(value)).allowed).toBe(true); // still inside the 5 s bound
    clock.advance(1);
    expect(await cached.authorize(value)).toEqual({ allowed: false, reason: 'unknown', tokenId: view.id });
  });

  it('refuses every token at once when provisioning is disabled, and they stay refused after re-enabling', async () => {
    const a = await service.generate(owner, 'a');
    const b = await service.generate(owner, 'b');
    await service.setEnabled(owner, false);
    await service.setEnabled(owner, true);
    for (const t of [a, b]) expect((await authorizer().authorize(t.value)).allowed).toBe(false);
  });

  it('refuses a well-formed token with the right id but another secret, and malformed values without a lookup', async () => {
    const { view } = await service.generate(owner, 'x');
    const forged = formatToken(view.id, randomBase62(SECRET_LENGTH));
    expect(parseToken(forged)).toEqual({ id: view.id }); // passes the checksum: only the hash tells
    expect(await authorizer().authorize(forged)).toEqual({ allowed: false, reason: 'mismatch', tokenId: view.id });
    const getToken = jest.spyOn(tokens, 'getToken');
    expect(await authorizer().authorize('scim_nonsense')).toEqual({ allowed: false, reason: 'malformed' });
    expect(await authorizer().authorize(undefined)).toEqual({ allowed: false, reason: 'missing' });
    expect(getToken).not.toHaveBeenCalled();
  });

  it('records lastUsedAt at most once a minute per token', async () => {
    const { value, view } = await service.generate(owner, 'busy');
    const auth = authorizer(0);
    await auth.authorize(value);
    const first = (await tokens.getToken(view.id))?.lastUsedAt;
    expect(first).toBe(clock.now().toISOString());
    const recordUse = jest.spyOn(tokens, 'recordUse');
    clock.advance(30_000);
    await auth.authorize(value);
    expect(recordUse).not.toHaveBeenCalled();
    expect((await tokens.getToken(view.id))?.lastUsedAt).toBe(first);
    clock.advance(30_000);
    await auth.authorize(value);
    expect(recordUse).toHaveBeenCalledTimes(1);
    expect((await tokens.getToken(view.id))?.lastUsedAt).toBe(clock.now().toISOString());
    expect((await service.listTokens())[0]?.lastUsedAt).toBe(clock.now().toISOString());
  });

  it('frees the slot of a token expired by the clock at once: a third token can be generated before the hourly job runs', async () => {
    const first = await service.generate(owner, 'First');
    clock.advance(100 * DAY_MS);
    await service.generate(owner, 'Second');
    await expect(service.generate(owner, 'Third')).rejects.toMatchObject({ name: 'TokenLimitError' });

    clock.set(first.view.expiresAt); // the first expires now; the expiry job has not run
    const third = await service.generate(owner, 'Third');
    expect(third.view.status).toBe('Active');
    const listed = await service.listTokens();
    expect(
      listed
        .filter((t) => t.status === 'Active')
        .map((t) => t.name)
        .sort(),
    ).toEqual(['Second', 'Third']);
    expect(listed.find((t) => t.id === first.view.id)?.status).toBe('Expired');
    expect((await tokens.getToken(first.view.id))?.status).toBe('Expired'); // marked, with its TTL, as the job would
    await expect(service.generate(owner, 'Fourth')).rejects.toMatchObject({ name: 'TokenLimitError' });
  });
});
