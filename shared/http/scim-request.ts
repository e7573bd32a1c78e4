/** Reading a SCIM request: body (content type, size, JSON), preconditions, caller. The messages are in shared/scim/messages. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Actor } from '../audit/events';
import { ScimError } from '../scim/messages/error';
import { MAX_PAYLOAD_BYTES } from '../scim/limits';
import { parseEtags } from '../scim/service/meta';
import { JsonBodyError, parseJsonBody } from './json';
import { lowerCaseHeaders } from './request';

const JSON_TYPES = ['application/scim+json', 'application/json'];

/** The JSON body of a SCIM write: 415 for other content types, 413 over the limit, 400 invalidSyntax for bad JSON. */
export function scimBody(event: APIGatewayProxyEvent): unknown {
  const type = lowerCaseHeaders(event.headers)['content-type'];
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType && !JSON_TYPES.includes(mediaType)) {
    throw ScimError.of(415, `Send the body as application/scim+json or application/json, not ${mediaType}.`);
  }
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8')) : Buffer.alloc(0);
  if (raw.length > MAX_PAYLOAD_BYTES) {
    throw ScimError.of(413, `The request body is ${raw.length} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes.`);
  }
  if (raw.length === 0) throw ScimError.typed('invalidSyntax', 'The request needs a JSON body.');
  try {
    return parseJsonBody(raw.toString('utf8'));
  } catch (e: unknown) {
    if (e instanceof JsonBodyError) throw ScimError.typed('invalidSyntax', e.message, { cause: e });
    throw e;
  }
}

export const queryParams = (event: APIGatewayProxyEvent): Record<string, string | undefined> => event.queryStringParameters ?? {};

export const ifMatch = (event: APIGatewayProxyEvent): string[] | undefined => parseEtags(lowerCaseHeaders(event.headers)['if-match']);
export const ifNoneMatch = (event: APIGatewayProxyEvent): string[] | undefined =>
  parseEtags(lowerCaseHeaders(event.headers)['if-none-match']);

/** The SCIM token (from the authorizer's context) and the client, for audit events. */
export function scimActor(event: APIGatewayProxyEvent): Actor {
  const tokenId = event.requestContext.authorizer?.tokenId;
  const headers = lowerCaseHeaders(event.headers);
  return {
    type: 'scimToken',
    id: typeof tokenId === 'string' ? tokenId : 'unknown',
    ...(event.requestContext.identity?.sourceIp ? { sourceIp: event.requestContext.identity.sourceIp } : {}),
    ...(headers['user-agent'] ? { userAgent: headers['user-agent'].slice(0, 200) } : {}),
  };
}
