import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { cursorSealer } from '../../shared/crypto/cursor-key';
import { numberEnv, requireEnv } from '../../shared/config';
import { requestMetrics, scimErrors } from '../../shared/http/middleware';
import { scimOperations } from '../../shared/http/scim-operations';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { DEFAULT_DELETED_RETENTION_DAYS, REQUEST_DEADLINE_MS } from '../../shared/scim/limits';
import { hashPassword } from '../../shared/scim/resource';
import { buildRegistry } from '../../shared/scim/schemas/registry';
import { GroupService } from '../../shared/scim/service/groups';
import { UserService } from '../../shared/scim/service/users';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { createDocumentClient } from '../../shared/store/client';
import { DynamoMembershipRepository } from '../../shared/store/membership-repository';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DELETED_RETENTION_DAYS_ENV, REQUEST_DEADLINE_ENV, UNIQUE_EXTERNAL_ID_ENV } from './config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const registry = buildRegistry();
const sink = metricSink();
const repoOptions = { uniqueExternalId: process.env[UNIQUE_EXTERNAL_ID_ENV] === 'true' };
const groupRepo = new DynamoResourceRepository(db, tableName, 'Group', repoOptions);
const common = {
  memberships: new DynamoMembershipRepository(db, tableName),
  clock: systemClock,
  newId: randomUUID,
  newEventId: randomUUID,
  audit: new DynamoAuditLog(db, tableName),
  onConflict: (resourceType: string): void => sink.count(METRIC.writeConflicts, { resourceType }),
  onCleanupDeferred: (resourceType: string, error: unknown): void =>
    logger.warn('Memberships of a deleted resource left to the cleanup job', {
      resourceType,
      errorName: error instanceof Error ? error.name : typeof error,
    }),
  deletedRetentionDays: numberEnv(DELETED_RETENTION_DAYS_ENV, DEFAULT_DELETED_RETENTION_DAYS),
  sealer: cursorSealer(),
};

export const lambdaHandler = scimOperations({
  registry,
  users: new UserService({
    ...common,
    rs: registry.user,
    repo: new DynamoResourceRepository(db, tableName, 'User', repoOptions),
    groups: groupRepo,
    hashPassword,
  }),
  groups: new GroupService({ ...common, rs: registry.group, repo: groupRepo }),
  deadlineMs: numberEnv(REQUEST_DEADLINE_ENV, REQUEST_DEADLINE_MS),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(requestMetrics(sink))
  .use(scimErrors(logger))
  .handler(lambdaHandler);
