import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { numberEnv, requireEnv } from '../../shared/config';
import { requestMetrics, scimErrors } from '../../shared/http/middleware';
import { scimOperations } from '../../shared/http/scim-operations';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { resourceServices } from '../../shared/resources';
import { DEFAULT_DELETED_RETENTION_DAYS, REQUEST_DEADLINE_MS } from '../../shared/scim/limits';
import { createDocumentClient } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DELETED_RETENTION_DAYS_ENV, REQUEST_DEADLINE_ENV, TOKEN_ENDPOINT_ENV, UNIQUE_EXTERNAL_ID_ENV } from './config';

const sink = metricSink();
const { registry, users, groups } = resourceServices(createDocumentClient(), requireEnv(TABLE_NAME_ENV), {
  uniqueExternalId: process.env[UNIQUE_EXTERNAL_ID_ENV] === 'true',
  deletedRetentionDays: numberEnv(DELETED_RETENTION_DAYS_ENV, DEFAULT_DELETED_RETENTION_DAYS),
  onConflict: (resourceType) => sink.count(METRIC.writeConflicts, { resourceType }),
  onCleanupDeferred: (resourceType, error) =>
    logger.warn('Memberships of a deleted resource left to the cleanup job', {
      resourceType,
      errorName: error instanceof Error ? error.name : typeof error,
    }),
});

export const lambdaHandler = scimOperations({
  registry,
  users,
  groups,
  deadlineMs: numberEnv(REQUEST_DEADLINE_ENV, REQUEST_DEADLINE_MS),
  tokenEndpoint: process.env[TOKEN_ENDPOINT_ENV],
  log: logger,
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(requestMetrics(sink))
  .use(scimErrors(logger))
  .handler(lambdaHandler);
