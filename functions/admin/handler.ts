import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { cursorSealer } from '../../shared/crypto/cursor-key';
import { numberEnv, requireEnv } from '../../shared/config';
import { RETENTION_DAYS_ENV } from '../token-expiry/config';
import { adminErrors } from '../../shared/http/admin';
import { adminOperations } from '../../shared/http/admin-operations';
import { logger } from '../../shared/observability';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { createDocumentClient } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { DEFAULT_TOKEN_RETENTION_DAYS, ProvisioningService } from '../../shared/tokens/provisioning';
import { configuredRoles } from '../../shared/tokens/roles';
import { ADMIN_ROLES_ENV, SCIM_ENDPOINT_ENV } from './config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const audit = new DynamoAuditLog(db, tableName, { sealer: cursorSealer() });
const allowedRoles = configuredRoles(process.env[ADMIN_ROLES_ENV]);

export const lambdaHandler = adminOperations({
  users: new DynamoResourceRepository(db, tableName, 'User'),
  clock: systemClock,
  newEventId: randomUUID,
  service: new ProvisioningService({
    tokens: new DynamoTokenRepository(db, tableName),
    audit,
    clock: systemClock,
    newEventId: randomUUID,
    retentionDays: numberEnv(RETENTION_DAYS_ENV, DEFAULT_TOKEN_RETENTION_DAYS),
  }),
  audit,
  allowedRoles,
  ...(process.env[SCIM_ENDPOINT_ENV] ? { scimEndpoint: process.env[SCIM_ENDPOINT_ENV] } : {}),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(adminErrors(logger))
  .handler(lambdaHandler);
