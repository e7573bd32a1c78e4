/**
 * Issue 12's workloads: DynamoDB's own floor on this machine (bare calls, timed in the same run),
 * each filter form's calls against its plan, and search and sort at the seeded directory's size
 * (pages flat in page number, cursor walks bounded per page, delta sync exact).
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFilter } from '../../../shared/scim/filter/parse';
import type { ResourceOrder } from '../../../shared/scim/ports';
import { buildRegistry } from '../../../shared/scim/schemas/registry';
import { planMembershipTerms } from '../../../shared/scim/service/membership-terms';
import { planAccess, planCalls } from '../../../shared/scim/service/query-plan';
import { createDocumentClient } from '../../../shared/store/client';
import { INDEX, resourceKeys } from '../../../shared/store/keys';
import { label, progress, type Bench } from '../harness';

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;
const q = encodeURIComponent;
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

/** The user a seeded index i is (shared with the seeding, so that expectations are computed here). */
export const scaleUser = (i: number): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: `member${i}@example.com`,
  emails: [
    { value: `member${i}@example.com`, type: 'work', primary: true },
    ...(i % 10 === 0 ? [{ value: `alias${i}@corp.example`, type: 'other' }] : []),
  ],
  externalId: `ext-${i}`,
  title: i % 100 === 0 ? 'Director' : 'Staff',
  active: true,
});

/** The SCIM operations measured against the floor, each run once per round between the bare calls. */
export const FLOOR_OPERATIONS = [
  'GET /Users/{id} (vs floor)',
  'GET /Users?filter=userName eq (vs floor)',
  'GET /Users?filter=externalId eq (vs floor)',
  'POST /Users (vs floor)',
  'PATCH /Users (vs floor)',
  'GET /Users?cursor&count=100, no groups or meta (vs floor page)',
] as const;

/**
 * p50 of each bare DynamoDB call, in the shapes the SCIM operations use, on the bench table; in
 * the same rounds, each of FLOOR_OPERATIONS once (so both see the same load and the same warm JIT).
 */
export async function measureFloor(bench: Bench, sampleIds: readonly string[], runs: number): Promise<Record<string, number>> {
  const scimOps = async (round: number): Promise<void> => {
    const id = sampleIds[round % sampleIds.length] ?? '';
    const n = (round * 7919) % Math.max(1, sampleIds.length);
    const [a, b, c, d, e, f] = FLOOR_OPERATIONS;
    await bench.measure(a, () => bench.scim(`/Users/${id}`));
    await bench.measure(b, () => bench.scim(`/Users?filter=${q(`userName eq "member${n}@example.com"`)}`));
    await bench.measure(c, () => bench.scim(`/Users?filter=${q(`externalId eq "ext-${n}"`)}`));
    const userName = `floor.${round}.${Date.now()}@example.com`;
    await bench.measure(d, () =>
      bench.scim('/Users', {
        method: 'POST',
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName,
          externalId: `floor-${round}-${Date.now()}`,
          active: true,
          emails: [{ primary: true, type: 'work', value: userName }],
          name: { givenName: 'Floor', familyName: `Round${round}` },
        }),
      }),
    );
    await bench.measure(e, () =>
      bench.scim(`/Users/${id}`, {
        method: 'PATCH',
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Replace', path: 'name.familyName', value: `F${round}` }],
        }),
      }),
    );
    await bench.measure(f, () => bench.scim('/Users?cursor=&count=100&excludedAttributes=groups,meta'));
  };
  const db = createDocumentClient();
  const T = bench.tableName;
  const id = sampleIds[0] ?? '';
  const ms: Record<string, number[]> = {};
  const time = async (name: string, call: () => Promise<unknown>): Promise<void> => {
    const t = performance.now();
    await call();
    (ms[name] ??= []).push(performance.now() - t);
  };
  for (let i = 0; i < runs; i++) {
    await scimOps(i);
    label('floor');
    await time('GetItem', () => db.send(new GetCommand({ TableName: T, Key: resourceKeys.item('User', id), ConsistentRead: true })));
    await time('Query', () =>
      db.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.names.name,
          KeyConditionExpression: '#pk = :pk AND #sk = :sk',
          ExpressionAttributeNames: { '#pk': INDEX.names.pk, '#sk': INDEX.names.sk },
          ExpressionAttributeValues: { ':pk': resourceKeys.namesPk('User'), ':sk': 'member1@example.com' },
        }),
      ),
    );
    await time('Query (page of 100)', () =>
      db.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.listings.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INDEX.listings.pk },
          ExpressionAttributeValues: { ':pk': resourceKeys.listingPk('User') },
          Limit: 101,
        }),
      ),
    );
    await time('BatchGetItem', () =>
      db.send(
        new BatchGetCommand({
          RequestItems: { [T]: { Keys: sampleIds.slice(0, 1).map((x) => resourceKeys.item('User', x)), ConsistentRead: true } },
        }),
      ),
    );
    await time('PutItem', () => db.send(new PutCommand({ TableName: T, Item: { PK: 'FLOOR', SK: String(i), data: 'x'.repeat(600) } })));
    await time('UpdateItem', () =>
      db.send(
        new UpdateCommand({
          TableName: T,
          Key: { PK: 'FLOOR', SK: String(i) },
          UpdateExpression: 'SET #a = :a',
          ExpressionAttributeNames: { '#a': 'a' },
          ExpressionAttributeValues: { ':a': i },
        }),
      ),
    );
    // The two shapes the operations write: a create (the user, its name guard, the counter, an
    // email entry, the audit event) and an update (the user, the audit event).
    const user = {
      data: 'x'.repeat(700),
      GSI1PK: 'FLOORS',
      GSI1SK: `f${i}`,
      GSI3PK: 'FLOORS',
      GSI3SK: `f${i}`,
      GSI4PK: 'FLOORS',
      GSI4SK: `f${i}`,
    };
    const audit = { data: 'y'.repeat(300), GSI3PK: 'FLOORAUDIT', GSI3SK: `a${i}` };
    await time('TransactWriteItems (create)', () =>
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: T, Item: { PK: `FLOOR#U${i}`, SK: 'USER', ...user }, ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Put: {
                TableName: T,
                Item: { PK: `FLOOR#N${i}`, SK: 'UNIQUE', id: 'x' },
                ConditionExpression: 'attribute_not_exists(PK) OR id = :id',
                ExpressionAttributeValues: { ':id': 'x' },
              },
            },
            {
              Update: {
                TableName: T,
                Key: { PK: 'FLOOR#C', SK: 'C' },
                UpdateExpression: 'ADD #n :one',
                ExpressionAttributeNames: { '#n': 'n' },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            { Put: { TableName: T, Item: { PK: `FLOOR#U${i}`, SK: 'EMAIL#x', GSI1PK: 'FLOOREMAILS', GSI1SK: `e${i}` } } },
            { Put: { TableName: T, Item: { PK: `FLOOR#A${i}`, SK: 'A', ...audit } } },
          ],
        }),
      ),
    );
    await time('TransactWriteItems (update)', () =>
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: T,
                Item: { PK: `FLOOR#U${i}`, SK: 'USER', ...user, version: 2 },
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
            { Put: { TableName: T, Item: { PK: `FLOOR#B${i}`, SK: 'A', ...audit } } },
          ],
        }),
      ),
    );
    label('bench');
  }
  db.destroy();
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(percentile(v, 50) * 100) / 100]));
}

/** The filter forms of the planner, each measured on its first page (no groups: only the plan's reads). */
export function filterForms(users: number): { name: string; filter: string; kind: 'User' }[] {
  const i = Math.floor(users / 2);
  return [
    { name: 'id eq', filter: '' },
    { name: 'userName eq', filter: `userName eq "member${i}@example.com"` },
    { name: 'externalId eq', filter: `externalId eq "ext-${i}"` },
    { name: 'emails.value eq (a second address)', filter: `emails.value eq "alias${i - (i % 10)}@corp.example"` },
    { name: 'userName sw', filter: `userName sw "member${String(i).slice(0, 3)}"` },
    { name: 'externalId pr', filter: 'externalId pr' },
    { name: 'emails.value sw', filter: 'emails[value sw "alias1"]' },
    { name: 'userName eq or userName eq', filter: `userName eq "member1@example.com" or userName eq "member${i}@example.com"` },
    { name: 'userName sw and title eq', filter: `userName sw "member1" and title eq "Director"` },
  ].map((f) => ({ ...f, kind: 'User' as const }));
}

export interface FilterFigure {
  name: string;
  filter: string;
  planned: Record<string, number>;
  measured: Record<string, number>;
  results: number;
}

/** Each filter form's first page (count 100, without groups or meta): its calls against its plan's. */
export async function filterPlans(bench: Bench, users: number, ids: readonly string[]): Promise<FilterFigure[]> {
  const { user } = buildRegistry();
  const byKey = (o: ResourceOrder): boolean => o === 'lastModified' || o === 'email';
  const out: FilterFigure[] = [];
  for (const form of filterForms(users)) {
    const filter = form.filter || `id eq "${ids[0] ?? ''}"`;
    const planned = planMembershipTerms(parseFilter(filter), 'User', user);
    const calls = planCalls(planAccess(planned.filter, { kind: 'User', rs: user, indexedTerms: new Set() }), byKey);
    const name = `GET /Users?filter=${form.name} (plan)`;
    let results = 0;
    for (let r = 0; r < 5; r++) {
      const { body } = await bench.measure(name, () =>
        bench.scim(`/Users?filter=${q(filter)}&count=100&cursor=&excludedAttributes=groups,meta`),
      );
      results = ((json(body).Resources as unknown[] | undefined) ?? []).length;
    }
    const sample = bench.samples.get(name)?.at(-1);
    const measured: Record<string, number> = {};
    for (const c of sample?.calls.scim ?? []) measured[c.command] = (measured[c.command] ?? 0) + 1;
    out.push({ name: form.name, filter, planned: calls, measured, results });
  }
  return out;
}

export interface ScaleFacts {
  swPages: { first: number; deep: number; pages: number };
  sortPages: { first: number; deep: number; page: number };
  coWalk: { pages: number; found: number; expected: number; maxScimReads: number };
  delta: { changed: number; returned: number; exact: boolean };
}

const reads = (bench: Bench, name: string): number => {
  const s = bench.samples.get(name)?.at(-1);
  return (s?.calls.scim ?? []).filter((c) => /^(Get|BatchGet|Query)/.test(c.command)).length;
};

/** At the seeded size: sw and sortBy pages flat in page number, a co walk bounded per page, delta sync exact. */
export async function scaleSearch(bench: Bench, users: number, ids: readonly string[]): Promise<ScaleFacts> {
  // sw by cursor: page 1 against a deep page.
  progress('  scale: sw pages by cursor…');
  let cursor = '';
  let pages = 0;
  let firstSw = NaN;
  let deepSw = NaN;
  const swDeep = Math.max(2, Math.min(50, Math.floor(users / 10 / 100)));
  for (;;) {
    pages++;
    const name =
      pages === 1
        ? 'GET /Users?filter=userName sw&cursor (page 1)'
        : pages === swDeep
          ? 'GET /Users?filter=userName sw&cursor (deep page)'
          : 'GET /Users?filter=userName sw&cursor';
    const { body } = await bench.measure(name, () =>
      bench.scim(`/Users?filter=${q('userName sw "member1"')}&count=100&excludedAttributes=groups&cursor=${q(cursor)}`),
    );
    if (pages === 1) firstSw = reads(bench, name);
    if (pages === swDeep) deepSw = reads(bench, name);
    const next = json(body).nextCursor;
    if (typeof next !== 'string' || pages >= swDeep) break;
    cursor = next;
  }

  // sortBy=userName by startIndex: page 1 against a deep page (the positions are remembered while paging).
  progress('  scale: sortBy=userName pages…');
  const deepPage = Math.max(2, Math.min(100, Math.floor(users / 100)));
  let firstSort = NaN;
  let deepSort = NaN;
  for (let page = 1; page <= deepPage; page++) {
    const name =
      page === 1
        ? 'GET /Users?sortBy=userName&startIndex (page 1)'
        : page === deepPage
          ? 'GET /Users?sortBy=userName&startIndex (deep page)'
          : 'GET /Users?sortBy=userName&startIndex';
    await bench.measure(name, () =>
      bench.scim(`/Users?sortBy=userName&startIndex=${(page - 1) * 100 + 1}&count=100&excludedAttributes=groups`),
    );
    if (page === 1) firstSort = reads(bench, name);
    if (page === deepPage) deepSort = reads(bench, name);
  }

  // A co walk through the whole directory by cursor.
  progress('  scale: co walk by cursor…');
  const expected = Array.from({ length: users }, (_, i) => i).filter((i) => i % 100 === 0).length;
  let found = 0;
  let walkPages = 0;
  let maxReads = 0;
  cursor = '';
  for (;;) {
    walkPages++;
    const { body, sample } = await bench.measure('GET /Users?filter=title co&cursor (walk page)', () =>
      bench.scim(`/Users?filter=${q('title co "irect"')}&count=100&excludedAttributes=groups,meta&cursor=${q(cursor)}`),
    );
    found += ((json(body).Resources as unknown[] | undefined) ?? []).length;
    const scimReads = (sample.calls.scim ?? []).filter((c) => c.command === 'Query').length;
    maxReads = Math.max(maxReads, scimReads);
    const next = json(body).nextCursor;
    if (typeof next !== 'string') break;
    cursor = next;
    if (walkPages % 20 === 0) progress(`  scale: co walk, page ${walkPages}, ${found} found`);
  }

  // Delta sync: the users changed after T, exactly.
  progress('  scale: meta.lastModified gt…');
  const latest = json(
    (
      await bench.measure('GET /Users?sortBy=meta.lastModified desc', () =>
        bench.scim('/Users?sortBy=meta.lastModified&sortOrder=descending&count=1&excludedAttributes=groups'),
      )
    ).body,
  );
  const t = String((latest.Resources as { meta?: { lastModified?: string } }[] | undefined)?.[0]?.meta?.lastModified ?? '');
  const wait = Date.parse(t) - Date.now() + 20;
  if (wait > 0) await sleep(wait);
  const changed = [ids[1], ids[Math.floor(ids.length / 2)], ids[ids.length - 1]].filter((x): x is string => x !== undefined);
  for (const id of changed) {
    await bench.scim(`/Users/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Changed' }],
      }),
    });
  }
  const delta = json(
    (
      await bench.measure('GET /Users?filter=meta.lastModified gt', () =>
        bench.scim(`/Users?filter=${q(`meta.lastModified gt "${t}"`)}&excludedAttributes=groups`),
      )
    ).body,
  );
  const returned = ((delta.Resources as { id?: string }[] | undefined) ?? []).map((r) => String(r.id));
  progress(`  scale: done\n`);
  return {
    swPages: { first: firstSw, deep: deepSw, pages },
    sortPages: { first: firstSort, deep: deepSort, page: deepPage },
    coWalk: { pages: walkPages, found, expected, maxScimReads: maxReads },
    delta: {
      changed: changed.length,
      returned: returned.length,
      exact: returned.length === changed.length && changed.every((c) => returned.includes(c)),
    },
  };
}
