import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionKey } from '../functions';
import { ProjectFunction } from './project-function';

export interface ScheduledJobProps {
  function: FunctionKey;
  table: ITable;
  logRetention: RetentionDays;
  schedule: Schedule;
  description: string;
  environment?: Record<string, string>;
  /** Retries of a failed run (by EventBridge and by Lambda's asynchronous invocation). */
  retryAttempts: number;
  /** How long a run may wait for its turn before it is given up (and dead-lettered). */
  maxEventAge: Duration;
}

/**
 * A function run on an EventBridge schedule. A run that EventBridge cannot deliver, or that fails
 * after its retries, lands in the job's dead-letter queue (the queue is both the rule target's and
 * the function's asynchronous-invocation DLQ), where the monitoring construct alarms on it.
 */
export class ScheduledJob extends Construct {
  readonly fn: ProjectFunction;
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the job (of its rule target and of the function): its messages are kept 14 days and alarmed on (DeadLetters alarm); a queue behind it would only move them.',
    });
    this.fn = new ProjectFunction(this, 'Function', {
      function: props.function,
      table: props.table,
      logRetention: props.logRetention,
      ...(props.environment ? { environment: props.environment } : {}),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts,
    });
    this.rule = new Rule(this, 'Schedule', {
      description: props.description,
      schedule: props.schedule,
      targets: [
        new LambdaFunction(this.fn, {
          retryAttempts: props.retryAttempts,
          maxEventAge: props.maxEventAge,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    const invokeConfig = this.fn.node.tryFindChild('EventInvokeConfig');
    if (!invokeConfig) throw new Error('A scheduled job sets its retries, so its function has an EventInvokeConfig');
    Validations.of(invokeConfig).acknowledge({
      id: 'Serverless-LambdaAsyncFailureDestination',
      reason:
        "A failed run goes to the function's dead-letter queue (DeadLetterConfig), the queue the rule target also dead-letters to and the DeadLetters alarm watches; an on-failure destination as well would deliver every failed run twice.",
    });
  }
}
