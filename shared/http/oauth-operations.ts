/** The token endpoint's HTTP edge: the form request in, RFC 6749's JSON out, each answer audited. */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { LogSink } from '../observability';
import type { AuditLog } from '../audit/events';
import type { Clock } from '../clock';
import { tokenAuditEvent, type TokenAnswer, type TokenEndpoint } from '../tokens/token-endpoint';
import { lowerCaseHeaders, publicBaseUrl } from './request';
import { jsonResponse } from './responses';
import { allowedMethods, findRoute, SCIM_BASE_PATH, TOKEN_ENDPOINT_PATH, type OAuthOperation } from './routes';

export interface OAuthDeps {
  endpoint: TokenEndpoint;
  audit: Pick<AuditLog, 'record' | 'recordAggregated'>;
  clock: Clock;
  newEventId: () => string;
  /** The issuer and audience the stack configured, read at each request (each derived from the request when absent). */
  configured?: () => { issuer?: string | undefined; audience?: string | undefined };
  /** Told of every answer (metrics, logs: never a secret). */
  onAnswer?: (answer: TokenAnswer) => void;
}

const bodyOf = (event: APIGatewayProxyEvent): string =>
  event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';

export function oauthOperations(deps: OAuthDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const operations: Record<OAuthOperation, (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>> = {
    issueToken: async (event) => {
      const headers = lowerCaseHeaders(event.headers);
      const configured = deps.configured?.() ?? {};
      const answer = await deps.endpoint.handle(
        { headers, body: bodyOf(event) },
        {
          issuer: configured.issuer || publicBaseUrl(event, TOKEN_ENDPOINT_PATH),
          audience: configured.audience || publicBaseUrl(event, SCIM_BASE_PATH),
        },
      );
      deps.onAnswer?.(answer);
      const client = { sourceIp: event.requestContext.identity?.sourceIp, userAgent: headers['user-agent'] };
      const { event: audit, aggregated } = tokenAuditEvent(answer, client, deps.newEventId, deps.clock.now());
      await (aggregated ? deps.audit.recordAggregated(audit) : deps.audit.record(audit));
      return jsonResponse(answer.status, answer.body, answer.headers);
    },
    methodNotAllowed: async (event) => {
      const allow = allowedMethods(event.resource).join(', ');
      return jsonResponse(
        405,
        { error: 'invalid_request', error_description: `Use ${allow}.` },
        { Allow: allow, 'Cache-Control': 'no-store' },
      );
    },
  };
  return async (event) => {
    const route = findRoute(event.resource, event.httpMethod);
    const operation = route?.function === 'token' ? operations[route.operation as OAuthOperation] : undefined;
    if (!operation) return jsonResponse(404, { error: 'invalid_request', error_description: 'No such endpoint.' });
    return operation(event);
  };
}

/** An unexpected failure as RFC 6749's server_error (never its message). */
export function oauthErrors(log: LogSink): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      log.error('Unhandled error in a token request', { errorName: error instanceof Error ? error.name : typeof error });
      request.response = jsonResponse(
        500,
        { error: 'server_error', error_description: 'The token endpoint could not answer. Try again later.' },
        { 'Cache-Control': 'no-store' },
      );
    },
  };
}
