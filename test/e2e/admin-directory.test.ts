/**
 * The admin API's read-only views of the provisioned users and groups (the console's Users and
 * Groups pages): SCIM's search and paging with the admin sign-in, problem details for bad input,
 * never a SCIM token; and CORS for the console's origin only.
 */
import { CONSOLE_ORIGIN_ENV } from '../../functions/admin/config';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  createUser,
  ENTERPRISE,
  expectScimJson,
  GROUP_SCHEMA,
  OKTA_CLIENT,
  scimClient,
  USER_SCHEMA,
  type Json,
  type ScimClient,
} from '../support/scim-client';

const CONSOLE = 'https://console.example.com';

interface Page {
  totalResults: number | null;
  startIndex: number;
  itemsPerPage: number;
  nextCursor: string | null;
  users?: Json[];
  groups?: Json[];
}

describe('admin API: provisioned users and groups', () => {
  let stack: TestStack;
  let scim: ScimClient;
  let scimToken: string;
  const ids: Record<string, string> = {};

  const admin = async (path: string, init: { jwt?: string; headers?: Record<string, string> } = {}): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, { headers: { Authorization: `Bearer ${init.jwt ?? stack.adminToken}`, ...init.headers } });
  const page = async (path: string): Promise<Page> => {
    const res = await admin(path);
    expect([path, res.status]).toEqual([path, 200]);
    expect(res.headers.get('content-type')).toBe('application/json');
    return (await res.json()) as Page;
  };
  const userNames = (p: Page): string[] => (p.users ?? []).map((u) => String(u.userName));
  const q = (filter: string): string => `filter=${encodeURIComponent(filter)}`;

  beforeAll(async () => {
    stack = await startTestStack({ [CONSOLE_ORIGIN_ENV]: CONSOLE });
    scimToken = await seedToken(stack.tokens);
    scim = scimClient(() => ({ baseUrl: stack.scimBaseUrl, token: scimToken }), OKTA_CLIENT);
    const people: [string, Json][] = [
      ['ann', { name: { givenName: 'Ann', familyName: 'Lee' }, emails: [{ value: 'ann.lee@example.com', primary: true, type: 'work' }] }],
      ['bob', { name: { formatted: 'Bob Stone' }, emails: [{ value: 'bstone@corp.example' }], active: false }],
      [
        'carol',
        {
          displayName: 'Carol K',
          emails: [
            { value: 'home@carol.example', type: 'home' },
            { value: 'carol@example.com', primary: true },
          ],
        },
      ],
    ];
    for (const [userName, extra] of people) {
      const made = await createUser(scim, {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: `${userName}@example.com`,
        active: true,
        ...extra,
      });
      ids[userName] = String(made.id);
    }
    const group = await expectScimJson(
      await scim('POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Engineering',
        members: [{ value: ids.ann }, { value: ids.bob }],
      }),
      201,
    );
    ids.engineering = String(group.id);
    ids.empty = String((await expectScimJson(await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Empty' }), 201)).id);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('lists users as summaries, with SCIM paging', async () => {
    const all = await page('/users?sortBy=userName');
    expect(all).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 3, nextCursor: null });
    expect(all.users).toEqual([
      {
        id: ids.ann,
        userName: 'ann@example.com',
        name: 'Ann Lee',
        email: 'ann.lee@example.com',
        active: true,
        created: expect.any(String),
        lastModified: expect.any(String),
      },
      expect.objectContaining({ userName: 'bob@example.com', name: 'Bob Stone', email: 'bstone@corp.example', active: false }),
      expect.objectContaining({ userName: 'carol@example.com', displayName: 'Carol K', email: 'carol@example.com', active: true }),
    ]);
    // Index paging, then cursor paging (RFC 9865), as SCIM pages.
    expect(userNames(await page('/users?sortBy=userName&startIndex=2&count=1'))).toEqual(['bob@example.com']);
    const first = await page('/users?sortBy=userName&count=2&cursor=');
    expect(userNames(first)).toEqual(['ann@example.com', 'bob@example.com']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await page(`/users?sortBy=userName&count=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`);
    expect(userNames(second)).toEqual(['carol@example.com']);
    expect(second.nextCursor).toBeNull();
  });

  it('searches with SCIM filters: by userName, name or e-mail, and by active', async () => {
    expect(userNames(await page(`/users?${q('userName sw "car"')}`))).toEqual(['carol@example.com']);
    expect(userNames(await page(`/users?${q('name.familyName co "lee" or name.formatted co "lee"')}`))).toEqual(['ann@example.com']);
    expect(userNames(await page(`/users?${q('emails.value co "corp.example"')}`))).toEqual(['bob@example.com']);
    expect(userNames(await page(`/users?sortBy=userName&${q('active eq false')}`))).toEqual(['bob@example.com']);
    expect(userNames(await page(`/users?${q('userName eq "nobody@example.com"')}`))).toEqual([]);
  });

  it('shows one user with its groups, and groups with their member counts and members', async () => {
    const res = await admin(`/users/${ids.ann}`);
    expect(res.status).toBe(200);
    const ann = (await res.json()) as Json;
    expect(ann).toMatchObject({ id: ids.ann, userName: 'ann@example.com', schemas: expect.arrayContaining([USER_SCHEMA]) });
    expect(ann.groups).toEqual([expect.objectContaining({ value: ids.engineering, display: 'Engineering' })]);
    expect(ann).not.toHaveProperty('password');

    const groups = await page('/groups?sortBy=displayName');
    expect(groups).toMatchObject({ totalResults: 2, itemsPerPage: 2 });
    expect(groups.groups).toEqual([
      { id: ids.empty, displayName: 'Empty', memberCount: 0, created: expect.any(String), lastModified: expect.any(String) },
      expect.objectContaining({ id: ids.engineering, displayName: 'Engineering', memberCount: 2 }),
    ]);
    const eng = (await (await admin(`/groups/${ids.engineering}`)).json()) as Json;
    expect(eng).toMatchObject({ id: ids.engineering, displayName: 'Engineering', memberCount: 2 });
    expect(((eng.members ?? []) as Json[]).map((m) => m.value).sort()).toEqual([ids.ann, ids.bob].sort());
    expect(((await page(`/groups?${q('displayName sw "eng"')}`)).groups ?? []).map((g) => g.id)).toEqual([ids.engineering]);
  });

  it('answers bad input with problem details (the SCIM reason in detail) and unknown ids with 404', async () => {
    for (const [path, detail] of [
      [`/users?${q('userName eq')}`, 'invalidFilter'],
      [`/users?${q('nonsense eq "x"')}`, 'invalidFilter'],
      ['/users?count=0', 'count must be an integer from 1 to 200'],
      ['/users?count=201', 'count must be an integer from 1 to 200'],
      ['/users?cursor=not-a-cursor', 'invalidCursor'],
      ['/users?attributes=userName', 'Unknown query parameter "attributes"'],
      ['/groups?sortOrder=sideways', 'invalidValue'],
    ] as const) {
      const res = await admin(path);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 400, 'application/problem+json']);
      expect(await res.json()).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.stringContaining(detail) });
    }
    for (const path of ['/users/00000000-0000-4000-8000-000000000000', `/groups/${ids.ann}`]) {
      const res = await admin(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found' });
    }
  });

  it('takes an admin sign-in, never a SCIM token, and audits the reads', async () => {
    expect((await admin('/users', { jwt: scimToken })).status).toBe(401);
    expect((await fetch(`${stack.adminBaseUrl}/groups`)).status).toBe(401);
    const viewer = await stack.signAdminToken('Viewer');
    expect((await admin(`/users/${ids.bob}`, { jwt: viewer })).status).toBe(200);
    const audit = (await (await admin('/audit?limit=200')).json()) as { events: { action: string; outcome: string }[] };
    const actions = new Set(audit.events.filter((e) => e.outcome === 'success').map((e) => e.action));
    for (const action of ['user.list', 'user.view', 'group.list', 'group.view']) expect(actions).toContain(action);
  });

  it("lets the console's origin, and only it, read the answers (CORS), refusals included", async () => {
    const ok = await admin('/users', { headers: { Origin: CONSOLE } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(ok.headers.get('vary')).toContain('Origin');
    const refused = await admin('/users?count=0', { headers: { Origin: CONSOLE } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    const other = await admin('/users', { headers: { Origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
