import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { requireEnv } from '../../shared/config';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { runMembershipCleanup, type CleanupReport } from '../../shared/scim/service/cleanup';
import { createDocumentClient } from '../../shared/store/client';
import { DynamoMembershipRepository } from '../../shared/store/membership-repository';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { TABLE_NAME_ENV } from '../../shared/store/table';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const memberships = new DynamoMembershipRepository(db, tableName);
const sink = metricSink();
const repos = { User: new DynamoResourceRepository(db, tableName, 'User'), Group: new DynamoResourceRepository(db, tableName, 'Group') };

export const lambdaHandler = async (
  _event?: ScheduledEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<CleanupReport> => {
  const report = await runMembershipCleanup({
    memberships,
    repos,
    clock: systemClock,
    timeLeft: () => (typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 60_000),
  });
  sink.gauge(METRIC.cleanupBacklog, report.pending);
  sink.gauge(METRIC.cleanupRemoved, report.removedMemberships);
  if (report.finished.length + report.unfinished.length > 0) logger.info('Membership cleanup run', { ...report });
  return report;
};

export const handler = middy<ScheduledEvent, CleanupReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(lambdaHandler);
