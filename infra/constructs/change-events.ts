import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_FORM_ENV, EVENT_RETENTION_DAYS_ENV } from '../../functions/events/config';
import { EVENT_BUS_ENV } from '../../shared/notify/eventbridge';
import { DELIVERY_QUEUE_ENV } from '../../shared/notify/sqs';
import type { EventForm } from '../../shared/scim/events/change-event';
import { MAX_DELIVERY_ATTEMPTS } from '../../shared/scim/events/webhook-rules';
import { CHANGE_STREAM_FILTER } from '../../shared/store/change-stream';
import { FUNCTIONS } from '../functions';
import { ProjectFunction } from './project-function';

export interface ChangeEventsProps {
  table: ITable;
  logRetention: RetentionDays;
  form: EventForm;
  retentionDays: number;
}

/**
 * The change events: the table's stream (user and group items only, filtered by the event
 * source) runs the events function, which logs each event, puts it on the stack's EventBridge bus
 * and queues it for the webhooks on an SQS FIFO queue (in order per webhook and resource, one
 * message per webhook and event); the webhook sender delivers from the queue, retrying with
 * backoff for 31.7 hours, then dead-letters. A stream batch that keeps failing is retried until
 * its records expire (24 hours), and its position then lands in a dead-letter queue of its own.
 */
export class ChangeEvents extends Construct {
  readonly bus: EventBus;
  readonly dispatcher: ProjectFunction;
  readonly sender: ProjectFunction;
  readonly deliveries: Queue;
  readonly deliveriesDeadLetters: Queue;
  readonly streamDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: ChangeEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Change events of provisioned users and groups (RFC 9967 event types)' });

    const queue = (qid: string, fifo: boolean, extra: Partial<ConstructorParameters<typeof Queue>[2]> = {}): Queue =>
      new Queue(this, qid, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        ...(fifo ? { fifo } : {}),
        ...extra,
      });
    this.deliveriesDeadLetters = queue('DeliveryDeadLetters', true);
    this.streamDeadLetters = queue('StreamDeadLetters', false);
    for (const q of [this.deliveriesDeadLetters, this.streamDeadLetters]) {
      const reason = 'A dead-letter queue itself: its messages are kept 14 days and alarmed on; a queue behind it would only move them.';
      Validations.of(q).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
      if (q === this.streamDeadLetters)
        Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: `${reason} (the stream event source's on-failure destination)` });
    }
    const senderTimeout = FUNCTIONS.webhookSender.timeoutSeconds;
    this.deliveries = queue('Deliveries', true, {
      // Lambda's advice: six times the function's timeout. Each failed delivery sets its own backoff.
      visibilityTimeout: Duration.seconds(6 * senderTimeout),
      retentionPeriod: Duration.days(4),
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      deadLetterQueue: { queue: this.deliveriesDeadLetters, maxReceiveCount: MAX_DELIVERY_ATTEMPTS },
    });

    const noDeadLetterReason =
      'Invoked by an event source mapping, which holds the failed records: the stream retries them, then sends their position to the StreamDeadLetters queue; the delivery queue dead-letters to DeliveryDeadLetters.';
    this.dispatcher = new ProjectFunction(this, 'Dispatcher', {
      function: 'events',
      table: props.table,
      logRetention: props.logRetention,
      noDeadLetterReason,
      environment: {
        [EVENT_BUS_ENV]: this.bus.eventBusName,
        [DELIVERY_QUEUE_ENV]: this.deliveries.queueUrl,
        [EVENT_FORM_ENV]: props.form,
        [EVENT_RETENTION_DAYS_ENV]: String(props.retentionDays),
      },
    });
    this.bus.grantPutEventsTo(this.dispatcher);
    this.deliveries.grantSendMessages(this.dispatcher);
    this.dispatcher.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(0),
        // Ordered per item: one batch per shard at a time. Retried until the records expire (24 h).
        parallelizationFactor: 1,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.streamDeadLetters),
        filters: [FilterCriteria.filter(CHANGE_STREAM_FILTER)],
      }),
    );

    this.sender = new ProjectFunction(this, 'Sender', {
      function: 'webhookSender',
      table: props.table,
      logRetention: props.logRetention,
      noDeadLetterReason,
      environment: { [DELIVERY_QUEUE_ENV]: this.deliveries.queueUrl, [EVENT_RETENTION_DAYS_ENV]: String(props.retentionDays) },
    });
    const source = new SqsEventSource(this.deliveries, { batchSize: 10, reportBatchItemFailures: true });
    this.sender.addEventSource(source);
    const mapping = this.sender.node.findAll().find((c) => c.node.id.startsWith('SqsEventSource'));
    if (mapping) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: `A delivery that fails every attempt goes to DeliveryDeadLetters through the queue's redrive policy (after ${MAX_DELIVERY_ATTEMPTS} receives); an SQS event source has no on-failure destination of its own.`,
      });
    }

    new CfnOutput(scope, 'EventBusName', { value: this.bus.eventBusName, description: 'The EventBridge bus of the change events' });
  }
}
