/**
 * The membership cleanup job: finishes removing the memberships of deleted users and groups
 * (a group of 100,000 members is gone from SCIM at once, its member items go here, in batches,
 * within the function's time). A delete removes what it can at once and leaves its mark; the
 * job makes a last pass once the mark is SETTLE_MS old, so that a membership written by a
 * request that raced the delete (or not yet visible in the eventually consistent index when the
 * delete looked) is removed too, and only then drops the mark. A mark whose resource still
 * exists is a delete that never happened; it is dropped the same way.
 */
import type { Clock } from '../../clock';
import type { MembershipRepository, ResourceKind, ResourceRepository } from '../ports';

export const PURGE_BATCH = 5000;
/** How old a mark must be before its last pass: longer than any request, and than index lag. */
export const SETTLE_MS = 60 * 1000;

export interface CleanupReport {
  /** Deletes whose memberships were still to remove or to check when the run started (the backlog). */
  pending: number;
  finished: string[];
  /** Resources with memberships left for the next run (time ran out). */
  unfinished: string[];
  removedMemberships: number;
}

export async function runMembershipCleanup(deps: {
  memberships: MembershipRepository;
  repos: Record<ResourceKind, Pick<ResourceRepository, 'get'>>;
  clock: Clock;
  /** Milliseconds left before the function must return. */
  timeLeft: () => number;
}): Promise<CleanupReport> {
  const marks = await deps.memberships.pendingPurges();
  const report: CleanupReport = { pending: marks.length, finished: [], unfinished: [], removedMemberships: 0 };
  for (const mark of marks) {
    const target = { id: mark.id, type: mark.type };
    const settled = deps.clock.now().getTime() - Date.parse(mark.at) >= SETTLE_MS;
    if (await deps.repos[mark.type].get(mark.id)) {
      if (settled) await deps.memberships.clearPurgePending(target);
      continue;
    }
    await deps.memberships.removeEverywhere(target, deps.clock.now().toISOString());
    let more = false;
    if (mark.type === 'Group') {
      do {
        const batch = await deps.memberships.purgeGroup(mark.id, PURGE_BATCH);
        report.removedMemberships += batch.removed;
        more = batch.more;
      } while (more && deps.timeLeft() > 10_000);
    }
    if (more || !settled) {
      if (more) report.unfinished.push(`${mark.type}/${mark.id}`);
      continue;
    }
    await deps.memberships.clearPurgePending(target);
    report.finished.push(`${mark.type}/${mark.id}`);
  }
  return report;
}
