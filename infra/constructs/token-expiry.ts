import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EXPIRY_TOPIC_ENV, RETENTION_DAYS_ENV } from '../../functions/token-expiry/config';
import { ScheduledJob } from './scheduled-job';

export interface TokenExpiryProps {
  table: ITable;
  logRetention: RetentionDays;
  /** Days an Expired token stays visible before TTL removes it. */
  retentionDays: number;
  /** Where the warnings go (the operators' alert topic). */
  topic: ITopic;
}

/** The hourly job that marks expired tokens Expired and warns operators before expiry. */
export class TokenExpiry extends Construct {
  readonly job: ScheduledJob;

  constructor(scope: Construct, id: string, props: TokenExpiryProps) {
    super(scope, id);
    this.job = new ScheduledJob(this, 'Job', {
      function: 'tokenExpiry',
      table: props.table,
      logRetention: props.logRetention,
      description: 'Runs the SCIM token expiry job every hour',
      schedule: Schedule.rate(Duration.hours(1)),
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      environment: {
        [EXPIRY_TOPIC_ENV]: props.topic.topicArn,
        [RETENTION_DAYS_ENV]: String(props.retentionDays),
      },
    });
    props.topic.grantPublish(this.job.fn);
    const policy = this.job.fn.role?.node.tryFindChild('DefaultPolicy');
    if (props.topic.masterKey && policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "Publishing to the KMS-encrypted alert topic: SNS needs kms:GenerateDataKey* and kms:Decrypt on the topic's key (Topic.grantPublish), and the statement names that one key.",
      });
    }
  }
}
