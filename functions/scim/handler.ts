import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { requireEnv } from '../../shared/config';
import { requestMetrics, scimErrors } from '../../shared/http/middleware';
import { scimOperations } from '../../shared/http/scim-operations';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { hashPassword } from '../../shared/scim/resource';
import { buildRegistry } from '../../shared/scim/schemas/registry';
import { GroupService } from '../../shared/scim/service/groups';
import { ResourceService } from '../../shared/scim/service/resources';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { createDocumentClient } from '../../shared/store/client';
import { DynamoMembershipRepository } from '../../shared/store/membership-repository';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { UNIQUE_EXTERNAL_ID_ENV } from './config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const registry = buildRegistry();
const memberships = new DynamoMembershipRepository(db, tableName);
const repoOptions = { uniqueExternalId: process.env[UNIQUE_EXTERNAL_ID_ENV] === 'true' };
const groupRepo = new DynamoResourceRepository(db, tableName, 'Group', repoOptions);
const sink = metricSink();
const onConflict = (resourceType: string): void => sink.count(METRIC.writeConflicts, { resourceType });
const common = {
  onConflict,
  clock: systemClock,
  newId: randomUUID,
  newEventId: randomUUID,
  audit: new DynamoAuditLog(db, tableName),
  memberships,
};

export const lambdaHandler = scimOperations({
  registry,
  users: new ResourceService({
    ...common,
    kind: 'User',
    rs: registry.user,
    repo: new DynamoResourceRepository(db, tableName, 'User', repoOptions),
    hashPassword,
    groupRepo,
  }),
  groups: new GroupService({ ...common, kind: 'Group', rs: registry.group, repo: groupRepo }),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(requestMetrics(sink))
  .use(scimErrors(logger))
  .handler(lambdaHandler);
