/**
 * Reading JSON a client sent. JSON.parse takes any depth, but the code that walks a body (the
 * SCIM engine normalises, patches and compares it recursively) must not meet a value nested
 * thousands deep: such a body is refused before it is parsed.
 */

import { MAX_JSON_DEPTH } from '../scim/limits';

export { MAX_JSON_DEPTH };

/** The deepest nesting of objects and arrays in JSON text (strings are skipped, escapes honoured); O(length). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export class JsonBodyError extends Error {
  override readonly name = 'JsonBodyError';
}

/** Parses a request body: JsonBodyError (with a message for the client) when it is not JSON or nests too deep. */
export function parseJsonBody(text: string): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new JsonBodyError(`The request body nests objects and arrays more than ${MAX_JSON_DEPTH} deep.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new JsonBodyError('The request body is not valid JSON.');
  }
}
