/**
 * Change events end to end, through the local pipeline (DynamoDB Local's stream, the events
 * function, the bus stand-in, the FIFO queue stand-in, the webhook sender): a webhook on a local
 * receiver, an Okta-style and an Entra-style user lifecycle and a group push, and every delivery
 * checked: one per committed change, in order per resource, the RFC 9967 types, the Standard
 * Webhooks signature verified with the secret the API returned, no personal data in notice form,
 * and a receiver that fails three times getting the event exactly once more.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import { ENTRA_CLIENT, expectScimJson, fixture, OKTA_CLIENT, scimClient, type Json } from '../support/scim-client';

const PROV = 'urn:ietf:params:scim:event:prov';
const NOTICE = {
  create: `${PROV}:create:notice`,
  put: `${PROV}:put:notice`,
  patch: `${PROV}:patch:notice`,
  delete: `${PROV}:delete`,
  activate: `${PROV}:activate`,
  deactivate: `${PROV}:deactivate`,
};

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

interface ChangeEventBody {
  id: string;
  type: string;
  resourceType: string;
  resourceId: string;
  externalId?: string;
  sequence: number;
  version: string;
  actor: { type: string; id: string };
  attributes?: string[];
  data?: unknown;
  members?: { added: string[]; removed: string[] };
}

describe('change events: webhooks, the bus and the replayable log (local pipeline)', () => {
  let stack: TestStack;
  let token: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  /** Event ids the receiver refuses (500) this many more times. */
  const failures = new Map<string, number>();
  let failNextCreate = 0;
  let secret: string;
  let webhookId: string;
  const ids: Record<string, string> = {};

  const okta = scimClient(() => ({ baseUrl: stack.scimBaseUrl, token }), OKTA_CLIENT);
  const entra = scimClient(() => ({ baseUrl: stack.scimBaseUrl, token }), ENTRA_CLIENT);
  const admin = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${stack.adminToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const delivered = (): ChangeEventBody[] => received.filter((r) => r.answered === 204).map((r) => JSON.parse(r.body) as ChangeEventBody);
  const until = async (what: string, done: () => boolean, ms = 15_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!done()) {
      if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(body) as ChangeEventBody;
        if (failNextCreate > 0 && event.type === NOTICE.create && !failures.has(event.id)) {
          failures.set(event.id, failNextCreate);
          failNextCreate = 0;
        }
        const left = failures.get(event.id) ?? 0;
        const answered = left > 0 ? 500 : 204;
        if (left > 0) failures.set(event.id, left - 1);
        received.push({ headers: req.headers, body, answered });
        res.writeHead(answered);
        res.end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', () => ok()));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/scim`;
    stack = await startTestStack({}, 0, { events: { timeScale: 0.001, settleSeconds: 1 } });
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
    await new Promise<void>((ok) => receiver.close(() => ok()));
  });

  it('registers a webhook on a local receiver and shows its signing secret once', async () => {
    const res = await admin('POST', '/webhooks', { url: receiverUrl });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ url: receiverUrl, types: [], status: 'active' });
    expect(String(body.secret)).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    secret = String(body.secret);
    webhookId = String(body.id);
    const listed = (await (await admin('GET', '/webhooks')).json()) as { webhooks: Json[] };
    expect(listed.webhooks).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it('refuses a plain-http webhook to anything but localhost, and unknown event types', async () => {
    expect((await admin('POST', '/webhooks', { url: 'http://example.com/hook' })).status).toBe(400);
    expect((await admin('POST', '/webhooks', { url: 'https://10.0.0.1/hook' })).status).toBe(400);
    const res = await admin('POST', '/webhooks', { url: receiverUrl, types: ['urn:ietf:params:scim:event:prov:create'] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).detail).toMatch(/Unknown event type/);
  });

  it('runs an Okta user lifecycle: create (refused three times by the receiver), update, deactivate, reactivate', async () => {
    failNextCreate = 3;
    const created = await expectScimJson(await okta('POST', '/Users', fixture('okta-create-user-o1.json')), 201);
    ids.okta = String(created.id);
    const replaced = { ...created, name: { givenName: 'Tess', familyName: 'User' } };
    delete (replaced as Json).meta;
    await expectScimJson(await okta('PUT', `/Users/${ids.okta}`, replaced), 200);
    await expectScimJson(await okta('PATCH', `/Users/${ids.okta}`, fixture('okta-patch-user-deactivate-o1.json')), 200);
    await expectScimJson(await okta('PATCH', `/Users/${ids.okta}`, fixture('okta-patch-reactivate-o1-e2e.json')), 200);
  });

  it('runs an Entra user lifecycle: create, PATCH Replace, disable with "False", delete', async () => {
    const created = await expectScimJson(await entra('POST', '/Users', fixture('entra-create-user-e1.json')), 201);
    ids.entra = String(created.id);
    await expectScimJson(await entra('PATCH', `/Users/${ids.entra}`, fixture('entra-patch-user-replace-multiple-e2.json')), 200);
    await expectScimJson(await entra('PATCH', `/Users/${ids.entra}`, fixture('entra-patch-user-disable-string-e2.json')), 200);
    expect((await entra('DELETE', `/Users/${ids.entra}`)).status).toBe(204);
  });

  it('makes no event of a change that failed', async () => {
    expect((await okta('POST', '/Users', fixture('okta-create-user-o1.json'))).status).toBe(409);
    expect((await entra('DELETE', `/Users/${ids.entra}`)).status).toBe(404);
  });

  it('runs an Okta group push: create the group, add a member, swap members', async () => {
    const second = await expectScimJson(
      await okta('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'second@okta.local',
        active: true,
      }),
      201,
    );
    ids.second = String(second.id);
    const group = await expectScimJson(await okta('POST', '/Groups', fixture('okta-create-group-o1.json')), 201);
    ids.group = String(group.id);
    const add = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ids.okta }] }],
    };
    expect((await okta('PATCH', `/Groups/${ids.group}`, add)).status).toBeLessThan(300);
    const swap = fixture('okta-patch-group-membership-o1.json', { USER_ID_1: ids.okta ?? '', USER_ID_2: ids.second });
    expect((await okta('PATCH', `/Groups/${ids.group}`, swap)).status).toBeLessThan(300);
  });

  it('delivers exactly one event per committed change, in order per resource, with the RFC 9967 types', async () => {
    // Okta user: 4 changes; Entra user: 4; second user: 1; group: 3.
    await until('12 deliveries', () => delivered().length >= 12);
    await stack.events?.drained();
    const events = delivered();
    expect(events).toHaveLength(12);
    expect(new Set(events.map((e) => e.id)).size).toBe(12);
    const of = (id: string | undefined): ChangeEventBody[] => events.filter((e) => e.resourceId === id);
    expect(of(ids.okta).map((e) => e.type)).toEqual([NOTICE.create, NOTICE.put, NOTICE.deactivate, NOTICE.activate]);
    expect(of(ids.entra).map((e) => e.type)).toEqual([NOTICE.create, NOTICE.patch, NOTICE.deactivate, NOTICE.delete]);
    expect(of(ids.second).map((e) => e.type)).toEqual([NOTICE.create]);
    expect(of(ids.group).map((e) => e.type)).toEqual([NOTICE.create, NOTICE.patch, NOTICE.patch]);
    for (const id of Object.values(ids)) {
      const seq = of(id).map((e) => e.sequence);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
      expect(new Set(seq).size).toBe(seq.length);
    }
    const [, added, swapped] = of(ids.group);
    expect(added?.members).toEqual({ added: [ids.okta], removed: [] });
    expect(swapped?.members).toEqual({ added: [ids.second], removed: [ids.okta] });
    expect(of(ids.okta)[0]).toMatchObject({ resourceType: 'User', externalId: '00ujl29u0le5T6Aj10h7', actor: { type: 'scimToken' } });
  });

  it('signs every delivery (Standard Webhooks), verified with the returned secret', () => {
    const verifier = new Webhook(secret);
    for (const r of received) {
      const headers = {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      };
      expect(verifier.verify(r.body, headers)).toEqual(JSON.parse(r.body));
      expect(headers['webhook-id']).toBe((JSON.parse(r.body) as ChangeEventBody).id);
      expect(() =>
        new Webhook(`whsec_${Buffer.from('another secret of 32 bytes!!!!!!').toString('base64')}`).verify(r.body, headers),
      ).toThrow();
    }
  });

  it('carries no personal data in notice form: ids and attribute names only', () => {
    const text = received.map((r) => r.body).join('\n');
    for (const personal of [
      'test.user@okta.local',
      'Tess',
      'Test_User_00aa00aa',
      'testuser.com',
      'Pvlo',
      'second@okta.local',
      'Test SCIMv2',
    ]) {
      expect(text).not.toContain(personal);
    }
    for (const e of delivered()) expect(e.data).toBeUndefined();
    const okta = delivered().filter((e) => e.resourceId === ids.okta);
    expect(okta[1]?.attributes).toEqual(['name']);
    expect(okta[2]?.attributes).toEqual(['active']);
  });

  it('gives a receiver that failed three times the event exactly once more, and records the attempts', async () => {
    const create = delivered().find((e) => e.resourceId === ids.okta && e.type === NOTICE.create);
    const attempts = received.filter((r) => (JSON.parse(r.body) as ChangeEventBody).id === create?.id);
    expect(attempts.map((a) => a.answered)).toEqual([500, 500, 500, 204]);
    // The resource's later events waited for it (FIFO per webhook and resource).
    const order = received.filter((r) => (JSON.parse(r.body) as ChangeEventBody).resourceId === ids.okta).map((r) => r.answered);
    expect(order.slice(0, 4)).toEqual([500, 500, 500, 204]);
    const res = await admin('GET', `/webhooks/${webhookId}/deliveries?limit=50`);
    const { deliveries } = (await res.json()) as {
      deliveries: { eventId: string; status: string; attempts: number; lastStatusCode: number }[];
    };
    expect(deliveries.find((d) => d.eventId === create?.id)).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 204 });
    expect(deliveries.filter((d) => d.status === 'delivered')).toHaveLength(12);
  });

  it('puts every event on the bus once, source scim-provisioning, detail-type the event type', () => {
    const bus = stack.events?.busEvents() ?? [];
    expect(bus).toHaveLength(12);
    for (const e of bus) {
      expect(e.source).toBe('scim-provisioning');
      expect(e.detailType).toBe((e.detail as ChangeEventBody).type);
    }
    expect(new Set(bus.map((e) => (e.detail as ChangeEventBody).id))).toEqual(new Set(delivered().map((e) => e.id)));
  });

  it('replays the log oldest first through nextCursor: every event once, then an empty page with a cursor to go on from', async () => {
    await new Promise((r) => setTimeout(r, 1200)); // past the settle window
    const seen: ChangeEventBody[] = [];
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const res = await admin('GET', `/events?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events: ChangeEventBody[]; nextCursor: string };
      expect(typeof body.nextCursor).toBe('string');
      cursor = body.nextCursor;
      if (body.events.length === 0) break;
      seen.push(...body.events);
    }
    expect(seen.map((e) => e.id).sort()).toEqual(
      delivered()
        .map((e) => e.id)
        .sort(),
    );
    // A new change after the stored cursor: the next call returns exactly it.
    await expectScimJson(await okta('PATCH', `/Users/${ids.second}`, fixture('okta-patch-user-deactivate-o1.json')), 200);
    await until('the new delivery', () => delivered().length >= 13);
    await new Promise((r) => setTimeout(r, 1200));
    const next = (await (await admin('GET', `/events?cursor=${encodeURIComponent(cursor)}`)).json()) as { events: ChangeEventBody[] };
    expect(next.events.map((e) => [e.resourceId, e.type])).toEqual([[ids.second, NOTICE.deactivate]]);
  });

  it('narrows the log to one resource (in sequence order) and to event types', async () => {
    const one = (await (await admin('GET', `/events?resourceId=${ids.okta}`)).json()) as { events: ChangeEventBody[] };
    expect(one.events.map((e) => e.type)).toEqual([NOTICE.create, NOTICE.put, NOTICE.deactivate, NOTICE.activate]);
    const deactivations = (await (await admin('GET', `/events?types=${encodeURIComponent(NOTICE.deactivate)}`)).json()) as {
      events: ChangeEventBody[];
    };
    expect(deactivations.events.map((e) => e.resourceId).sort()).toEqual([ids.okta, ids.entra, ids.second].sort());
    expect((await admin('GET', '/events?types=urn:x')).status).toBe(400);
    expect((await admin('GET', '/events?cursor=forged')).status).toBe(400);
  });

  it('loses nothing when the events function fails part-way: the bus refuses, the stream batch is retried, each event arrives once', async () => {
    const busBefore = stack.events?.busEvents().length ?? 0;
    const deliveredBefore = delivered().length;
    stack.events?.failBus(5); // more than the function's own three tries of an entry
    await expectScimJson(await okta('PATCH', `/Users/${ids.okta}`, fixture('okta-patch-user-deactivate-o1.json')), 200);
    await until('the retried event', () => delivered().length > deliveredBefore);
    await stack.events?.drained();
    const bus = (stack.events?.busEvents() ?? []).slice(busBefore).map((e) => e.detail as ChangeEventBody);
    expect(bus.map((e) => [e.resourceId, e.type])).toEqual([[ids.okta, NOTICE.deactivate]]);
    expect(
      delivered()
        .slice(deliveredBefore)
        .map((e) => e.id),
    ).toEqual([bus[0]?.id]);
    const log = (await (await admin('GET', `/events?resourceId=${ids.okta}`)).json()) as { events: ChangeEventBody[] };
    expect(log.events.filter((e) => e.id === bus[0]?.id)).toHaveLength(1);
  });

  it('stops deliveries to a deleted webhook', async () => {
    expect((await admin('DELETE', `/webhooks/${webhookId}`)).status).toBe(204);
    expect((await admin('DELETE', `/webhooks/${webhookId}`)).status).toBe(404);
    const before = received.length;
    await expectScimJson(await okta('PATCH', `/Users/${ids.second}`, fixture('okta-patch-reactivate-o1-e2e.json')), 200);
    await until('the bus event', () => (stack.events?.busEvents().length ?? 0) >= 15);
    await stack.events?.drained();
    expect(received.length).toBe(before);
  });
});
