/** The ListResponse message (RFC 7644 section 3.4.2, RFC 9865 for nextCursor). */
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ListResponse {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: unknown[];
  nextCursor?: string;
}

export function listResponse(
  resources: unknown[],
  page: { totalResults?: number; startIndex?: number; nextCursor?: string | undefined } = {},
): ListResponse {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: page.totalResults ?? resources.length,
    itemsPerPage: resources.length,
    startIndex: page.startIndex ?? 1,
    Resources: resources,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
