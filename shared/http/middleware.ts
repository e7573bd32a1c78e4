import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ScimError } from '../scim/messages/error';
import { METRIC, outcomeOf, type LogSink, type MetricSink } from '../observability';
import { operationOf } from './routes';
import { scimErrorResponse, scimInternalErrorResponse } from './responses';

type ProxyMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/** Maps errors to SCIM error responses. Only a ScimError's detail reaches the client. */
export function scimErrors(log: LogSink): ProxyMiddleware {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof ScimError) {
        request.response = scimErrorResponse(error);
        return;
      }
      log.error('Unhandled error in SCIM request', {
        errorName: error instanceof Error ? error.name : typeof error,
        errorMessage: error instanceof Error ? error.message : undefined,
        resource: request.event.resource,
        method: request.event.httpMethod,
      });
      request.response = scimInternalErrorResponse();
    },
  };
}

/**
 * Counts every request by operation and outcome (success, clientError, serverError). Put it before
 * the error middleware, so that it sees the response the error became.
 */
export function requestMetrics(sink: MetricSink): ProxyMiddleware {
  const record = (event: APIGatewayProxyEvent, response: APIGatewayProxyResult | null | undefined): void => {
    sink.count(METRIC.scimRequests, { operation: operationOf(event), outcome: outcomeOf(response?.statusCode ?? 500) });
  };
  return {
    after: async (request) => record(request.event, request.response),
    onError: async (request) => record(request.event, request.response),
  };
}
