import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { numberEnv, requireEnv } from '../../shared/config';
import { configuredSigner } from '../../shared/crypto/signing-key';
import { jwksCache } from '../../shared/crypto/jwks';
import { oauthErrors, oauthOperations } from '../../shared/http/oauth-operations';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { createDocumentClient } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { checkAccessTokenLifetime, DEFAULT_ACCESS_TOKEN_SECONDS } from '../../shared/tokens/access-token';
import { TokenEndpoint } from '../../shared/tokens/token-endpoint';
import { ACCESS_TOKEN_SECONDS_ENV, OAUTH_AUDIENCE_ENV, OAUTH_ISSUER_ENV } from './config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const sink = metricSink();
const endpoint = new TokenEndpoint({
  clients: new DynamoTokenRepository(db, tableName),
  signer: configuredSigner(),
  keySets: jwksCache(),
  clock: systemClock,
  lifetimeSeconds: checkAccessTokenLifetime(numberEnv(ACCESS_TOKEN_SECONDS_ENV, DEFAULT_ACCESS_TOKEN_SECONDS)),
});

export const lambdaHandler = oauthOperations({
  endpoint,
  audit: new DynamoAuditLog(db, tableName),
  clock: systemClock,
  newEventId: randomUUID,
  // Read at each request: the local stack sets them once its gateway listens.
  configured: () => ({ issuer: process.env[OAUTH_ISSUER_ENV], audience: process.env[OAUTH_AUDIENCE_ENV] }),
  onAnswer: (answer) => {
    if (answer.outcome.error) logger.info('Token request refused', { error: answer.outcome.error, clientId: answer.outcome.clientId });
    sink.count(METRIC.tokenRequests, { outcome: answer.outcome.error ?? 'issued' });
  },
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(oauthErrors(logger))
  .handler(lambdaHandler);
