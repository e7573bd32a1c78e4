import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { numberEnv, requireEnv } from '../../shared/config';
import { logger } from '../../shared/observability';
import { createDocumentClient } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { ScimTokenAuthorizer } from '../../shared/tokens/authorize';
import { bearerValue } from '../../shared/tokens/token';
import { AUTH_CACHE_SECONDS_ENV, DEFAULT_AUTH_CACHE_SECONDS } from './config';

const authorizer = new ScimTokenAuthorizer({
  tokens: new DynamoTokenRepository(createDocumentClient(), requireEnv(TABLE_NAME_ENV)),
  clock: systemClock,
  cacheMs: numberEnv(AUTH_CACHE_SECONDS_ENV, DEFAULT_AUTH_CACHE_SECONDS) * 1000,
});

/** Allows every method of this stage of the SCIM API (the only API this authorizer guards). */
export function allowPolicy(methodArn: string): APIGatewayAuthorizerResult['policyDocument'] {
  const [arnPrefix = '', stage = '*'] = methodArn.split('/');
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix}/${stage}/*` }],
  };
}

export const lambdaHandler = async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const result = await authorizer.authorize(bearerValue(event.authorizationToken));
  if (!result.allowed) {
    logger.info('SCIM token refused', { reason: result.reason, tokenId: result.tokenId });
    throw new Error('Unauthorized'); // API Gateway answers 401 with the UNAUTHORIZED gateway response
  }
  return { principalId: result.tokenId, policyDocument: allowPolicy(event.methodArn), context: { tokenId: result.tokenId } };
};

export const handler = middy<APIGatewayTokenAuthorizerEvent, APIGatewayAuthorizerResult>().handler(lambdaHandler);
