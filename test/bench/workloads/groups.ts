/**
 * Workload (c): one group grown to N members by PATCH batches of 1,000 (Entra's and Okta's batch
 * size), single adds and removes at that size, reads without members, a full read, and deletion.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../shared/store/client';
import { KEYS, membershipKeys } from '../../../shared/store/keys';
import { progress, type Bench } from '../harness';

const patch = (operations: unknown[]): string =>
  JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });

export interface GroupFacts {
  members: number;
  growMs: number;
  fullGetBytes: number;
  fullGetHasMembers: boolean;
  deleteMs: number;
  cleanupRuns: number;
  memberItemsLeft: number;
}

/** Grows a group from existing users (`users`, at least members + 2 of them). */
export async function groupScale(bench: Bench, options: { members: number; batch: number; users: string[] }): Promise<GroupFacts> {
  const db = createDocumentClient();
  const users = options.users;
  if (users.length < options.members + 2) throw new Error(`the group workload needs ${options.members + 2} users`);
  const extra = users.slice(options.members, options.members + 2);
  const json = async (res: { body: string }): Promise<Record<string, unknown>> => JSON.parse(res.body) as Record<string, unknown>;

  const created = await bench.measure('POST /Groups', () =>
    bench.scim('/Groups', {
      method: 'POST',
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Everyone', members: [] }),
    }),
  );
  const gid = String((await json(created)).id);
  const one = async (label: string, op: 'add' | 'remove', uid: string): Promise<void> => {
    await bench.measure(label, () =>
      bench.scim(`/Groups/${gid}`, {
        method: 'PATCH',
        body: patch([
          op === 'add' ? { op: 'add', path: 'members', value: [{ value: uid }] } : { op: 'remove', path: `members[value eq "${uid}"]` },
        ]),
      }),
    );
  };
  // The same single-member changes on an empty group, to compare with the full one.
  await one('PATCH /Groups add 1 member (small group)', 'add', extra[0] ?? '');
  await one('PATCH /Groups remove 1 member (small group)', 'remove', extra[0] ?? '');

  const started = performance.now();
  for (let i = 0; i < options.members; i += options.batch) {
    const batch = users.slice(i, Math.min(i + options.batch, options.members)).map((value) => ({ value }));
    const { res } = await bench.measure(`PATCH /Groups add ${options.batch} members`, () =>
      bench.scim(`/Groups/${gid}`, { method: 'PATCH', body: patch([{ op: 'add', path: 'members', value: batch }]) }),
    );
    if (res.status !== 204) throw new Error(`PATCH add batch answered ${res.status}`);
    progress(`  group members: ${Math.min(i + options.batch, options.members)} / ${options.members}`);
  }
  const growMs = performance.now() - started;
  progress(`  group of ${options.members} members built in ${(growMs / 1000).toFixed(1)} s\n`);

  for (let i = 0; i < 5; i++) {
    await one('PATCH /Groups add 1 member (large group)', 'add', extra[0] ?? '');
    await one('PATCH /Groups remove 1 member (large group)', 'remove', extra[0] ?? '');
  }
  for (let i = 0; i < 5; i++) {
    await bench.measure('GET /Groups/{id}?excludedAttributes=members', () => bench.scim(`/Groups/${gid}?excludedAttributes=members`));
    await bench.measure('GET /Groups?filter=displayName eq&excludedAttributes=members', () =>
      bench.scim(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Everyone"')}`),
    );
  }
  const full = await bench.measure('GET /Groups/{id} (full)', () => bench.scim(`/Groups/${gid}`));
  const fullBody = await json(full);

  const deleteStarted = performance.now();
  const deleted = await bench.measure('DELETE /Groups/{id} (large group)', () => bench.scim(`/Groups/${gid}`, { method: 'DELETE' }));
  const deleteMs = performance.now() - deleteStarted;
  if (deleted.res.status !== 204) throw new Error(`DELETE answered ${deleted.res.status}`);
  const gone = await bench.scim(`/Groups/${gid}`);
  if (gone.status !== 404) throw new Error(`deleted group answered ${gone.status}`);

  let cleanupRuns = 0;
  for (;;) {
    const { result } = await bench.measureWork('membership-cleanup run (background)', () => bench.stack.runMembershipCleanup());
    cleanupRuns++;
    const report = result as { unfinished: string[] };
    progress(`  cleanup run ${cleanupRuns}: ${report.unfinished.length ? 'more to do' : 'done'}`);
    if (report.unfinished.length === 0) break;
  }
  progress('\n');
  const left = await db.send(
    new QueryCommand({
      TableName: bench.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :m)',
      ExpressionAttributeNames: { '#pk': KEYS.pk, '#sk': KEYS.sk },
      ExpressionAttributeValues: { ':pk': membershipKeys.group(gid), ':m': membershipKeys.memberPrefix },
      Select: 'COUNT',
    }),
  );
  db.destroy();
  return {
    members: options.members,
    growMs,
    fullGetBytes: full.sample.bytes,
    fullGetHasMembers: Array.isArray(fullBody.members),
    deleteMs,
    cleanupRuns,
    memberItemsLeft: left.Count ?? 0,
  };
}
