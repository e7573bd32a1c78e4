import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { cursorSealer } from '../../shared/crypto/cursor-key';
import { numberEnv, requireEnv } from '../../shared/config';
import { RETENTION_DAYS_ENV } from '../token-expiry/config';
import { adminErrors, consoleCors } from '../../shared/http/admin';
import { adminOperations } from '../../shared/http/admin-operations';
import { logger } from '../../shared/observability';
import { resourceServices } from '../../shared/resources';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { createDocumentClient } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { DEFAULT_TOKEN_RETENTION_DAYS, ProvisioningService } from '../../shared/tokens/provisioning';
import { configuredRoles } from '../../shared/tokens/roles';
import { ADMIN_ROLES_ENV, CONSOLE_ORIGIN_ENV, SCIM_ENDPOINT_ENV, TOKEN_ENDPOINT_ENV } from './config';
import { eventSettings } from '../events/config';
import { WebhookService } from '../../shared/scim/events/webhooks';
import { DynamoEventLog } from '../../shared/store/event-log-repository';
import { DynamoWebhookStore } from '../../shared/store/webhook-repository';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const sealer = cursorSealer();
const audit = new DynamoAuditLog(db, tableName, { sealer });
const events = eventSettings();
const { users, groups, userRepo } = resourceServices(db, tableName, { sealer });
const service = new ProvisioningService({
  tokens: new DynamoTokenRepository(db, tableName),
  audit,
  clock: systemClock,
  newEventId: randomUUID,
  retentionDays: numberEnv(RETENTION_DAYS_ENV, DEFAULT_TOKEN_RETENTION_DAYS),
});
const webhooks = new WebhookService({
  store: new DynamoWebhookStore(db, tableName),
  clock: systemClock,
  newId: randomUUID,
  newEventId: randomUUID,
  allowLocalHttp: events.allowLocalHttp,
});

export const lambdaHandler = adminOperations({
  service,
  audit,
  users: userRepo,
  directory: { users, groups },
  clock: systemClock,
  newEventId: randomUUID,
  allowedRoles: configuredRoles(process.env[ADMIN_ROLES_ENV]),
  events: { ...events, log: new DynamoEventLog(db, tableName, { retentionDays: events.retentionDays }), webhooks, sealer },
  ...(process.env[SCIM_ENDPOINT_ENV] ? { scimEndpoint: process.env[SCIM_ENDPOINT_ENV] } : {}),
  ...(process.env[TOKEN_ENDPOINT_ENV] ? { tokenEndpoint: process.env[TOKEN_ENDPOINT_ENV] } : {}),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(consoleCors(process.env[CONSOLE_ORIGIN_ENV]))
  .use(adminErrors(logger))
  .handler(lambdaHandler);
