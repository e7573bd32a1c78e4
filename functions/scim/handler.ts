import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { requireEnv } from '../../shared/config';
import { scimErrors } from '../../shared/http/middleware';
import { scimOperations } from '../../shared/http/scim-operations';
import { logger } from '../../shared/observability';
import { hashPassword } from '../../shared/scim/resource';
import { buildRegistry } from '../../shared/scim/schemas/registry';
import { ResourceService } from '../../shared/scim/service/resources';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { createDocumentClient } from '../../shared/store/client';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { TABLE_NAME_ENV } from '../../shared/store/table';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const registry = buildRegistry();
const audit = new DynamoAuditLog(db, tableName);

export const lambdaHandler = scimOperations({
  registry,
  users: new ResourceService({
    kind: 'User',
    rs: registry.user,
    repo: new DynamoResourceRepository(db, tableName, 'User'),
    clock: systemClock,
    newId: randomUUID,
    newEventId: randomUUID,
    hashPassword,
    audit,
  }),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(scimErrors(logger)).handler(lambdaHandler);
