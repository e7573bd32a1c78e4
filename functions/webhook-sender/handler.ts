import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { numberEnv, requireEnv } from '../../shared/config';
import { awsClientConfig } from '../../shared/notify/client-config';
import { httpPost } from '../../shared/notify/http-post';
import { DELIVERY_QUEUE_ENV, SqsDeliveryQueue } from '../../shared/notify/sqs';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { deliver } from '../../shared/scim/events/delivery';
import { parseDeliveryMessage } from '../../shared/scim/events/delivery-message';
import { createDocumentClient } from '../../shared/store/client';
import { DEFAULT_EVENT_RETENTION_DAYS, DynamoEventLog } from '../../shared/store/event-log-repository';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoWebhookStore } from '../../shared/store/webhook-repository';
import { EVENT_RETENTION_DAYS_ENV } from '../events/config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const queue = new SqsDeliveryQueue(new SQSClient(awsClientConfig()), requireEnv(DELIVERY_QUEUE_ENV));
const sink = metricSink();
const deps = {
  webhooks: new DynamoWebhookStore(db, tableName),
  log: new DynamoEventLog(db, tableName, { retentionDays: numberEnv(EVENT_RETENTION_DAYS_ENV, DEFAULT_EVENT_RETENTION_DAYS) }),
  post: httpPost,
  clock: systemClock,
  newEventId: randomUUID,
};

/** One message: delivered (or nothing to do), or failed and made visible again after its backoff. */
async function one(record: SQSRecord): Promise<boolean> {
  const message = parseDeliveryMessage(record.body);
  if (!message) {
    logger.error('Dropped a delivery message that is not one', { messageId: record.messageId });
    return true;
  }
  const outcome = await deliver(message, Number(record.attributes.ApproximateReceiveCount ?? '1'), deps);
  sink.count(METRIC.webhookDeliveries, { outcome: outcome.kind === 'done' ? (outcome.delivered ? 'delivered' : 'skipped') : outcome.kind });
  if (outcome.kind === 'done') return true;
  await queue.retryLater(record.receiptHandle, outcome.kind === 'retry' ? outcome.delaySeconds : 0);
  logger.warn('Webhook delivery failed', { webhookId: message.webhookId, eventId: message.eventId, outcome: outcome.kind });
  return false;
}

/**
 * The FIFO queue's messages, each group (a webhook and a resource) in order: once one of a group
 * fails, the group's later messages of the batch are handed back untouched (they wait their turn).
 */
export const lambdaHandler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const groups = new Map<string, SQSRecord[]>();
  for (const r of event.Records)
    groups.set(r.attributes.MessageGroupId ?? r.messageId, [...(groups.get(r.attributes.MessageGroupId ?? r.messageId) ?? []), r]);
  const failed: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (records) => {
      for (const [i, r] of records.entries()) {
        let ok = false;
        try {
          ok = await one(r);
        } catch (e: unknown) {
          logger.error('Webhook delivery error', { messageId: r.messageId, error: e instanceof Error ? e.name : 'unknown' });
        }
        if (!ok) {
          failed.push(...records.slice(i).map((x) => x.messageId));
          return;
        }
      }
    }),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(lambdaHandler);
