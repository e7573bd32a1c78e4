import { MAX_KEY_VALUE_BYTES, MAX_RESOURCE_BYTES } from '../limits';
import { ScimError } from '../messages/error';
import type { ScimResource } from './types';

/** Refuses a resource that could not be stored (400 invalidValue), before anything is written. */
export function checkStorable(resource: ScimResource, nameAttribute: string): void {
  for (const attribute of [nameAttribute, 'externalId']) {
    const value = resource[attribute];
    if (typeof value === 'string' && Buffer.byteLength(value.toLowerCase()) > MAX_KEY_VALUE_BYTES) {
      throw ScimError.typed('invalidValue', `${attribute} is longer than ${MAX_KEY_VALUE_BYTES} bytes.`);
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(resource));
  if (bytes > MAX_RESOURCE_BYTES) {
    throw ScimError.typed('invalidValue', `The resource would take ${bytes} bytes; at most ${MAX_RESOURCE_BYTES} can be stored.`);
  }
}
