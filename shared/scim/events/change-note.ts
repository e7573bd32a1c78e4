/**
 * The note a write leaves on the resource it changes (ChangeNote): from the write's audit event
 * when it has one (the operation is the audit action's verb, the actor its actor, the txn its id),
 * else the system's (background jobs).
 */
import type { AuditEvent } from '../../audit/events';
import type { ChangeNote } from '../ports';

const OPS: ReadonlySet<string> = new Set<ChangeNote['op']>(['create', 'replace', 'patch', 'delete', 'restore', 'members']);

export const SYSTEM_NOTE_ACTOR: ChangeNote['actor'] = { type: 'system', id: 'scim-provisioning' };

export function changeNote(op: ChangeNote['op'], options: { audit?: AuditEvent | undefined; change?: ChangeNote | undefined }): ChangeNote {
  if (options.change) return options.change;
  const audit = options.audit;
  if (!audit) return { op, actor: SYSTEM_NOTE_ACTOR };
  const verb = audit.action.slice(audit.action.lastIndexOf('.') + 1);
  return { op: OPS.has(verb) ? (verb as ChangeNote['op']) : op, actor: { type: audit.actor.type, id: audit.actor.id }, txn: audit.id };
}
