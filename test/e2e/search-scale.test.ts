/**
 * Search and sort beyond the in-memory bound (issue 12): with more users than MAX_SCAN, every
 * filter an index answers works by startIndex and by cursor, a filter no index answers works by
 * cursor (pages of at most MAX_READS_PER_PAGE reads), sorting by userName and meta.lastModified
 * works at any depth, and what cannot be answered is a 400 that says what to do instead. Expected
 * answers are computed here from the seeded data, not read from the service.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createDocumentClient } from '../../shared/store/client';
import { MAX_SCAN } from '../../shared/scim/limits';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import { seedUsers } from '../support/seed';
import { scimRequest, USER_SCHEMA, type Json, type ListBody } from '../support/scim-client';

const N = MAX_SCAN + 500;
const WORDS = ['alice', 'bob', 'carol', 'dave'];
const userName = (i: number): string => `${WORDS[i % 4]}.${String(i).padStart(5, '0')}@example.com`;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe(`search and sort with ${N} users`, () => {
  let stack: TestStack;
  let token: string;
  const ids: string[] = [];
  const get = async (path: string): Promise<{ status: number; body: ListBody & Json }> => {
    const res = await scimRequest({ baseUrl: stack.scimBaseUrl, token }, 'GET', path);
    return { status: res.status, body: (await res.json()) as ListBody & Json };
  };
  const list = async (filter: string, extra = ''): Promise<ListBody & Json> => {
    const { status, body } = await get(`/Users?filter=${encodeURIComponent(filter)}${extra}`);
    expect({ status, detail: body.detail }).toEqual({ status: 200, detail: undefined });
    return body;
  };
  /** Every page by cursor: the userNames in the order given, and the pages' sizes. */
  const walk = async (query: string, count: number): Promise<{ names: string[]; pages: number[]; totals: unknown[] }> => {
    const names: string[] = [];
    const pages: number[] = [];
    const totals: unknown[] = [];
    let cursor = '';
    for (let n = 0; n < 1000; n++) {
      const { status, body } = await get(`/Users?${query}&count=${count}&cursor=${encodeURIComponent(cursor)}&excludedAttributes=groups`);
      expect({ status, detail: body.detail }).toEqual({ status: 200, detail: undefined });
      const resources = body.Resources ?? [];
      expect(resources.length).toBeLessThanOrEqual(count);
      names.push(...resources.map((r) => String(r.userName)));
      pages.push(resources.length);
      totals.push(body.totalResults);
      if (typeof body.nextCursor !== 'string') return { names, pages, totals };
      cursor = body.nextCursor;
    }
    throw new Error('more than 1000 pages');
  };
  const names = Array.from({ length: N }, (_, i) => userName(i));
  const where = (test: (i: number) => boolean): string[] => names.filter((_, i) => test(i));

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
    const db = createDocumentClient();
    ids.push(
      ...(await seedUsers(db, stack.tableName, N, 'scale', undefined, (i) => ({
        schemas: [USER_SCHEMA],
        userName: userName(i),
        emails: [
          { value: userName(i), type: 'work', primary: true },
          ...(i % 10 === 0 ? [{ value: `alt${i}@Corp.example`, type: 'other' }] : []),
        ],
        ...(i % 3 === 0 ? { externalId: `ext-${i}` } : {}),
        title: i % 7 === 0 ? 'Engineer' : 'Staff',
        active: true,
      }))),
    );
    db.destroy();
  }, 240_000);
  afterAll(async () => {
    await stack.stop();
  });

  it('answers eq, or of eq, sw and pr through indexes by startIndex, with exact totals', async () => {
    const two = await list(`userName eq "${userName(0)}" or userName eq "${userName(4001)}"`);
    expect(two.totalResults).toBe(2);
    expect(new Set(two.Resources?.map((r) => r.userName))).toEqual(new Set([userName(0), userName(4001)]));

    const carol = await list('userName sw "CAROL."', '&count=10&excludedAttributes=groups');
    expect(carol.totalResults).toBe(where((i) => i % 4 === 2).length);

    const ext = await list('externalId pr', '&count=1&excludedAttributes=groups');
    expect(ext.totalResults).toBe(where((i) => i % 3 === 0).length);

    // Any address, not only the primary one; emails are compared case-insensitively.
    const alt = await list('emails.value eq "ALT100@corp.example"');
    expect(alt.Resources?.map((r) => r.userName)).toEqual([userName(100)]);
    const alts = await list('emails[value sw "alt1"]', '&count=1&excludedAttributes=groups');
    expect(alts.totalResults).toBe(where((i) => i % 10 === 0 && String(i).startsWith('1')).length);

    const both = await list(`userName sw "dave." and externalId eq "ext-${3 * 1001}"`);
    expect(both.Resources?.map((r) => r.userName)).toEqual(where((i) => i === 3003 && i % 4 === 3));
    const neither = await list(`userName sw "alice." and externalId eq "ext-${3003}"`);
    expect(neither.Resources).toEqual([]);
  });

  it('pages sw by cursor through every match exactly once, without a total it does not know', async () => {
    const { names: got, totals } = await walk(`filter=${encodeURIComponent('userName sw "bob."')}`, 500);
    expect(got).toEqual(where((i) => i % 4 === 1).sort());
    expect(totals[0]).toBeUndefined();
  });

  it('pages a filter no index answers (co, eq on title) by cursor: every match once, pages may hold fewer', async () => {
    const { names: got, pages } = await walk(`filter=${encodeURIComponent('title eq "Engineer"')}`, 1000);
    expect(new Set(got)).toEqual(new Set(where((i) => i % 7 === 0)));
    expect(got).toHaveLength(where((i) => i % 7 === 0).length);
    // A page reads at most 2,000 users: 1 in 7 of them are engineers, so no page holds 1,000.
    expect(Math.max(...pages)).toBeLessThan(1000);

    const co = await walk(`filter=${encodeURIComponent('userName co "99@"')}`, 100);
    expect(co.names.sort()).toEqual(where((i) => String(i).padStart(5, '0').endsWith('99')).sort());
  });

  it('refuses by startIndex what it would have to read whole, and says to page by cursor', async () => {
    const { status, body } = await get(`/Users?filter=${encodeURIComponent('title eq "Engineer"')}&startIndex=1&count=10`);
    expect({ status, scimType: body.scimType }).toEqual({ status: 400, scimType: 'tooMany' });
    expect(String(body.detail)).toMatch(/cursor/);
    const sorted = await get('/Users?sortBy=title&startIndex=1&count=10');
    expect({ status: sorted.status, scimType: sorted.body.scimType }).toEqual({ status: 400, scimType: 'tooMany' });
    expect(String(sorted.body.detail)).toMatch(/sort by userName, meta\.created, meta\.lastModified/);
  });

  it('sorts by userName at any depth, ascending and descending, by startIndex and by cursor', async () => {
    const ascending = [...names].sort();
    const deep = await get('/Users?sortBy=userName&startIndex=10001&count=100&excludedAttributes=groups');
    expect(deep.body.totalResults).toBe(N);
    expect(deep.body.Resources?.map((r) => r.userName)).toEqual(ascending.slice(10_000, 10_100));
    const down = await get('/Users?sortBy=userName&sortOrder=descending&count=5&excludedAttributes=groups');
    expect(down.body.Resources?.map((r) => r.userName)).toEqual([...ascending].reverse().slice(0, 5));
    const { names: all } = await walk('sortBy=userName', 1000);
    expect(all).toEqual(ascending);
  });

  it('answers meta.lastModified gt T with exactly the users changed after T (delta sync), in one index range', async () => {
    const latest = await get('/Users?sortBy=meta.lastModified&sortOrder=descending&count=1&excludedAttributes=groups');
    const t = String((latest.body.Resources?.[0]?.meta as Json | undefined)?.lastModified);
    const wait = Date.parse(t) - Date.now() + 20;
    if (wait > 0) await sleep(wait);
    const changed = [7, 4242, N - 1];
    for (const i of changed) {
      const res = await scimRequest({ baseUrl: stack.scimBaseUrl, token }, 'PATCH', `/Users/${ids[i]}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Changed' }] },
      });
      expect(res.status).toBe(200);
    }
    const delta = await list(`meta.lastModified gt "${t}"`, '&excludedAttributes=groups');
    expect(delta.totalResults).toBe(changed.length);
    expect(new Set(delta.Resources?.map((r) => r.userName))).toEqual(new Set(changed.map(userName)));
    const byCursor = await walk(`filter=${encodeURIComponent(`meta.lastModified ge "${t}"`)}&sortBy=meta.lastModified`, 2);
    expect(byCursor.names).toEqual(changed.map(userName));
  });
});
