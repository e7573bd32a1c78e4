/**
 * The table's change stream, read: a stream record of a user or group item becomes the committed
 * write it was (the resource before and after, and the note the write left). The filter that
 * keeps other items' records from ever reaching the function is here too, as data: the stack
 * puts it on the event source mapping, and the local pipeline applies the same pattern.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CommittedWrite, ResourceState } from '../scim/events/change-event';
import type { StreamChange } from '../scim/events/dispatch';
import type { ChangeNote, Resource, ResourceKind } from '../scim/ports';
import { CHANGE_ATTRIBUTE, KEYS, PREFIX } from './keys';

/** The event source mapping's filter (EventBridge pattern syntax): inserts and updates of user and group items only. */
const FILTER_EVENTS: readonly string[] = ['INSERT', 'MODIFY'];
const FILTER_PK_PREFIXES: readonly string[] = [`${PREFIX.User}#`, `${PREFIX.Group}#`];
const FILTER_SORT_KEYS: readonly string[] = [PREFIX.User, PREFIX.Group];
export const CHANGE_STREAM_FILTER = {
  eventName: FILTER_EVENTS,
  dynamodb: {
    Keys: {
      [KEYS.pk]: { S: FILTER_PK_PREFIXES.map((prefix) => ({ prefix })) },
      [KEYS.sk]: { S: FILTER_SORT_KEYS },
    },
  },
};

/** What a stream record holds (the Lambda event's shape, and the DynamoDB Streams API's). */
export interface ChangeRecord {
  eventName?: string;
  dynamodb?: {
    Keys?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    SequenceNumber?: string;
  };
}

const kindOfSk = (sk: unknown): ResourceKind | undefined => (sk === PREFIX.User ? 'User' : sk === PREFIX.Group ? 'Group' : undefined);

function state(image: Record<string, unknown> | undefined): ResourceState | undefined {
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  return {
    resource: (item.data ?? {}) as Resource,
    version: Number(item.version ?? 0),
    deleted: item.deleted === true,
    lastModified: String(item.lastModified ?? ''),
    ...(typeof item.deletedAt === 'string' ? { deletedAt: item.deletedAt } : {}),
    ...(item[CHANGE_ATTRIBUTE] ? { note: item[CHANGE_ATTRIBUTE] as ChangeNote } : {}),
  };
}

/** A stream record as a change to dispatch (no write when it is not an insert or update of a resource item). */
export function streamChange(record: ChangeRecord): StreamChange {
  const position = record.dynamodb?.SequenceNumber ?? '';
  const keys = record.dynamodb?.Keys ? unmarshall(record.dynamodb.Keys as Record<string, AttributeValue>) : {};
  const sk = kindOfSk(keys[KEYS.sk]);
  const kind = sk && String(keys[KEYS.pk]).startsWith(`${PREFIX[sk]}#`) ? sk : undefined;
  const after = state(record.dynamodb?.NewImage);
  if (!kind || !after || (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY')) return { position };
  const before = state(record.dynamodb?.OldImage);
  const id = String(keys[KEYS.pk]).slice(PREFIX[kind].length + 1);
  const write: CommittedWrite = { kind, id, after, ...(before ? { before } : {}) };
  return { position, write };
}

/** Whether a record passes CHANGE_STREAM_FILTER (what Lambda's filter lets through). */
export function passesChangeFilter(record: ChangeRecord): boolean {
  const pk = (record.dynamodb?.Keys?.[KEYS.pk] as { S?: string } | undefined)?.S ?? '';
  const sk = (record.dynamodb?.Keys?.[KEYS.sk] as { S?: string } | undefined)?.S ?? '';
  return (
    FILTER_EVENTS.includes(record.eventName ?? '') && FILTER_PK_PREFIXES.some((p) => pk.startsWith(p)) && FILTER_SORT_KEYS.includes(sk)
  );
}
