import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ScimError } from '../scim/errors';
import type { LogSink } from '../observability';
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
