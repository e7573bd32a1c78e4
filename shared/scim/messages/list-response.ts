/** The ListResponse message (RFC 7644 section 3.4.2, RFC 9865 for nextCursor). */
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ListResponse {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  /** Omitted only by a cursor page that cannot know it without reading every match (RFC 9865 section 2). */
  totalResults?: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: unknown[];
  nextCursor?: string;
}

export function listResponse(
  resources: unknown[],
  page: { totalResults?: number | 'unknown'; startIndex?: number; nextCursor?: string | undefined } = {},
): ListResponse {
  const total = page.totalResults ?? resources.length;
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    ...(total !== 'unknown' ? { totalResults: total } : {}),
    itemsPerPage: resources.length,
    startIndex: page.startIndex ?? 1,
    Resources: resources,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/**
 * How many of `resources`, from the first, fit in a response of `maxBytes`, each weighed as it
 * travels in Lambda's response (JSON text inside a JSON string: quotes and backslashes escaped).
 * At least one, so that a page always moves on (one resource is bounded far below the limit).
 */
export function fittingCount(resources: readonly unknown[], maxBytes: number): number {
  let used = 0;
  for (const [i, r] of resources.entries()) {
    // As a JSON string: its quotes, and a backslash before each quote and backslash it holds (the
    // JSON text of a resource holds no raw control character: they are already escaped).
    const text = JSON.stringify(r);
    let escapes = 2;
    for (let c = 0; c < text.length; c++) {
      const code = text.charCodeAt(c);
      if (code === 34 || code === 92) escapes++;
    }
    used += Buffer.byteLength(text, 'utf8') + escapes + 1;
    if (used > maxBytes) return Math.max(1, i);
  }
  return resources.length;
}
