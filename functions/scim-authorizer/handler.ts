import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { numberEnv, requireEnv } from '../../shared/config';
import { lowerCaseHeaders } from '../../shared/http/request';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { createDocumentClient } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { refusalEvent, ScimTokenAuthorizer } from '../../shared/tokens/authorize';
import { bearerValue } from '../../shared/tokens/token';
import { configuredSigner } from '../../shared/crypto/signing-key';
import { accessTokenAudience } from '../../shared/http/scim-request';
import { OAUTH_AUDIENCE_ENV, OAUTH_ISSUER_ENV } from '../oauth-token/config';
import { AUTH_CACHE_SECONDS_ENV, DEFAULT_AUTH_CACHE_SECONDS } from './config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const audit = new DynamoAuditLog(db, tableName);
const sink = metricSink();
const signer = configuredSigner();
// Read at each request: the local stack sets them once its gateway listens.
const configuredAudience = (): { issuer?: string; audience?: string } => ({
  issuer: process.env[OAUTH_ISSUER_ENV],
  audience: process.env[OAUTH_AUDIENCE_ENV],
});
const authorizer = new ScimTokenAuthorizer({
  tokens: new DynamoTokenRepository(db, tableName),
  clock: systemClock,
  cacheMs: numberEnv(AUTH_CACHE_SECONDS_ENV, DEFAULT_AUTH_CACHE_SECONDS) * 1000,
  accessTokenKey: () => signer.publicKey(),
});

/** Allows every method of this stage of the SCIM API (the only API this authorizer guards). */
export function allowPolicy(methodArn: string): APIGatewayAuthorizerResult['policyDocument'] {
  const [arnPrefix = '', stage = '*'] = methodArn.split('/');
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arnPrefix}/${stage}/*` }],
  };
}

export const lambdaHandler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const headers = lowerCaseHeaders(event.headers);
  const result = await authorizer.authorize(bearerValue(headers.authorization), accessTokenAudience(event, configuredAudience()));
  if (!result.allowed) {
    logger.info('SCIM token refused', { reason: result.reason, tokenId: result.tokenId });
    sink.count(METRIC.authRefusals, { reason: result.reason });
    const client = { sourceIp: event.requestContext.identity?.sourceIp, userAgent: headers['user-agent'] };
    await audit
      .recordAggregated(refusalEvent(result, client, systemClock.now()))
      .catch((e: unknown) => logger.error('Could not audit a refused SCIM token', { errorName: (e as Error).name }));
    throw new Error('Unauthorized'); // API Gateway answers 401 with the UNAUTHORIZED gateway response
  }
  return {
    principalId: result.tokenId,
    policyDocument: allowPolicy(event.methodArn),
    context: { tokenId: result.tokenId, credential: result.credential },
  };
};

export const handler = middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(lambdaHandler);
