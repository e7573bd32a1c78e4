/**
 * Change events (RFC 9967, SCIM Profile for Security Event Tokens, section 2.4): what a committed
 * change of a user or group tells the applications that act on joiners and leavers. An event is
 * derived from committed data only, the resource's state before and after one write (the table's
 * change stream gives both), plus the note the write left on the resource (which operation, who).
 * One committed write of a resource is one event, and its id is a function of the resource and
 * the version the write made, so that a retried delivery is the same event, never a new one.
 *
 * Pure: no AWS, no clock (the time is the change's own).
 */
import { createHash } from 'node:crypto';
import type { ActorType } from '../../audit/events';
import type { ChangeNote, Resource, ResourceKind } from '../ports';
import { etagOf } from '../service/meta';
import { isObject } from '../resource/types';

const PROV = 'urn:ietf:params:scim:event:prov';

/** notice: ids and the names of the attributes that changed; full: the resource as it now is. */
export type EventForm = 'notice' | 'full';
export const EVENT_FORMS: readonly EventForm[] = ['notice', 'full'];

/** The RFC 9967 provisioning events; create, patch and put end in the form, the others have none. */
export type EventKind = 'create' | 'patch' | 'put' | 'delete' | 'activate' | 'deactivate';
const WITH_FORM: ReadonlySet<EventKind> = new Set(['create', 'patch', 'put']);

export const eventType = (kind: EventKind, form: EventForm): string =>
  WITH_FORM.has(kind) ? `${PROV}:${kind}:${form}` : `${PROV}:${kind}`;

/** Every event type URI this service sends (what a webhook's `types` and the log's `types=` may name). */
export const EVENT_TYPES: readonly string[] = [
  ...(['create', 'patch', 'put'] as const).flatMap((k) => EVENT_FORMS.map((f) => eventType(k, f))),
  eventType('delete', 'notice'),
  eventType('activate', 'notice'),
  eventType('deactivate', 'notice'),
];

export interface ChangeEvent {
  /** Unique per change (a function of resource type, id and version): the same on every delivery. */
  id: string;
  /** An RFC 9967 event URI. */
  type: string;
  /** When the change was committed (the resource's lastModified, or its deletion time). */
  time: string;
  resourceType: ResourceKind;
  resourceId: string;
  externalId?: string;
  /** The resource's ETag after the change (RFC 9967 `version`). */
  version: string;
  /** The resource's change number after the change: increases with every change of it (orders its events). */
  sequence: number;
  /** Who made the change: a SCIM token's id, an admin's subject, or the system (a background job). */
  actor: { type: ActorType; id: string };
  /** The request's audit event id (RFC 9967 `txn`): events of one request share it. */
  txn?: string;
  /** Notice form: the attributes created, changed or removed (RFC 7644 paths). */
  attributes?: string[];
  /** Full form: the resource as it now is (never a password). */
  data?: Resource;
  /** A membership change: the member ids added and removed (ids only, in both forms). */
  members?: { added: string[]; removed: string[] };
}

/** A resource as one side of a committed write saw it. */
export interface ResourceState {
  resource: Resource;
  version: number;
  deleted: boolean;
  lastModified: string;
  deletedAt?: string;
  note?: ChangeNote;
}

export interface CommittedWrite {
  kind: ResourceKind;
  id: string;
  /** Absent for a resource's first write. */
  before?: ResourceState;
  after: ResourceState;
}

/** A UUID (version 8, RFC 9562) from a SHA-256 of the change's identity: deterministic, unique per change. */
export function changeEventId(kind: ResourceKind, id: string, version: number): string {
  const h = createHash('sha256').update(`scim-change/${kind}/${id}/${version}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The attributes that differ between two representations, as RFC 7644 paths: top-level names,
 * and for an extension schema (a `urn:` key) its own attributes (`urn:…:User:manager`). Sorted.
 */
export function changedAttributes(before: Resource | undefined, after: Resource): string[] {
  const out = new Set<string>();
  const old = before ?? {};
  for (const name of new Set([...Object.keys(old), ...Object.keys(after)])) {
    if (name === 'schemas' || name === 'password') continue;
    const a = old[name];
    const b = after[name];
    if (same(a, b)) continue;
    if (name.startsWith('urn:') && (isObject(a) || a === undefined) && (isObject(b) || b === undefined)) {
      const x = a ?? {};
      const y = b ?? {};
      for (const sub of new Set([...Object.keys(x), ...Object.keys(y)])) if (!same(x[sub], y[sub])) out.add(`${name}:${sub}`);
    } else {
      out.add(name);
    }
  }
  return [...out].sort();
}

const activeOf = (r: Resource): boolean => r.active !== false;

/** Which RFC 9967 event a committed write is; undefined for writes that are not a change of a live resource. */
function kindOf(w: CommittedWrite, note: ChangeNote | undefined): EventKind | undefined {
  const { before, after } = w;
  if (before && before.version === after.version) return undefined; // not a versioned write
  if (before?.deleted && after.deleted) return undefined; // bookkeeping on a deleted record
  if (after.deleted) return 'delete';
  if (!before) return 'create';
  if (before.deleted) return 'activate'; // a restore brings the resource back
  if (w.kind === 'User' && activeOf(before.resource) && !activeOf(after.resource)) return 'deactivate';
  if (w.kind === 'User' && !activeOf(before.resource) && activeOf(after.resource)) return 'activate';
  return note?.op === 'replace' ? 'put' : 'patch';
}

const SYSTEM_ACTOR = { type: 'system' as const, id: 'scim-provisioning' };

/** The event of a committed write, in the given form; undefined when the write is not a change (see kindOf). */
export function changeEvent(w: CommittedWrite, form: EventForm): ChangeEvent | undefined {
  const note = w.after.note;
  const kind = kindOf(w, note);
  if (!kind) return undefined;
  const members = note?.members && note.members.added.length + note.members.removed.length > 0 ? note.members : undefined;
  const externalId = w.after.resource.externalId ?? w.before?.resource.externalId;
  const base: ChangeEvent = {
    id: changeEventId(w.kind, w.id, w.after.version),
    type: eventType(kind, form),
    time: kind === 'delete' ? (w.after.deletedAt ?? w.after.lastModified) : w.after.lastModified,
    resourceType: w.kind,
    resourceId: w.id,
    ...(typeof externalId === 'string' ? { externalId } : {}),
    version: etagOf(w.after.version),
    sequence: w.after.version,
    actor: note?.actor ?? SYSTEM_ACTOR,
    ...(note?.txn ? { txn: note.txn } : {}),
  };
  if (kind === 'delete') return base;
  const attributes = changedAttributes(w.before && !w.before.deleted ? w.before.resource : undefined, w.after.resource);
  if (members) attributes.push('members');
  return {
    ...base,
    ...(form === 'full' ? { data: { id: w.id, ...withoutSecrets(w.after.resource) } } : { attributes: [...new Set(attributes)].sort() }),
    ...(members ? { members: { added: [...members.added], removed: [...members.removed] } } : {}),
  };
}

function withoutSecrets(resource: Resource): Resource {
  const { password: _password, ...rest } = resource;
  return rest;
}
