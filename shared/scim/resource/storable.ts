import { MAX_EMAILS, MAX_KEY_VALUE_BYTES, MAX_RESOURCE_BYTES } from '../limits';
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
  // Each address is an index entry written with the user (any of them answers emails.value eq and sw).
  const emails = resource.emails;
  if (Array.isArray(emails)) {
    const addresses = new Set(
      emails.flatMap((e) => {
        const v = (e as { value?: unknown } | null)?.value;
        return typeof v === 'string' && v !== '' ? [v.normalize('NFC').toLowerCase()] : [];
      }),
    );
    if (addresses.size > MAX_EMAILS) {
      throw ScimError.typed('invalidValue', `emails holds ${addresses.size} addresses; a user may have at most ${MAX_EMAILS}.`);
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(resource));
  if (bytes > MAX_RESOURCE_BYTES) {
    throw ScimError.typed('invalidValue', `The resource would take ${bytes} bytes; at most ${MAX_RESOURCE_BYTES} can be stored.`);
  }
}
