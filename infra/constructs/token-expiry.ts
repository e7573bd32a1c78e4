import { CfnOutput, Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { EXPIRY_TOPIC_ENV, RETENTION_DAYS_ENV } from '../../functions/token-expiry/config';
import { FUNCTIONS } from '../functions';
import { ProjectFunction } from './project-function';

export interface TokenExpiryProps {
  table: ITable;
  logRetention: RetentionDays;
  /** Days an Expired token stays visible before TTL removes it. */
  retentionDays: number;
  /** Optional address subscribed to the expiry warnings. */
  alertEmail?: string;
}

/** The hourly job that marks expired tokens Expired and warns operators before expiry. */
export class TokenExpiry extends Construct {
  readonly fn: ProjectFunction;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: TokenExpiryProps) {
    super(scope, id);
    this.topic = new Topic(this, 'ExpiryWarnings', { displayName: 'SCIM token expiry warnings' });
    if (props.alertEmail) this.topic.addSubscription(new EmailSubscription(props.alertEmail));
    this.fn = new ProjectFunction(this, 'Function', {
      spec: FUNCTIONS.tokenExpiry,
      table: props.table,
      logRetention: props.logRetention,
      environment: {
        [EXPIRY_TOPIC_ENV]: this.topic.topicArn,
        [RETENTION_DAYS_ENV]: String(props.retentionDays),
      },
    });
    this.topic.grantPublish(this.fn);
    new Rule(this, 'Hourly', {
      description: 'Runs the SCIM token expiry job every hour',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(this.fn, { retryAttempts: 2 })],
    });
    new CfnOutput(scope, 'TokenExpiryTopicArn', { value: this.topic.topicArn });
  }
}
