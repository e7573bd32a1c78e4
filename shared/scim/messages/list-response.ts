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
    used += Buffer.byteLength(JSON.stringify(JSON.stringify(r)), 'utf8') + 1;
    if (used > maxBytes) return Math.max(1, i);
  }
  return resources.length;
}
