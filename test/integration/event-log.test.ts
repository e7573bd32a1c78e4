/**
 * The event log and the webhooks on DynamoDB Local: each event logged once, read oldest first
 * across day partitions from any cursor, up to the settle horizon; webhooks at most 5, their
 * health, disabling (audited) and deliveries newest first; and the webhook sender's rules end to
 * end on the store (a failing endpoint disabled after 12 attempts over 24 hours).
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../shared/audit/events';
import type { ChangeEvent } from '../../shared/scim/events/change-event';
import { deliver } from '../../shared/scim/events/delivery';
import { WebhookLimitError, WebhookService } from '../../shared/scim/events/webhooks';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { DynamoEventLog } from '../../shared/store/event-log-repository';
import { DynamoWebhookStore } from '../../shared/store/webhook-repository';
import { FakeClock } from '../support/clock';
import { createTestTable } from '../support/dynamo';

const owner: Actor = { type: 'admin', id: 'owner-1', display: 'owner@example.com', roles: ['Owner'] };

const event = (resourceId: string, sequence: number, time: string, type = 'urn:ietf:params:scim:event:prov:patch:notice'): ChangeEvent => ({
  id: `${resourceId}-${sequence}`,
  type,
  time,
  resourceType: 'User',
  resourceId,
  version: `W/"${sequence}"`,
  sequence,
  actor: { type: 'scimToken', id: 't1' },
  attributes: ['title'],
});

describe('the event log on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let log: DynamoEventLog;
  beforeEach(async () => {
    table = await createTestTable();
    log = new DynamoEventLog(table.db, table.tableName);
  });
  afterEach(() => table.destroy());

  it('logs an event once: the same change appended again is refused and written nowhere', async () => {
    const e = event('u1', 1, '2026-12-01T10:00:00.000Z');
    expect(await log.append(e, '2026-12-01T10:00:00.100Z')).toBe(true);
    expect(await log.append(e, '2026-12-01T10:00:05.000Z')).toBe(false);
    const page = await log.list({ oldest: '2026-11-01T00:00:00Z', until: '2026-12-02T00:00:00Z', limit: 100, maxReads: 100 });
    expect(page.events).toEqual([e]);
    expect(await log.get('u1', 1)).toEqual(e);
  });

  it('reads oldest first across days from a stored cursor, never repeating or missing one, and leaves the settle window for later', async () => {
    const times = [
      '2026-11-28T23:59:59.000Z',
      '2026-11-29T00:00:01.000Z',
      '2026-11-30T12:00:00.000Z',
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T09:59:59.000Z',
    ];
    for (const [i, t] of times.entries()) await log.append(event(`u${i}`, 1, t), t);
    const until = '2026-12-01T09:30:00.000Z'; // the last one is newer than the horizon
    const seen: string[] = [];
    let after: Record<string, string> | undefined;
    for (let call = 0; call < 10; call++) {
      const page = await log.list({ oldest: '2026-11-01T00:00:00Z', until, limit: 2, maxReads: 10, ...(after ? { after } : {}) });
      seen.push(...page.events.map((e) => e.resourceId));
      after = page.next;
      if (page.events.length === 0) break;
    }
    expect(seen).toEqual(['u0', 'u1', 'u2', 'u3']);
    // The horizon moves on: the same cursor now gives the last one, once.
    const later = await log.list({
      oldest: '2026-11-01T00:00:00Z',
      until: '2026-12-01T10:30:00.000Z',
      limit: 10,
      maxReads: 10,
      ...(after ? { after } : {}),
    });
    expect(later.events.map((e) => e.resourceId)).toEqual(['u4']);
    const again = await log.list({
      oldest: '2026-11-01T00:00:00Z',
      until: '2026-12-01T10:30:00.000Z',
      limit: 10,
      maxReads: 10,
      after: later.next,
    });
    expect(again.events).toEqual([]);
  });

  it("narrows to types, and to one resource's events in sequence order", async () => {
    await log.append(event('u1', 2, '2026-12-01T10:00:02.000Z'), '2026-12-01T10:00:02.000Z');
    await log.append(
      event('u1', 1, '2026-12-01T10:00:01.000Z', 'urn:ietf:params:scim:event:prov:create:notice'),
      '2026-12-01T10:00:03.000Z',
    );
    await log.append(event('u2', 1, '2026-12-01T10:00:01.000Z', 'urn:ietf:params:scim:event:prov:deactivate'), '2026-12-01T10:00:04.000Z');
    const mine = await log.listResource('u1', { limit: 10 });
    expect(mine.events.map((e) => e.sequence)).toEqual([1, 2]);
    const next = await log.listResource('u1', { limit: 10, after: mine.next });
    expect(next.events).toEqual([]);
    const deactivations = await log.list({
      oldest: '2026-12-01T00:00:00Z',
      until: '2026-12-02T00:00:00Z',
      limit: 10,
      maxReads: 10,
      types: ['urn:ietf:params:scim:event:prov:deactivate'],
    });
    expect(deactivations.events.map((e) => e.resourceId)).toEqual(['u2']);
  });
});

describe('webhooks on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let store: DynamoWebhookStore;
  let service: WebhookService;
  let audit: DynamoAuditLog;
  const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
  beforeEach(async () => {
    table = await createTestTable();
    store = new DynamoWebhookStore(table.db, table.tableName);
    audit = new DynamoAuditLog(table.db, table.tableName);
    service = new WebhookService({ store, clock, newId: randomUUID, newEventId: randomUUID, allowLocalHttp: false });
  });
  afterEach(() => table.destroy());

  it('registers at most 5 (audited), lists them without secrets, and frees a place on delete', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await service.register(owner, { url: `https://hooks${i}.example.com/scim` })).webhook.id);
    await expect(service.register(owner, { url: 'https://six.example.com' })).rejects.toBeInstanceOf(WebhookLimitError);
    const listed = await service.list();
    expect(listed).toHaveLength(5);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect(await service.remove(owner, ids[0] ?? '')).toBe(true);
    expect(await service.remove(owner, ids[0] ?? '')).toBe(false);
    await service.register(owner, { url: 'https://six.example.com' });
    const actions = (await audit.list({ limit: 20 })).events.map((e) => e.action);
    expect(actions.filter((a) => a === 'webhook.register')).toHaveLength(6);
    expect(actions).toContain('webhook.delete');
  });

  it('disables an endpoint that failed 12 attempts in a row over 24 hours, audited, and records every attempt', async () => {
    const { webhook } = await service.register(owner, { url: 'https://down.example.com/scim' });
    const e = event('u1', 1, '2026-12-01T10:00:00.000Z');
    const log = new DynamoEventLog(table.db, table.tableName);
    await log.append(e, e.time);
    const deps = { webhooks: store, log, post: async () => ({ status: 503 }), clock, newEventId: randomUUID };
    const message = { webhookId: webhook.id, eventId: e.id, resourceId: 'u1', sequence: 1 };
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 12; attempt++) {
      outcomes.push((await deliver(message, attempt, deps)).kind);
      clock.advance(2.5 * 3600 * 1000); // 12 attempts over 27.5 hours
    }
    expect(outcomes).toEqual([...Array(11).fill('retry'), 'failed']);
    const after = await store.get(webhook.id);
    expect(after).toMatchObject({ status: 'disabled', consecutiveFailures: 12 });
    const { deliveries } = await store.deliveries(webhook.id, { limit: 10 });
    expect(deliveries).toEqual([expect.objectContaining({ eventId: e.id, status: 'failed', attempts: 12, lastStatusCode: 503 })]);
    const disabled = (await audit.list({ limit: 50 })).events.find((a) => a.action === 'webhook.disable');
    expect(disabled).toMatchObject({ actor: { type: 'system' }, target: { type: 'Webhook', id: webhook.id }, outcome: 'success' });
  });

  it('a success resets the run of failures', async () => {
    const { webhook } = await service.register(owner, { url: 'https://flaky.example.com/scim' });
    const log = new DynamoEventLog(table.db, table.tableName);
    const answers = [500, 500, 204];
    const deps = { webhooks: store, log, post: async () => ({ status: answers.shift() ?? 204 }), clock, newEventId: randomUUID };
    const e = event('u9', 1, '2026-12-01T10:00:00.000Z');
    await log.append(e, e.time);
    for (let attempt = 1; attempt <= 3; attempt++)
      await deliver({ webhookId: webhook.id, eventId: e.id, resourceId: 'u9', sequence: 1 }, attempt, deps);
    expect(await store.get(webhook.id)).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    expect((await store.deliveries(webhook.id, { limit: 5 })).deliveries[0]).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 204,
    });
  });
});
