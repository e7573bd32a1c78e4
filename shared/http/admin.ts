/** The admin API's HTTP edge: who is calling, JSON bodies, and domain errors as problem details. */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Actor } from '../audit/events';
import { InvalidCursorError } from '../audit/events';
import type { LogSink } from '../observability';
import { VersionConflictError } from '../scim/ports';
import { ProvisioningDisabledError, TokenConflictError, TokenLimitError } from '../tokens/ports';
import {
  ClientNotFoundError,
  InvalidTokenLifetimeError,
  InvalidTokenNameError,
  MAX_TOKENS,
  TokenNotFoundError,
} from '../tokens/provisioning';
import { rolesFromVerifiedToken } from '../tokens/roles';
import { JsonBodyError, parseJsonBody } from './json';
import { lowerCaseHeaders } from './request';
import { ProblemError } from './problems';
import { problemResponse } from './responses';

/** The signed-in administrator, from the claims the Cognito authorizer (or the local gateway) passed on. */
export function adminActor(event: APIGatewayProxyEvent): Actor {
  const claims = (event.requestContext.authorizer?.claims ?? {}) as Record<string, unknown>;
  const sub = typeof claims.sub === 'string' ? claims.sub : 'unknown';
  const display = [claims.email, claims['cognito:username']].find((v): v is string => typeof v === 'string');
  return {
    type: 'admin',
    id: sub,
    ...(display ? { display } : {}),
    roles: rolesFromVerifiedToken(lowerCaseHeaders(event.headers).authorization, claims.sub),
    ...(event.requestContext.identity?.sourceIp ? { sourceIp: event.requestContext.identity.sourceIp } : {}),
  };
}

/** The JSON object in the body; an absent body is `{}`. */
export function jsonBody(event: APIGatewayProxyEvent): Record<string, unknown> {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let parsed: unknown;
  try {
    parsed = parseJsonBody(text);
  } catch (e: unknown) {
    if (e instanceof JsonBodyError) throw ProblemError.badRequest(e.message);
    throw e;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw ProblemError.badRequest('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function toProblem(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  if (error instanceof TokenLimitError) {
    const what = error.kind === 'client' ? 'SCIM clients' : 'SCIM tokens';
    return ProblemError.conflict(`At most ${MAX_TOKENS} ${what} can exist at once. Delete one before generating another.`);
  }
  if (error instanceof ProvisioningDisabledError) {
    return ProblemError.conflict('Provisioning is disabled. Enable provisioning before generating a token or a client.');
  }
  if (error instanceof TokenConflictError) return ProblemError.conflict('The tokens changed meanwhile. Try again.');
  if (error instanceof VersionConflictError)
    return ProblemError.busy('Other writes held the same records. Nothing was changed; try again.');
  if (error instanceof TokenNotFoundError || error instanceof ClientNotFoundError) return ProblemError.notFound(error.message);
  if (error instanceof InvalidTokenNameError || error instanceof InvalidTokenLifetimeError) return ProblemError.badRequest(error.message);
  if (error instanceof InvalidCursorError) return ProblemError.badRequest(error.message);
  return undefined;
}

/** Maps errors to problem details; only known errors' messages reach the client. */
export function adminErrors(log: LogSink): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const problem = toProblem(request.error);
      if (problem) {
        request.response = problemResponse(
          { type: 'about:blank', title: problem.title, status: problem.status, detail: problem.message },
          { ...problem.headers },
        );
        return;
      }
      const error = request.error;
      log.error('Unhandled error in admin request', {
        errorName: error instanceof Error ? error.name : typeof error,
        errorMessage: error instanceof Error ? error.message : undefined,
        resource: request.event.resource,
        method: request.event.httpMethod,
      });
      request.response = problemResponse({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The service could not complete the request. Try again later.',
      });
    },
  };
}

/**
 * The admin console's origin may read the admin API's answers (CORS): that one origin, never a
 * wildcard, and nothing for any other. API Gateway answers the preflight; this adds the header to
 * the function's answers, refusals included. Unset (locally, where the console is same-origin): nothing.
 */
export function consoleCors(origin: string | undefined): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const add = (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null | undefined }): void => {
    if (!origin || !request.response) return;
    const headers = { ...request.response.headers, Vary: 'Origin' };
    if (lowerCaseHeaders(request.event.headers).origin === origin) Object.assign(headers, { 'Access-Control-Allow-Origin': origin });
    request.response = { ...request.response, headers };
  };
  return { after: add, onError: add };
}
