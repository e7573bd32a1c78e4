import type { APIGatewayProxyResult } from 'aws-lambda';
import { ScimError, scimErrorBody } from '../scim/messages/error';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function scimResponse(statusCode: number, body?: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': SCIM_CONTENT_TYPE, ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function scimErrorResponse(error: ScimError): APIGatewayProxyResult {
  return scimResponse(error.status, error.toBody(), { ...error.headers });
}

/** A 500 that says nothing about the cause (no stack trace, no message of an unknown error). */
export function scimInternalErrorResponse(): APIGatewayProxyResult {
  return scimResponse(500, scimErrorBody(500, 'The service could not complete the request. Try again later.'));
}

/** RFC 9457 problem details, the admin API's error format. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(problem),
  };
}

export function jsonResponse(statusCode: number, body?: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}
