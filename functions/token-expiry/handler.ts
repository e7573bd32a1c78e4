import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ScheduledEvent } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { numberEnv, requireEnv } from '../../shared/config';
import { SnsNotifier } from '../../shared/notify/sns';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { createDocumentClient } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { runTokenExpiry, type ExpiryReport } from '../../shared/tokens/expiry-job';
import { DEFAULT_TOKEN_RETENTION_DAYS } from '../../shared/tokens/provisioning';
import { EXPIRY_TOPIC_ENV, RETENTION_DAYS_ENV } from './config';

const tokens = new DynamoTokenRepository(createDocumentClient(), requireEnv(TABLE_NAME_ENV));
const retentionDays = numberEnv(RETENTION_DAYS_ENV, DEFAULT_TOKEN_RETENTION_DAYS);
const topicArn = process.env[EXPIRY_TOPIC_ENV];
const notifier = topicArn ? new SnsNotifier(new SNSClient({}), topicArn) : undefined;
const sink = metricSink();

export const lambdaHandler = async (_event?: ScheduledEvent): Promise<ExpiryReport> => {
  const report = await runTokenExpiry({ tokens, clock: systemClock, retentionDays });
  logger.info('SCIM token expiry run', {
    expired: report.expired,
    expiringSoon: report.expiringSoon.map(({ id, name, expiresOn, daysLeft }) => ({ id, name, expiresOn, daysLeft })),
  });
  sink.gauge(METRIC.tokensExpiring30, report.expiringSoon.length);
  sink.gauge(METRIC.tokensExpiring7, report.expiringSoon.filter((t) => t.daysLeft <= 7).length);
  if (notifier && report.newlyWarned.length > 0) {
    const lines = report.newlyWarned.map(
      (t) => `- ${t.kind === 'client' ? 'SCIM client ' : ''}"${t.name}" (id ${t.id}) expires on ${t.expiresOn} (in ${t.daysLeft} day(s))`,
    );
    await notifier.publish(
      'SCIM tokens expire soon',
      `These SCIM tokens expire soon. Generate a new token, set it in the identity provider, then delete the old one.\n${lines.join('\n')}`,
    );
  }
  return report;
};

export const handler = middy<ScheduledEvent, ExpiryReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(lambdaHandler);
