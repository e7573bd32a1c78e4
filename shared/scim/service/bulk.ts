/**
 * Bulk operations (RFC 7644 section 3.7): the operations of a BulkRequest run in the order sent,
 * each through the users' or groups' own write (create, replace, patch, delete): one write path,
 * so each operation is as atomic, audited and evented as the single request it stands for. A failed
 * operation does not undo the ones before it; its result carries the SCIM error a single request
 * would have answered.
 *
 * References (section 3.7.2). "bulkId:<id>" in an operation's path (`/Groups/bulkId:qwerty`) or as
 * a whole string value anywhere in its data (a group's `members[].value`, a manager's `value`) is
 * replaced by the id the POST with that bulkId created. Only an earlier operation of the same
 * request that succeeded can have created it: operations run in order, and a reference to a bulkId
 * that no earlier POST created (none has it, a later one has it, or its POST failed or was not run)
 * fails that operation with 409 and a detail saying which of these it is.
 *
 * Circular references (section 3.7.1, e.g. two groups each a member of the other). An operation
 * that refers, directly or through other operations' references, to its own bulkId is part of a
 * cycle. The RFC lets a service provider stop after a failed attempt and answer 409 (Conflict)
 * instead of resolving it; this one decides before running anything, from the references alone:
 * every operation of a cycle answers 409 naming the cycle and is not run, so no resource of it is
 * created with a reference missing. (Resolving a cycle would mean creating a resource without its
 * references and adding them by a later write: no longer one operation, one atomic write.)
 *
 * failOnErrors: once that many operations have failed, the rest is not run and not listed.
 *
 * The request's work budget and deadline (budget.ts) are the whole request's: the operations share
 * them. When they run out, every operation not run yet answers 503 saying so (nothing of it written,
 * send it again); an operation that the budget stopped part-way answers the same (a budget refuses
 * before anything is written), unless it alone needs more than a request may do (then 400 tooMany,
 * as it would alone); one that the deadline stopped answers the writer's 503.
 */
import { BULK_ID_REFERENCE, type BulkEndpoint, type BulkOperation, type BulkOperationResult, type BulkRequest } from '../messages/bulk';
import { ScimError, scimErrorBody, type ScimErrorBody } from '../messages/error';
import { parsePatchOp, type PatchOp } from '../messages/patch-op';
import type { ResourceKind } from '../ports';
import { etagOf, locationOf, parseEtags, type Preconditions } from './meta';
import type { Written } from './users';
import { budgetOf, type RequestContext } from './writer';

/** What a bulk operation runs on: a resource type's own writes (UserService and GroupService have them). */
export interface BulkResourceService {
  create(input: unknown, ctx: RequestContext): Promise<Written>;
  replace(id: string, input: unknown, ctx: RequestContext, preconditions: Preconditions): Promise<Written>;
  patch(id: string, patch: PatchOp, ctx: RequestContext, preconditions: Preconditions): Promise<Written>;
  delete(id: string, ctx: RequestContext, preconditions: Preconditions): Promise<void>;
}

export type BulkServices = Readonly<Record<BulkEndpoint, BulkResourceService>>;

export interface BulkRunOptions {
  /** Told of an error that is not a SCIM error (the operation answers 500); never give it the operation's data. */
  onUnexpected?: (error: unknown, operation: BulkOperation) => void;
}

const KIND: Readonly<Record<BulkEndpoint, ResourceKind>> = { Users: 'User', Groups: 'Group' };
const SUCCESS: Readonly<Record<BulkOperation['method'], string>> = { POST: '201', PUT: '200', PATCH: '200', DELETE: '204' };

/** An operation with what it refers to, and the cycle it is part of (undefined: none). */
export interface PlannedOperation {
  readonly operation: BulkOperation;
  /** The bulkIds its path and data refer to, in the order they first appear. */
  readonly references: readonly string[];
  /** The bulkIds of a cycle through it, starting and ending with its own. */
  readonly cycle?: readonly string[];
}

export interface BulkPlan {
  readonly operations: readonly PlannedOperation[];
  /** Every operation with a bulkId, by it (the parser made them unique). */
  readonly byBulkId: ReadonlyMap<string, BulkOperation>;
}

/** The bulkId a value refers to, when it is a reference ("bulkId:qwerty" → "qwerty"). */
const referenceOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.startsWith(BULK_ID_REFERENCE) && value.length > BULK_ID_REFERENCE.length
    ? value.slice(BULK_ID_REFERENCE.length)
    : undefined;

/** Every reference in a value, depth first (JSON bodies are at most MAX_JSON_DEPTH deep). */
function collectReferences(value: unknown, into: Set<string>): void {
  const ref = referenceOf(value);
  if (ref !== undefined) into.add(ref);
  else if (Array.isArray(value)) for (const v of value) collectReferences(v, into);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) collectReferences(v, into);
}

/** The value with every reference replaced by the id it names (`ids` has them all). */
function substitute(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  const ref = referenceOf(value);
  if (ref !== undefined) return ids.get(ref) ?? value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, ids));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, ids)]));
  }
  return value;
}

/** The references of every operation, and the cycles among them (see the module comment). */
export function planBulk(request: BulkRequest): BulkPlan {
  const { operations } = request;
  const byBulkId = new Map<string, BulkOperation>();
  for (const op of operations) if (op.bulkId !== undefined) byBulkId.set(op.bulkId, op);
  const references = operations.map((op) => {
    const found = new Set<string>();
    collectReferences(op.id, found);
    collectReferences(op.data, found);
    return [...found];
  });
  // An edge from each operation to every POST whose bulkId it refers to (only a POST creates one).
  const edges = references.map((refs) =>
    refs.flatMap((r) => {
      const target = byBulkId.get(r);
      return target?.method === 'POST' ? [target.index] : [];
    }),
  );
  return {
    byBulkId,
    operations: operations.map((operation, i) => {
      const cycle = cycleThrough(i, edges)?.map((n) => operations[n]?.bulkId ?? '');
      return { operation, references: references[i] ?? [], ...(cycle ? { cycle } : {}) };
    }),
  };
}

/**
 * The shortest chain of references from operation `start` back to itself (breadth first), as the
 * operations' indexes, first and last `start`; undefined when there is none.
 */
function cycleThrough(start: number, edges: readonly (readonly number[])[]): number[] | undefined {
  const cameFrom = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const from = queue[head] ?? start;
    for (const to of edges[from] ?? []) {
      if (to === start) {
        const chain = [start];
        for (let at = from; at !== start; at = cameFrom.get(at) ?? start) chain.unshift(at);
        return [start, ...chain];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, from);
        queue.push(to);
      }
    }
  }
  return undefined;
}

/** The id an operation's path names, unless it is a reference (a POST's path names none). */
const plainId = (op: BulkOperation): string | undefined => (op.id !== undefined && referenceOf(op.id) === undefined ? op.id : undefined);

/** What the operations so far created: bulkId → the resource. */
type Created = Map<string, { id: string; endpoint: BulkEndpoint }>;

const failure = (op: BulkOperation, error: ScimErrorBody, location?: string): BulkOperationResult => ({
  method: op.method,
  ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}),
  ...(location !== undefined ? { location } : {}),
  status: error.status,
  response: error,
});

/** The 503 details of operations the request's deadline or work budget left unrun. */
const OUT_OF = {
  time: 'Not run: the bulk request ran out of time before this operation; nothing of it was written. Send it again in another request.',
  work: 'Not run: the bulk request used up its work budget before this operation; nothing of it was written. Send it again in another request.',
  workDuring:
    'Stopped: the bulk request used up its work budget during this operation, before it wrote anything. Send it again in another request.',
} as const;

const shownId = (bulkId: string): string => JSON.stringify(`${BULK_ID_REFERENCE}${bulkId}`.slice(0, 80));

/** Why a reference cannot be resolved: 409 with what the client can do about it. */
function unresolved(op: BulkOperation, bulkId: string, plan: BulkPlan): ScimError {
  const at = `Operations[${op.index}]`;
  const ref = shownId(bulkId);
  const target = plan.byBulkId.get(bulkId);
  if (!target) return ScimError.of(409, `${at} refers to ${ref}, but no operation of this request has that bulkId.`);
  const other = `Operations[${target.index}]`;
  if (target.method !== 'POST') {
    return ScimError.of(
      409,
      `${at} refers to ${ref}, the bulkId of a ${target.method} (${other}): only a POST creates a resource to refer to.`,
    );
  }
  if (target.index > op.index) {
    return ScimError.of(
      409,
      `${at} refers to ${ref}, which a later operation (${other}) creates: operations run in order, so put the POST before the operations that refer to it.`,
    );
  }
  return ScimError.of(409, `${at} refers to ${ref}, whose POST (${other}) failed or was not run; this operation was not run.`);
}

/** The operation's path id and data with their references replaced; 409 when one is not created (yet). */
function resolve(planned: PlannedOperation, created: Created, plan: BulkPlan): { id?: string; data?: unknown } {
  const { operation: op } = planned;
  if (planned.cycle) {
    const chain = planned.cycle.map(shownId).join(' → ');
    throw ScimError.of(
      409,
      `Operations[${op.index}] is part of a circular reference (${chain}), which this service does not resolve (RFC 7644 section 3.7.1): ` +
        'create the resources without the references first, then add them with PATCH.',
    );
  }
  const ids = new Map<string, string>();
  for (const bulkId of planned.references) {
    const made = created.get(bulkId);
    if (!made) throw unresolved(op, bulkId, plan);
    ids.set(bulkId, made.id);
  }
  const pathRef = referenceOf(op.id);
  const made = pathRef === undefined ? undefined : created.get(pathRef);
  if (made && made.endpoint !== op.endpoint) {
    throw ScimError.of(
      404,
      `Operations[${op.index}].path refers to ${shownId(pathRef ?? '')}, which is one of /${made.endpoint}, not of /${op.endpoint}.`,
    );
  }
  return {
    ...(op.id !== undefined ? { id: made?.id ?? op.id } : {}),
    ...(op.data !== undefined ? { data: ids.size > 0 ? substitute(op.data, ids) : op.data } : {}),
  };
}

/** Runs one operation through its resource type's service; a SCIM error becomes its result. */
async function runOne(
  planned: PlannedOperation,
  services: BulkServices,
  ctx: RequestContext,
  state: { created: Created; plan: BulkPlan; options: BulkRunOptions },
): Promise<BulkOperationResult> {
  const { operation: op } = planned;
  const service = services[op.endpoint];
  const kind = KIND[op.endpoint];
  const echo = op.bulkId !== undefined ? { bulkId: op.bulkId } : {};
  let id = plainId(op);
  try {
    const resolved = resolve(planned, state.created, state.plan);
    id = resolved.id;
    const version = parseEtags(op.version);
    const preconditions: Preconditions = version ? { ifMatch: version } : {};
    const written = (w: Written): BulkOperationResult => ({
      method: op.method,
      ...echo,
      version: etagOf(w.version),
      location: locationOf(ctx.baseUrl, kind, String(w.resource.id)),
      status: SUCCESS[op.method],
    });
    if (op.method === 'POST') {
      const result = await service.create(resolved.data, ctx);
      if (op.bulkId !== undefined) state.created.set(op.bulkId, { id: String(result.resource.id), endpoint: op.endpoint });
      return written(result);
    }
    const target = resolved.id ?? '';
    if (op.method === 'PUT') return written(await service.replace(target, resolved.data, ctx, preconditions));
    if (op.method === 'PATCH') return written(await service.patch(target, parsePatchOp(resolved.data), ctx, preconditions));
    await service.delete(target, ctx, preconditions);
    return { method: op.method, ...echo, location: locationOf(ctx.baseUrl, kind, target), status: SUCCESS.DELETE };
  } catch (e: unknown) {
    const location = id !== undefined ? locationOf(ctx.baseUrl, kind, id) : undefined;
    if (e instanceof ScimError) return failure(op, e.toBody(), location);
    state.options.onUnexpected?.(e, op);
    return failure(
      op,
      scimErrorBody(
        500,
        'The service failed on this operation, which may or may not have been applied: read the resource before sending it again.',
      ),
      location,
    );
  }
}

/** Runs a parsed BulkRequest (see the module comment); the results in the order of the operations run. */
export async function runBulk(
  request: BulkRequest,
  services: BulkServices,
  ctx: RequestContext,
  options: BulkRunOptions = {},
): Promise<BulkOperationResult[]> {
  const plan = planBulk(request);
  const budget = budgetOf(ctx);
  const state = { created: new Map() as Created, plan, options };
  const results: BulkOperationResult[] = [];
  let errors = 0;
  for (const planned of plan.operations) {
    const op = planned.operation;
    if (budget.expired || budget.exhausted) {
      const id = plainId(op);
      const location = id !== undefined ? locationOf(ctx.baseUrl, KIND[op.endpoint], id) : undefined;
      results.push(failure(op, scimErrorBody(503, budget.expired ? OUT_OF.time : OUT_OF.work), location));
      continue;
    }
    const usedBefore = budget.used;
    let result = await runOne(planned, services, ctx, state);
    // The budget the operations share ran out during this one, which had not all of it (a budget refuses before any write).
    if (result.response?.scimType === 'tooMany' && budget.exhausted && usedBefore > 0) {
      result = failure(op, scimErrorBody(503, OUT_OF.workDuring), result.location);
    }
    results.push(result);
    if (result.response) {
      errors += 1;
      if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break;
    }
  }
  return results;
}
