import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { requireEnv } from '../../shared/config';
import { awsClientConfig } from '../../shared/notify/client-config';
import { httpPost } from '../../shared/notify/http-post';
import { DELIVERY_QUEUE_ENV, SqsDeliveryQueue } from '../../shared/notify/sqs';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { deliver } from '../../shared/scim/events/delivery';
import { deliverInGroups } from '../../shared/scim/events/delivery-batch';
import { parseDeliveryMessage } from '../../shared/scim/events/delivery-message';
import { createDocumentClient } from '../../shared/store/client';
import { DynamoEventLog } from '../../shared/store/event-log-repository';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoWebhookStore } from '../../shared/store/webhook-repository';
import { eventSettings } from '../events/config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const queue = new SqsDeliveryQueue(new SQSClient(awsClientConfig()), requireEnv(DELIVERY_QUEUE_ENV));
const sink = metricSink();
const deps = {
  webhooks: new DynamoWebhookStore(db, tableName),
  log: new DynamoEventLog(db, tableName, { retentionDays: eventSettings().retentionDays }),
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

/** The FIFO queue's messages, each group (a webhook and a resource) in order (shared/scim/events/delivery-batch.ts). */
export const lambdaHandler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const messages = event.Records.map((record) => ({
    id: record.messageId,
    group: record.attributes.MessageGroupId ?? record.messageId,
    record,
  }));
  const failed = await deliverInGroups(messages, ({ record }) =>
    one(record).catch((e: unknown) => {
      logger.error('Webhook delivery error', { messageId: record.messageId, error: e instanceof Error ? e.name : 'unknown' });
      return false;
    }),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(lambdaHandler);
