/**
 * Change events, pure: which RFC 9967 event a committed write is, what it carries in each form,
 * how dispatch leaves a failure to the stream's retry, and how a delivery is signed, retried and
 * given up. Expected URIs and signatures are written out from RFC 9967 and the Standard Webhooks
 * specification (HMAC-SHA256 over `id.timestamp.body`), not read from the code.
 */
import { createHmac } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  changedAttributes,
  changeEvent,
  changeEventId,
  type CommittedWrite,
  type ChangeEvent,
} from '../../shared/scim/events/change-event';
import { deliver, type DeliveryDeps } from '../../shared/scim/events/delivery';
import { deliverInGroups } from '../../shared/scim/events/delivery-batch';
import { dispatchChanges, type DispatchDeps, type StreamChange } from '../../shared/scim/events/dispatch';
import type { AttemptResult, Delivery, DeliveryMessage, Webhook, WebhookStore } from '../../shared/scim/events/ports';
import {
  checkWebhookTypes,
  checkWebhookUrl,
  RETRY_DELAYS_SECONDS,
  retryDelaySeconds,
  shouldDisable,
  signedHeaders,
  WebhookRuleError,
} from '../../shared/scim/events/webhook-rules';
import { passesChangeFilter, streamChange } from '../../shared/store/change-stream';

const T0 = '2026-12-01T10:00:00.000Z';
const T1 = '2026-12-01T10:05:00.000Z';
const token = { type: 'scimToken' as const, id: 'tok1' };
const user = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'ada@example.com',
  externalId: 'ext-1',
  active: true,
  ...extra,
});
const live = (resource: Record<string, unknown>, version: number, op: 'create' | 'replace' | 'patch' | 'members' = 'patch') => ({
  resource,
  version,
  deleted: false,
  lastModified: version === 1 ? T0 : T1,
  note: { op, actor: token, txn: `txn-${version}` },
});
const write = (before: CommittedWrite['before'], after: CommittedWrite['after'], kind: 'User' | 'Group' = 'User'): CommittedWrite => ({
  kind,
  id: 'u1',
  after,
  ...(before ? { before } : {}),
});

describe('changeEvent: the RFC 9967 event of a committed write', () => {
  it('a first write is prov:create, with the attributes it set (notice)', () => {
    const e = changeEvent(write(undefined, live(user(), 1, 'create')), 'notice');
    expect(e).toEqual({
      id: changeEventId('User', 'u1', 1),
      type: 'urn:ietf:params:scim:event:prov:create:notice',
      time: T0,
      resourceType: 'User',
      resourceId: 'u1',
      externalId: 'ext-1',
      version: 'W/"1"',
      sequence: 1,
      actor: token,
      txn: 'txn-1',
      attributes: ['active', 'externalId', 'userName'],
    });
  });

  it('a PUT is prov:put and a PATCH prov:patch, naming only what changed', () => {
    const before = live(user(), 1, 'create');
    expect(changeEvent(write(before, live(user({ title: 'Dr' }), 2, 'replace')), 'notice')).toMatchObject({
      type: 'urn:ietf:params:scim:event:prov:put:notice',
      attributes: ['title'],
      sequence: 2,
    });
    expect(changeEvent(write(before, live(user({ userName: 'ada2@example.com' }), 2, 'patch')), 'notice')).toMatchObject({
      type: 'urn:ietf:params:scim:event:prov:patch:notice',
      attributes: ['userName'],
    });
  });

  it('active true to false is prov:deactivate, false to true prov:activate, whatever the operation', () => {
    const on = live(user(), 3);
    const off = live(user({ active: false }), 4, 'replace');
    expect(changeEvent(write(on, off), 'notice')?.type).toBe('urn:ietf:params:scim:event:prov:deactivate');
    expect(changeEvent(write(off, { ...on, version: 5 }), 'notice')?.type).toBe('urn:ietf:params:scim:event:prov:activate');
  });

  it('a delete is prov:delete (ids only), a restore of a deleted record prov:activate', () => {
    const deleted = {
      ...live(user(), 6),
      deleted: true,
      deletedAt: '2026-12-01T11:00:00.000Z',
      note: { op: 'delete' as const, actor: token },
    };
    const del = changeEvent(write(live(user(), 5), deleted), 'notice');
    expect(del).toMatchObject({ type: 'urn:ietf:params:scim:event:prov:delete', time: '2026-12-01T11:00:00.000Z', sequence: 6 });
    expect(del?.attributes).toBeUndefined();
    const restored = changeEvent(write(deleted, { ...live(user(), 7), note: { op: 'restore', actor: token } }), 'notice');
    expect(restored?.type).toBe('urn:ietf:params:scim:event:prov:activate');
  });

  it('no event for a write that moved no version, or for bookkeeping on a deleted record', () => {
    const v = live(user(), 2);
    expect(changeEvent(write(v, { ...v }), 'notice')).toBeUndefined();
    const dead = { ...v, deleted: true };
    expect(changeEvent(write(dead, { ...dead, version: 3 }), 'notice')).toBeUndefined();
  });

  it('a membership change names the members added and removed (ids, in both forms) and attribute members', () => {
    const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Eng' };
    const after = { ...live(group, 2), note: { op: 'members' as const, actor: token, members: { added: ['u2', 'u3'], removed: ['u9'] } } };
    const e = changeEvent(write(live(group, 1), after, 'Group'), 'notice');
    expect(e).toMatchObject({
      type: 'urn:ietf:params:scim:event:prov:patch:notice',
      resourceType: 'Group',
      attributes: ['members'],
      members: { added: ['u2', 'u3'], removed: ['u9'] },
    });
  });

  it('full form carries the resource as it now is, never a password, and no attribute list', () => {
    const e = changeEvent(write(undefined, live(user({ password: 'secret!' }), 1, 'create')), 'full') as ChangeEvent;
    expect(e.type).toBe('urn:ietf:params:scim:event:prov:create:full');
    expect(e.data).toEqual({ id: 'u1', ...user() });
    expect(JSON.stringify(e)).not.toContain('secret!');
    expect(e.attributes).toBeUndefined();
  });

  it('names changed attributes of an extension by their full path', () => {
    const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(
      changedAttributes(
        user({ [ext]: { department: 'A', manager: { value: 'm1' } } }),
        user({ [ext]: { department: 'B', manager: { value: 'm1' } } }),
      ),
    ).toEqual([`${ext}:department`]);
  });

  it('gives each change one id: a UUID (version 8) of the type, id and version', () => {
    const a = changeEventId('User', 'u1', 1);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(changeEventId('User', 'u1', 1)).toBe(a);
    expect(new Set([a, changeEventId('User', 'u1', 2), changeEventId('Group', 'u1', 1)]).size).toBe(3);
  });
});

describe('the change stream: records of user and group items only', () => {
  const record = (pk: string, sk: string, eventName = 'MODIFY') => ({
    eventName,
    dynamodb: {
      SequenceNumber: '100',
      Keys: marshall({ PK: pk, SK: sk }),
      OldImage: marshall({ PK: pk, SK: sk, data: user(), version: 1, lastModified: T0 }),
      NewImage: marshall({
        PK: pk,
        SK: sk,
        data: user({ title: 'Dr' }),
        version: 2,
        lastModified: T1,
        change: { op: 'patch', actor: token },
      }),
    },
  });

  it('passes a user item and reads it as the write it was', () => {
    const r = record('USER#u1', 'USER');
    expect(passesChangeFilter(r)).toBe(true);
    const change = streamChange(r);
    expect(change.position).toBe('100');
    expect(change.write).toMatchObject({ kind: 'User', id: 'u1', before: { version: 1 }, after: { version: 2, note: { op: 'patch' } } });
  });

  it('keeps out the counter (COUNT/USER), email entries, memberships and removals', () => {
    expect(passesChangeFilter(record('COUNT', 'USER'))).toBe(false);
    expect(streamChange(record('COUNT', 'USER')).write).toBeUndefined();
    expect(passesChangeFilter(record('USER#u1', 'EMAIL#ada@example.com'))).toBe(false);
    expect(passesChangeFilter(record('GROUP#g1', 'MEMBER#U#u1'))).toBe(false);
    expect(passesChangeFilter(record('USER#u1', 'USER', 'REMOVE'))).toBe(false);
  });
});

describe('webhook rules', () => {
  it('takes https to a public host, plain http only to localhost and only locally', () => {
    expect(checkWebhookUrl('https://hooks.example.com/scim', { allowLocalHttp: false })).toBe('https://hooks.example.com/scim');
    expect(checkWebhookUrl('http://127.0.0.1:9000/h', { allowLocalHttp: true })).toBe('http://127.0.0.1:9000/h');
    for (const url of [
      'http://127.0.0.1:9000/h',
      'http://hooks.example.com',
      'https://10.1.2.3/h',
      'https://169.254.169.254/latest',
      'https://[::1]/h',
      'ftp://x.example',
      'https://u:p@hooks.example.com',
      'not a url',
      '',
    ]) {
      expect(() => checkWebhookUrl(url, { allowLocalHttp: false })).toThrow(WebhookRuleError);
    }
    expect(() => checkWebhookUrl('http://hooks.example.com', { allowLocalHttp: true })).toThrow(/localhost/);
  });

  it('takes event types from RFC 9967 only', () => {
    expect(checkWebhookTypes(['urn:ietf:params:scim:event:prov:deactivate'])).toEqual(['urn:ietf:params:scim:event:prov:deactivate']);
    expect(checkWebhookTypes(undefined)).toEqual([]);
    expect(() => checkWebhookTypes(['urn:ietf:params:scim:event:prov:create'])).toThrow(/Unknown event type/);
    expect(() => checkWebhookTypes('urn:ietf:params:scim:event:prov:delete')).toThrow(WebhookRuleError);
  });

  it('retries for more than 24 hours with growing delays, twelve attempts in all', () => {
    const total = RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    expect(RETRY_DELAYS_SECONDS.length + 1).toBe(12);
    expect(retryDelaySeconds(1)).toBe(30);
    expect(retryDelaySeconds(12)).toBeUndefined();
    for (let i = 1; i < RETRY_DELAYS_SECONDS.length; i++)
      expect(RETRY_DELAYS_SECONDS[i]).toBeGreaterThanOrEqual(RETRY_DELAYS_SECONDS[i - 1] ?? 0);
  });

  it('disables an endpoint only after 12 failures in a row over at least 24 hours', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(shouldDisable({ consecutiveFailures: 12, failingSince: '2026-12-01T11:59:00Z' }, now)).toBe(true);
    expect(shouldDisable({ consecutiveFailures: 11, failingSince: '2026-11-01T00:00:00Z' }, now)).toBe(false);
    expect(shouldDisable({ consecutiveFailures: 500, failingSince: '2026-12-02T00:00:00Z' }, now)).toBe(false);
  });

  it('signs as Standard Webhooks says: v1, base64 HMAC-SHA256 of id.timestamp.body with the base64 secret', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const secret = `whsec_${key.toString('base64')}`;
    const at = new Date('2026-12-01T10:00:00Z');
    const body = '{"id":"e1"}';
    const headers = signedHeaders(secret, 'e1', at, body);
    const expected = createHmac('sha256', key).update(`e1.${1796119200}.${body}`).digest('base64');
    expect(headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'e1',
      'webhook-timestamp': '1796119200',
      'webhook-signature': `v1,${expected}`,
    });
  });
});

describe('dispatchChanges: log once, then bus, then queue; a failure is left to the retry from where it happened', () => {
  const change = (id: string, version: number, position: string): StreamChange => ({
    position,
    write: {
      kind: 'User',
      id,
      after: live(user(), version, version === 1 ? 'create' : 'patch'),
      ...(version > 1 ? { before: live(user({ v: version }), version - 1) } : {}),
    },
  });
  const hook = (id: string, types: string[] = [], status: Webhook['status'] = 'active'): Webhook => ({
    id,
    url: 'https://h.example',
    types,
    createdAt: T0,
    createdBy: 'a',
    status,
    consecutiveFailures: 0,
  });
  const deps = (
    over: Partial<DispatchDeps> = {},
  ): DispatchDeps & { logged: string[]; bus: { put: jest.Mock }; sent: DeliveryMessage[] } => {
    const logged: string[] = [];
    const sent: DeliveryMessage[] = [];
    const d = {
      log: { append: async (e: ChangeEvent) => (logged.push(`${e.resourceId}:${e.sequence}`), true) },
      bus: { put: jest.fn(async (events: readonly ChangeEvent[]) => ({ failed: [] as number[], n: events.length })) },
      queue: { send: async (m: readonly DeliveryMessage[]) => (sent.push(...m), { failed: [] as number[] }) },
      webhooks: { list: async () => [hook('w1'), hook('w2', ['urn:ietf:params:scim:event:prov:delete']), hook('w3', [], 'disabled')] },
      clock: { now: () => new Date(T1) },
      form: 'notice' as const,
      ...over,
    };
    return Object.assign(d, { logged, sent }) as never;
  };

  it('logs each event in order per resource, puts all on the bus, and queues them for the webhooks that take their type', async () => {
    const d = deps();
    const r = await dispatchChanges([change('a', 1, 's1'), change('b', 1, 's2'), change('a', 2, 's3'), { position: 's4' }], d);
    expect(r).toMatchObject({ events: 3, logged: 3, published: 3, queued: 3 });
    expect(r.failedFrom).toBeUndefined();
    expect(d.logged.filter((x) => x.startsWith('a:'))).toEqual(['a:1', 'a:2']);
    expect(d.sent.map((m) => `${m.webhookId}/${m.resourceId}:${m.sequence}`)).toEqual(['w1/a:1', 'w1/b:1', 'w1/a:2']);
  });

  it('when the bus refuses an event (after retries), resumes from that record; nothing after it is queued', async () => {
    const d = deps();
    d.bus.put.mockImplementation(async (events: readonly ChangeEvent[]) => ({
      failed: events.map((e, i) => (e.resourceId === 'b' ? i : -1)).filter((i) => i >= 0),
    }));
    const r = await dispatchChanges([change('a', 1, 's1'), change('b', 1, 's2'), change('c', 1, 's3')], d);
    expect(r.failedFrom).toBe('s2');
    expect(d.sent.map((m) => m.resourceId)).toEqual(['a']);
    expect(d.bus.put).toHaveBeenCalledTimes(3); // the first try and two retries of the refused entry
  });

  it('when the log fails for a resource, that resource waits: the retry starts at its first unlogged event', async () => {
    const d = deps({
      log: {
        append: async (e: ChangeEvent) => {
          if (e.resourceId === 'a' && e.sequence === 2) throw new Error('throttled');
          return true;
        },
      },
    });
    const r = await dispatchChanges([change('a', 1, 's1'), change('b', 1, 's2'), change('a', 2, 's3'), change('a', 3, 's4')], d);
    expect(r.failedFrom).toBe('s3');
    expect(r.published).toBe(2);
  });

  it('an event logged before (a retried batch) is not logged again but still published', async () => {
    const d = deps({ log: { append: async () => false } });
    const r = await dispatchChanges([change('a', 1, 's1')], d);
    expect(r).toMatchObject({ logged: 0, published: 1, queued: 1 });
  });
});

describe('deliver: one attempt of one event to one webhook', () => {
  const event = changeEvent(write(undefined, live(user(), 1, 'create')), 'notice') as ChangeEvent;
  const message: DeliveryMessage = { webhookId: 'w1', eventId: event.id, resourceId: 'u1', sequence: 1 };
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const setup = (status: number | 'refused', hook: Partial<Webhook> = {}, previous?: Delivery['status']) => {
    const attempts: { result: AttemptResult; final: boolean }[] = [];
    const disabled: string[] = [];
    const posts: Record<string, string>[] = [];
    const webhook = {
      id: 'w1',
      url: 'https://h.example',
      types: [],
      createdAt: T0,
      createdBy: 'a',
      status: 'active' as const,
      consecutiveFailures: 0,
      secret,
      ...hook,
    };
    const store: Partial<WebhookStore> = {
      get: async () => webhook,
      getDelivery: async () => (previous ? ({ status: previous } as Delivery) : undefined),
      recordAttempt: async (_d, result, final) => {
        attempts.push({ result, final });
        return result.ok ? { ...webhook, consecutiveFailures: 0 } : { ...webhook, consecutiveFailures: webhook.consecutiveFailures + 1 };
      },
      skip: async () => undefined,
      disable: async (id) => (disabled.push(id), true),
    };
    const deps: DeliveryDeps = {
      webhooks: store as WebhookStore,
      log: { get: async () => event },
      post: async (_url, headers) => (posts.push(headers), status === 'refused' ? { error: 'ECONNREFUSED' } : { status }),
      clock: { now: () => new Date('2026-12-02T12:00:00Z') },
      newEventId: () => 'audit-1',
    };
    return { deps, attempts, disabled, posts };
  };

  it('a 2xx is delivered, signed with the event id as webhook-id', async () => {
    const s = setup(204);
    expect(await deliver(message, 1, s.deps)).toEqual({ kind: 'done', delivered: true });
    expect(s.posts[0]?.['webhook-id']).toBe(event.id);
    expect(s.attempts[0]).toMatchObject({ result: { ok: true, statusCode: 204 }, final: false });
  });

  it('a failure is retried after the backoff of its attempt; the last attempt fails for good', async () => {
    expect(await deliver(message, 1, setup(500).deps)).toEqual({ kind: 'retry', delaySeconds: 30 });
    expect(await deliver(message, 3, setup('refused').deps)).toEqual({ kind: 'retry', delaySeconds: 600 });
    const last = setup(503);
    expect(await deliver(message, 12, last.deps)).toEqual({ kind: 'failed' });
    expect(last.attempts[0]?.final).toBe(true);
  });

  it('a redirect is a failure (the registered URL must answer)', async () => {
    expect((await deliver(message, 1, setup(302).deps)).kind).toBe('retry');
  });

  it('never sends an event again once delivered, nor to a disabled webhook', async () => {
    const again = setup(204, {}, 'delivered');
    expect(await deliver(message, 2, again.deps)).toEqual({ kind: 'done', delivered: false });
    expect(again.posts).toHaveLength(0);
    const off = setup(204, { status: 'disabled' });
    expect(await deliver(message, 1, off.deps)).toEqual({ kind: 'done', delivered: false });
    expect(off.posts).toHaveLength(0);
  });

  it('disables an endpoint that keeps failing, audited', async () => {
    const s = setup(500, { consecutiveFailures: 11, failingSince: '2026-12-01T10:00:00Z' });
    await deliver(message, 5, s.deps);
    expect(s.disabled).toEqual(['w1']);
  });
});

describe('deliverInGroups: a FIFO batch, in order per group', () => {
  it("hands back a failed message and its group's later ones, untouched; other groups go on", async () => {
    const tried: string[] = [];
    const batch = [
      { id: 'a1', group: 'w:a' },
      { id: 'b1', group: 'w:b' },
      { id: 'a2', group: 'w:a' },
      { id: 'b2', group: 'w:b' },
      { id: 'a3', group: 'w:a' },
    ];
    const failed = await deliverInGroups(batch, async (m) => {
      tried.push(m.id);
      if (m.id === 'a2') return false;
      if (m.id === 'b2') throw new Error('boom');
      return true;
    });
    expect(failed.sort()).toEqual(['a2', 'a3', 'b2']);
    expect(tried).not.toContain('a3');
    expect(tried.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
  });
});
