/**
 * The PatchOp message (RFC 7644 section 3.5.2), parsed once: the operations, validated, each with
 * its path parsed (`emails[type eq "work"].value`, `members[value eq "x"]`, `name.givenName`, a
 * URN-qualified attribute or a whole extension schema). Tolerant of what identity providers send:
 * `op` in any case ("Replace"), keys in any case ("Operations", "Path"), no `schemas` at all.
 * Every consumer (the PATCH engine, the group member planner) takes this parsed form.
 */
import { parsePatchPath, type PatchPath } from '../filter';
import { MAX_PATCH_OPERATIONS } from '../limits';
import { isObject, propertyOf } from '../resource/types';
import { ScimError } from './error';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface OperationPath {
  /** As sent (trimmed): a whole schema URN is recognised against the resource type's schemas. */
  readonly text: string;
  readonly parsed: PatchPath;
}

export interface PatchOperation {
  readonly op: PatchOpName;
  /** Absent for a path-less add or replace (the value's keys are the paths). */
  readonly path?: OperationPath;
  readonly value?: unknown;
  /** Where it stands in Operations, for error details. */
  readonly index: number;
}

export interface PatchOp {
  readonly operations: readonly PatchOperation[];
}

/** Parses a PatchOp body; 400 invalidSyntax, invalidValue, invalidPath, noTarget or tooMany otherwise. */
export function parsePatchOp(body: unknown): PatchOp {
  if (!isObject(body)) throw ScimError.typed('invalidSyntax', 'A PATCH body must be a JSON object with "Operations".');
  const schemas = propertyOf(body, 'schemas');
  if (
    schemas !== undefined &&
    !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase()))
  ) {
    throw ScimError.typed('invalidSyntax', `A PATCH body's schemas must include "${PATCH_OP_SCHEMA}".`);
  }
  const ops = propertyOf(body, 'operations');
  if (!Array.isArray(ops) || ops.length === 0) throw ScimError.typed('invalidSyntax', 'A PATCH body needs a non-empty "Operations" list.');
  if (ops.length > MAX_PATCH_OPERATIONS) {
    throw ScimError.typed('tooMany', `A PATCH body may hold at most ${MAX_PATCH_OPERATIONS} operations; this one has ${ops.length}.`);
  }
  return { operations: ops.map(parseOperation) };
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  if (!isObject(raw)) throw ScimError.typed('invalidSyntax', `Operations[${index}] must be an object.`);
  const sent = propertyOf(raw, 'op');
  // Only a string names an op (an object, even one with its own toString, names none).
  const op = typeof sent === 'string' ? sent.toLowerCase() : '';
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw ScimError.typed(
      'invalidValue',
      `Operations[${index}].op ${typeof sent === 'string' ? `"${sent.slice(0, 40)}"` : (JSON.stringify(sent)?.slice(0, 40) ?? 'missing')} is not supported; use add, replace or remove.`,
    );
  }
  const path = propertyOf(raw, 'path');
  if (path !== undefined && path !== null && (typeof path !== 'string' || path.trim() === '')) {
    throw ScimError.typed('invalidPath', `Operations[${index}].path must be a non-empty string.`);
  }
  const value = propertyOf(raw, 'value');
  if (op !== 'remove' && value === undefined) throw ScimError.typed('invalidValue', `Operations[${index}] (${op}) needs a value.`);
  if (op === 'remove' && typeof path !== 'string') throw ScimError.typed('noTarget', `Operations[${index}]: a remove needs a path.`);
  const text = typeof path === 'string' ? path.trim() : undefined;
  return {
    op,
    ...(text !== undefined ? { path: { text, parsed: parsePatchPath(text) } } : {}),
    ...(value !== undefined ? { value } : {}),
    index,
  };
}
