import { randomUUID } from 'node:crypto';
import type { Actor } from '../../shared/audit/events';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { ProvisioningDisabledError, TokenLimitError } from '../../shared/tokens/ports';
import { InvalidTokenLifetimeError, ProvisioningService, TokenNotFoundError } from '../../shared/tokens/provisioning';
import { FakeClock } from '../support/clock';
import { createTestTable } from '../support/dynamo';

const owner: Actor = { type: 'admin', id: 'owner-1', display: 'owner@example.com', roles: ['Owner'] };

describe('provisioning and tokens on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let tokens: DynamoTokenRepository;
  let audit: DynamoAuditLog;
  let service: ProvisioningService;
  const clock = new FakeClock(new Date('2026-11-29T10:00:00Z'));

  beforeEach(async () => {
    table = await createTestTable();
    tokens = new DynamoTokenRepository(table.db, table.tableName);
    audit = new DynamoAuditLog(table.db, table.tableName);
    service = new ProvisioningService({ tokens, audit, clock, newEventId: randomUUID });
  });
  afterEach(() => table.destroy());

  it('starts disabled with no tokens, and refuses to generate a token while disabled', async () => {
    expect(await service.view()).toEqual({ enabled: false, tokens: [] });
    await expect(service.generate(owner, 'Okta')).rejects.toBeInstanceOf(ProvisioningDisabledError);
    expect(await tokens.listTokens()).toEqual([]);
  });

  it('generates a token valid the chosen number of days (1 to 365), and refuses any other lifetime without creating one', async () => {
    await service.setEnabled(owner, true);
    const { view } = await service.generate(owner, 'Okta', 30);
    // 2026-11-29T10:00:00Z + 30 days
    expect(view).toMatchObject({ expiresAt: '2026-12-29T10:00:00.000Z', expiresOn: '2026-12-29', status: 'Active' });
    for (const bad of [0, 366, 1.5, '30', -1]) {
      await expect(service.generate(owner, 'x', bad)).rejects.toBeInstanceOf(InvalidTokenLifetimeError);
    }
    expect(await tokens.listTokens()).toHaveLength(1);
    const { view: yearly } = await service.generate(owner, 'Entra');
    expect(yearly.expiresOn).toBe('2027-11-29'); // without a choice: one year
  });

  it('keeps the 2-token limit under 10 concurrent generate requests', async () => {
    await service.setEnabled(owner, true);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => service.generate(owner, `t${i}`)));
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(2);
    expect(rejected).toHaveLength(8);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(TokenLimitError);
    expect(await tokens.listTokens()).toHaveLength(2);
    expect((await tokens.getSettings()).activeTokens).toBe(2);
  });

  it('stores only a hash: no stored item or audit event contains the token value', async () => {
    await service.setEnabled(owner, true);
    clock.advance(1000);
    const { value, view } = await service.generate(owner, 'Entra');
    const stored = await tokens.getToken(view.id);
    expect(JSON.stringify(stored)).not.toContain(value);
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    const { events } = await audit.list({ limit: 50 });
    expect(events.map((e) => e.action)).toEqual(['token.generate', 'provisioning.enable']);
    expect(JSON.stringify(events)).not.toContain(value);
    expect(JSON.stringify(events)).not.toContain(value.slice(22, 60)); // not even the secret part
  });

  it('deletes a token (404 afterwards) and frees its place', async () => {
    await service.setEnabled(owner, true);
    const a = await service.generate(owner, 'a');
    await service.generate(owner, 'b');
    await service.deleteToken(owner, a.view.id);
    await expect(service.deleteToken(owner, a.view.id)).rejects.toBeInstanceOf(TokenNotFoundError);
    await expect(service.generate(owner, 'c')).resolves.toBeDefined();
    expect((await service.listTokens()).map((t) => t.name).sort()).toEqual(['b', 'c']);
  });

  it('deletes every token when provisioning is disabled, and none comes back on re-enable', async () => {
    await service.setEnabled(owner, true);
    await service.generate(owner, 'a');
    await service.generate(owner, 'b');
    expect(await service.setEnabled(owner, false)).toEqual({ enabled: false, tokens: [] });
    expect(await service.setEnabled(owner, true)).toEqual({ enabled: true, tokens: [] });
    expect((await tokens.getSettings()).activeTokens).toBe(0);
  });

  it('is idempotent: enabling twice changes nothing the second time, and says so in the audit log', async () => {
    await service.setEnabled(owner, true);
    clock.advance(1000);
    await service.setEnabled(owner, true);
    const { events } = await audit.list({ limit: 10 });
    expect(events.map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['provisioning.enable', 'success', 'unchanged'],
      ['provisioning.enable', 'success', undefined],
    ]);
  });

  it('frees the place of a token that expired, so a new one can be issued', async () => {
    await service.setEnabled(owner, true);
    const a = await service.generate(owner, 'a');
    await service.generate(owner, 'b');
    expect(await tokens.markExpired(a.view.id, new Date('2028-01-01T00:00:00Z'))).toBe(true);
    expect(await tokens.markExpired(a.view.id, new Date('2028-01-01T00:00:00Z'))).toBe(false); // idempotent
    await expect(service.generate(owner, 'c')).resolves.toBeDefined();
    expect(await tokens.listTokens()).toHaveLength(3);
  });

  it('pages through the audit log newest first with a cursor', async () => {
    await service.setEnabled(owner, true);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await service.recordDenied({ type: 'admin', id: `viewer-${i}`, roles: ['Viewer'] }, 'listTokens');
    }
    const first = await audit.list({ limit: 4 });
    expect(first.events.map((e) => e.actor.id)).toEqual(['viewer-4', 'viewer-3', 'viewer-2', 'viewer-1']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await audit.list({ limit: 4, cursor: first.nextCursor });
    expect(second.events.map((e) => e.actor.id)).toEqual(['viewer-0', 'owner-1']);
    await expect(audit.list({ limit: 4, cursor: 'not-a-cursor' })).rejects.toThrow('cursor');
  });
});
