import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ADMIN_BASE_PATH, SCIM_BASE_PATH } from './routes';

/**
 * The public base URL of an API (e.g. https://host/prod/api/scim/v2), derived from the event:
 * `requestContext.path` is the path as the client sent it (with a stage or base-path mapping
 * prefix), `event.path` the path inside the API, so the prefix is whatever the first adds.
 */
export function publicBaseUrl(event: APIGatewayProxyEvent, basePath: string): string {
  const headers = lowerCaseHeaders(event.headers);
  const proto = headers['x-forwarded-proto'] ?? 'https';
  const host = event.requestContext.domainName ?? headers.host ?? 'localhost';
  const outer = event.requestContext.path ?? event.path;
  const prefix = outer.endsWith(event.path) ? outer.slice(0, outer.length - event.path.length) : '';
  return `${proto}://${host}${prefix}${basePath}`;
}

export const scimBaseUrl = (event: APIGatewayProxyEvent): string => publicBaseUrl(event, SCIM_BASE_PATH);
export const adminBaseUrl = (event: APIGatewayProxyEvent): string => publicBaseUrl(event, ADMIN_BASE_PATH);

export function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}
