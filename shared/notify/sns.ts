import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

/** Publishes operator notifications to an SNS topic (operators subscribe an email to it). */
export class SnsNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(subject: string, message: string): Promise<void> {
    await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Subject: subject.slice(0, 99), Message: message }));
  }
}
