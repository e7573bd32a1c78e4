import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ScimError } from '../../shared/scim/errors';
import { serviceProviderConfig } from '../../shared/scim/service-provider-config';
import { scimErrors } from '../../shared/http/middleware';
import { scimBaseUrl } from '../../shared/http/request';
import { scimResponse } from '../../shared/http/responses';
import { allowedMethods, findRoute } from '../../shared/http/routes';
import { logger } from '../../shared/observability';

type Operation = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const operations: Record<string, Operation> = {
  getServiceProviderConfig: async (event) => scimResponse(200, serviceProviderConfig(scimBaseUrl(event))),
  methodNotAllowed: async (event) => {
    const allow = allowedMethods(event.resource).join(', ');
    throw ScimError.of(405, `${event.httpMethod} is not allowed on this endpoint; allowed: ${allow}.`, {
      headers: { Allow: allow },
    });
  },
};

export const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const route = findRoute(event.resource, event.httpMethod);
  const operation = route && route.function === 'scim' ? operations[route.operation] : undefined;
  if (!operation) throw ScimError.of(404, `No SCIM endpoint ${event.httpMethod} ${event.path}.`);
  return operation(event);
};

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(scimErrors(logger)).handler(lambdaHandler);
