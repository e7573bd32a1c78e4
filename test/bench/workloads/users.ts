/**
 * Workloads (a) Okta import, (b) Entra incremental sync, (d) paging through a large directory.
 */
import { randomUUID } from 'node:crypto';
import { progress, type Bench } from '../harness';

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;
const patch = (operations: unknown[]): string =>
  JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
const q = (filter: string): string => encodeURIComponent(filter);

/** (a) Okta: connection test, then per user a userName lookup that misses and a POST, then a full listing by 100. */
export async function oktaImport(bench: Bench, users: number): Promise<string[]> {
  await bench.measure('GET /Users?startIndex=1&count=2 (Okta connection test)', () => bench.scim('/Users?startIndex=1&count=2'));
  const ids: string[] = [];
  for (let i = 0; i < users; i++) {
    const userName = `okta.user${i}@example.com`;
    await bench.measure('GET /Users?filter=userName eq (miss)', () =>
      bench.scim(`/Users?filter=${q(`userName eq "${userName}"`)}&startIndex=1&count=100`),
    );
    const { body, res } = await bench.measure('POST /Users', () =>
      bench.scim('/Users', {
        method: 'POST',
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName,
          name: { givenName: 'Okta', familyName: `User${i}` },
          emails: [{ primary: true, value: userName, type: 'work' }],
          displayName: `Okta User${i}`,
          locale: 'en-US',
          externalId: `00u${randomUUID().slice(0, 17)}`,
          groups: [],
          password: 'pass-word-1',
          active: true,
        }),
      }),
    );
    if (res.status !== 201) throw new Error(`POST /Users answered ${res.status}: ${body}`);
    ids.push(String(json(body).id));
    if (i % 50 === 0) progress(`  Okta import: ${i + 1} / ${users}`);
  }
  progress(`  Okta import: ${users} users\n`);
  for (let start = 1; ; start += 100) {
    const { body } = await bench.measure('GET /Users?startIndex=…&count=100 (Okta import page)', () =>
      bench.scim(`/Users?startIndex=${start}&count=100`),
    );
    if (start + 100 > Number(json(body).totalResults)) break;
  }
  return ids;
}

/** (b) Entra: lookups by externalId and userName, reads, and PATCHes in Entra's formats. */
export async function entraSync(bench: Bench, users: number): Promise<void> {
  for (let i = 0; i < users; i++) {
    const externalId = randomUUID();
    const userName = `entra.user${i}@contoso.example`;
    await bench.measure('GET /Users?filter=externalId eq (miss)', () => bench.scim(`/Users?filter=${q(`externalId eq ${externalId}`)}`));
    const { body } = await bench.measure('POST /Users', () =>
      bench.scim('/Users', {
        method: 'POST',
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
          externalId,
          userName,
          active: true,
          emails: [{ primary: true, type: 'work', value: userName }],
          meta: { resourceType: 'User' },
          name: { formatted: 'Given Family', familyName: 'Family', givenName: 'Given' },
          roles: [],
        }),
      }),
    );
    const id = String(json(body).id);
    await bench.measure('GET /Users?filter=externalId eq (hit)', () => bench.scim(`/Users?filter=${q(`externalId eq "${externalId}"`)}`));
    await bench.measure('GET /Users?filter=userName eq (hit)', () => bench.scim(`/Users?filter=${q(`userName eq "${userName}"`)}`));
    await bench.measure('GET /Users/{id}', () => bench.scim(`/Users/${id}`));
    await bench.measure('PATCH /Users (Entra multi-valued replace)', () =>
      bench.scim(`/Users/${id}`, {
        method: 'PATCH',
        body: patch([
          { op: 'Replace', path: 'emails[type eq "work"].value', value: `updated.${userName}` },
          { op: 'Replace', path: 'name.familyName', value: 'Updated' },
        ]),
      }),
    );
    await bench.measure('PATCH /Users (Entra path-less replace, dotted and URN keys)', () =>
      bench.scim(`/Users/${id}`, {
        method: 'PATCH',
        body: patch([
          {
            op: 'replace',
            value: {
              displayName: 'Bjfe',
              'name.givenName': 'Kkom',
              'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': String(i),
            },
          },
        ]),
      }),
    );
    await bench.measure('PATCH /Users (Entra disable, "False")', () =>
      bench.scim(`/Users/${id}`, { method: 'PATCH', body: patch([{ op: 'Replace', path: 'active', value: 'False' }]) }),
    );
    if (i % 20 === 0) progress(`  Entra sync: ${i + 1} / ${users}`);
  }
  progress(`  Entra sync: ${users} users\n`);
}

/** (d) Paging through the whole directory by startIndex (count 100) and by cursor. */
export async function paging(bench: Bench, expected: number): Promise<{ byIndex: number; byCursor: number; pages: number }> {
  // Page 1 against the last full page: a deep page must cost what page 1 costs.
  const deep = Math.max(2, Math.floor(expected / 100));
  const label = (kind: string, page: number): string =>
    `GET /Users?${kind}&count=100${page === 1 ? ' (page 1)' : page === deep ? ' (deep page)' : ''}`;
  let byIndex = 0;
  let page = 0;
  for (let start = 1; ; start += 100) {
    page++;
    const name = label('startIndex', page);
    const { body } = await bench.measure(name, () => bench.scim(`/Users?startIndex=${start}&count=100&excludedAttributes=groups`));
    const parsed = json(body);
    byIndex += (parsed.Resources as unknown[]).length;
    if (page % 50 === 0) progress(`  paging by startIndex: ${byIndex} / ${expected}`);
    if (start + 100 > Number(parsed.totalResults)) break;
  }
  progress(`  paging by startIndex: ${byIndex} users in ${page} pages\n`);
  let byCursor = 0;
  let cursor = '';
  for (let n = 1; ; n++) {
    const name = label('cursor', n);
    const { body } = await bench.measure(name, () => bench.scim(`/Users?cursor=${encodeURIComponent(cursor)}&count=100`));
    const parsed = json(body);
    byCursor += (parsed.Resources as unknown[]).length;
    if (n % 50 === 0) progress(`  paging by cursor: ${byCursor} / ${expected}`);
    if (typeof parsed.nextCursor !== 'string') break;
    cursor = parsed.nextCursor;
  }
  progress(`  paging by cursor: ${byCursor} users\n`);
  return { byIndex, byCursor, pages: page };
}
