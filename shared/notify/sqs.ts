import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '../scim/events/ports';

export const DELIVERY_QUEUE_ENV = 'DELIVERY_QUEUE_URL';

/** The FIFO queue's group of a message: in order per webhook and resource (one resource's failing delivery holds back only its own later ones). */
export const deliveryGroup = (m: DeliveryMessage): string => `${m.webhookId}:${m.resourceId}`;
/** Its deduplication id: one message per webhook and event (SQS drops a repeat within 5 minutes; the sender drops later ones). */
export const deliveryDedupId = (m: DeliveryMessage): string => `${m.webhookId}:${m.eventId}`;

/** Webhook deliveries onto an SQS FIFO queue. */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly DeliveryMessage[]): Promise<{ failed: number[] }> {
    const out = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify(m),
          MessageGroupId: deliveryGroup(m),
          MessageDeduplicationId: deliveryDedupId(m),
        })),
      }),
    );
    return { failed: (out.Failed ?? []).map((f) => Number(f.Id)) };
  }

  /** Makes a received message visible again after `seconds` (the backoff of a failed delivery). */
  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.min(43_200, seconds),
      }),
    );
  }
}
