import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { systemClock } from '../../shared/clock';
import { numberEnv, requireEnv } from '../../shared/config';
import { awsClientConfig } from '../../shared/notify/client-config';
import { EVENT_BUS_ENV, EventBridgeBus } from '../../shared/notify/eventbridge';
import { DELIVERY_QUEUE_ENV, SqsDeliveryQueue } from '../../shared/notify/sqs';
import { logger, METRIC, metricSink } from '../../shared/observability';
import { dispatchChanges } from '../../shared/scim/events/dispatch';
import { streamChange } from '../../shared/store/change-stream';
import { createDocumentClient } from '../../shared/store/client';
import { DEFAULT_EVENT_RETENTION_DAYS, DynamoEventLog } from '../../shared/store/event-log-repository';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { DynamoWebhookStore } from '../../shared/store/webhook-repository';
import { EVENT_RETENTION_DAYS_ENV, eventForm } from './config';

const db = createDocumentClient();
const tableName = requireEnv(TABLE_NAME_ENV);
const sink = metricSink();
const deps = {
  log: new DynamoEventLog(db, tableName, { retentionDays: numberEnv(EVENT_RETENTION_DAYS_ENV, DEFAULT_EVENT_RETENTION_DAYS) }),
  bus: new EventBridgeBus(new EventBridgeClient(awsClientConfig()), requireEnv(EVENT_BUS_ENV)),
  queue: new SqsDeliveryQueue(new SQSClient(awsClientConfig()), requireEnv(DELIVERY_QUEUE_ENV)),
  webhooks: new DynamoWebhookStore(db, tableName),
  clock: systemClock,
  form: eventForm(),
};

/** The table's change stream (user and group items only: the event source's filter) to change events. */
export const lambdaHandler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const result = await dispatchChanges(event.Records.map(streamChange), deps);
  sink.count(METRIC.changeEvents, undefined, result.published);
  const counts = {
    records: event.Records.length,
    events: result.events,
    logged: result.logged,
    published: result.published,
    queued: result.queued,
  };
  if (result.failedFrom === undefined) {
    logger.info('Change events dispatched', counts);
    return { batchItemFailures: [] };
  }
  sink.count(METRIC.eventDispatchFailures);
  const error = result.error instanceof Error ? `${result.error.name}: ${result.error.message}` : 'unknown';
  logger.error('Change events left to a retry', { ...counts, error });
  return { batchItemFailures: [{ itemIdentifier: result.failedFrom }] };
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(lambdaHandler);
