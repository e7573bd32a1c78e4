/**
 * Workload (d): the requests an attack pass found taking 27–30 s and then answering 500, each of
 * which must now answer within the request deadline (10 s): refused with 400 tooMany when it would
 * exceed the work budget, answered right when it stays within it.
 */
import { progress, type Bench } from '../harness';

const patch = (operations: unknown[]): string =>
  JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });

export interface AbuseCase {
  name: string;
  ms: number;
  status: number;
  scimType?: string;
  /** What the answer must be. */
  expected: { status: number; scimType?: string };
}

export async function abusiveRequests(bench: Bench, members: string[]): Promise<AbuseCase[]> {
  const out: AbuseCase[] = [];
  const json = (body: string): Record<string, unknown> => (body ? (JSON.parse(body) as Record<string, unknown>) : {});
  const run = async (name: string, expected: AbuseCase['expected'], request: () => Promise<Response>): Promise<void> => {
    const { res, body, sample } = await bench.measure(name, request);
    const scimType = json(body).scimType;
    out.push({ name, ms: sample.ms, status: res.status, ...(typeof scimType === 'string' ? { scimType } : {}), expected });
  };
  const post = async (path: string, body: unknown): Promise<string> => {
    const res = await bench.scim(path, { method: 'POST', body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}`);
    return String(json(await res.text()).id);
  };
  const patchTo = (path: string, operations: unknown[]): Promise<Response> =>
    bench.scim(path, { method: 'PATCH', body: patch(operations) });

  progress('  abusive requests: a user with 3,000 values…');
  // Phone numbers: email addresses are index entries, at most MAX_EMAILS of them.
  const alias = (i: number): string => `+1-555-${String(i).padStart(4, '0')}`;
  const uid = await post('/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'abuse-many-values@example.com',
    phoneNumbers: Array.from({ length: 3000 }, (_, i) => ({ value: alias(i), type: 'other' })),
  });
  await run('PATCH /Users: 1,000 filtered operations on 3,000 values', { status: 400, scimType: 'tooMany' }, () =>
    patchTo(
      `/Users/${uid}`,
      Array.from({ length: 1000 }, (_, i) => ({ op: 'replace', path: `phoneNumbers[value eq "${alias(i)}"].type`, value: 'work' })),
    ),
  );

  progress(`  abusive requests: a group of ${members.length} members…`);
  const gid = await post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Abuse everyone' });
  for (let i = 0; i < members.length; i += 1000) {
    const res = await patchTo(`/Groups/${gid}`, [
      { op: 'add', path: 'members', value: members.slice(i, i + 1000).map((value) => ({ value })) },
    ]);
    if (res.status !== 204) throw new Error(`PATCH add answered ${res.status}`);
  }
  await run(
    `PATCH /Groups: 1,000 remove members[type eq "Nobody"] on ${members.length} members`,
    { status: 400, scimType: 'tooMany' },
    () =>
      patchTo(
        `/Groups/${gid}`,
        Array.from({ length: 1000 }, () => ({ op: 'remove', path: 'members[type eq "Nobody"]' })),
      ),
  );

  progress('  abusive requests: a chain of 40 nested groups…');
  const chain: string[] = [];
  for (let i = 0; i < 40; i++)
    chain.push(await post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Abuse nest ${i}` }));
  for (let i = 0; i + 1 < chain.length; i++)
    await patchTo(`/Groups/${chain[i] ?? ''}`, [{ op: 'add', path: 'members', value: [{ value: chain[i + 1] }] }]);
  const outer = await post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Abuse outer' });
  await run('PATCH /Groups: 1,000 re-adds of a group nested 40 deep', { status: 204 }, () =>
    patchTo(
      `/Groups/${outer}`,
      Array.from({ length: 1000 }, () => ({ op: 'add', path: 'members', value: [{ value: chain[0] }] })),
    ),
  );
  progress('  abusive requests: done\n');
  return out;
}
