import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount, LogGroupLogDestination, type RestApi, type StageOptions } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ApiName } from '../../shared/http/routes';
import { METRIC, METRICS_NAMESPACE } from '../../shared/observability';
import { REFUSALS } from '../../shared/tokens/authorize';
import type { FunctionKey } from '../functions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { ChangeEvents } from './change-events';
import { API_LABELS } from './rest-apis';
import type { ScheduledJob } from './scheduled-job';

/**
 * When each alarm fires. Written once here; the README's alarm table explains each one.
 * Periods are five minutes unless said otherwise.
 */
export const ALARM_THRESHOLDS = {
  /** Share of SCIM requests answered 5xx in a period (with at least `minRequests` requests). */
  scimServerErrorRate: 0.05,
  /** Share of SCIM requests answered 4xx, three periods running: a misconfigured or broken client. */
  scimClientErrorRate: 0.5,
  /** Requests a period must have before a rate alarm may fire (a lone failure is not a rate). */
  minRequests: 10,
  /** Refused SCIM authentications in a period: a wrong or revoked token, or someone guessing. */
  authRefusals: 50,
  /** Requests API Gateway answered 429 (throttled) in a period. */
  throttledRequests: 10,
  /** p99 latency of the SCIM API in ms, three periods running (Okta gives up after 60 s). */
  scimLatencyP99Ms: 5000,
  /**
   * 5xx answers of the token endpoint in a period. A count, not a share: SCIM clients ask for a token
   * about once an hour, far below `minRequests`, and each failure is a provisioning cycle that
   * cannot start (KMS signing or the table failing, or a broken grant).
   */
  tokenEndpointServerErrors: 1,
  /** Requests a web ACL blocked in a period: an attack, or (if provisioning fails too) a rule that misfires. */
  wafBlockedRequests: 100,
  /** How far (ms) the change events may fall behind the table's stream. */
  eventStreamLagMs: 300_000,
} as const;

export interface MonitoringProps {
  logRetention: RetentionDays;
  /** An address subscribed to the alert topic. */
  alertEmail?: string;
}

export interface WatchTargets {
  apis: Record<ApiName, RestApi>;
  functions: Record<FunctionKey, IFunction>;
  jobs: Record<string, ScheduledJob>;
  /** The change-event pipeline: failed dispatches, stream lag, dead letters. */
  events?: ChangeEvents;
  /** The CloudWatch metric name (the WebACL dimension) of each API's web ACL, when AWS WAF is on. */
  webAcls?: Partial<Record<ApiName, string>>;
}

/** The principal CloudWatch alarms publish as, limited to alarms of this account and region. */
function alarmPublisher(): { principal: ServicePrincipal; conditions: Record<string, Record<string, string>> } {
  return {
    principal: new ServicePrincipal('cloudwatch.amazonaws.com'),
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    },
  };
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator watches, in one place: the alert topic (token expiry warnings and every alarm;
 * encrypted with a key of its own, published to over TLS only), API Gateway access logs (JSON, no
 * headers; kept when the stack is deleted) and X-Ray tracing for every API stage, the alarms (AWS
 * WAF's blocked requests among them, when WAF is on), and a dashboard of the same signals. The functions' side (Powertools logs and metrics, X-Ray) is in
 * shared/observability.ts and the project function construct.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly accessLogs: Partial<Record<ApiName, LogGroup>> = {};
  /** API Gateway writes access logs with this account-level role. */
  private readonly account: CfnAccount;
  private readonly serviceName: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MonitoringProps,
  ) {
    super(scope, id);
    this.serviceName = Stack.of(this).stackName;
    // A key of our own ($1 a month): CloudWatch alarms cannot publish to a topic encrypted with the
    // AWS managed key of SNS, whose key policy cannot grant them its use.
    const publisher = alarmPublisher();
    const key = new Key(this, 'AlertsKey', {
      description: 'Encrypts the SCIM provisioning alert topic',
      enableKeyRotation: true,
      // Nothing encrypted with it is kept: SNS delivers and forgets.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [publisher.principal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: publisher.conditions,
      }),
    );
    this.topic = new Topic(this, 'Alerts', { displayName: 'SCIM provisioning alerts', masterKey: key, enforceSSL: true });
    // The topic policy (which enforceSSL creates) replaces SNS's default one: CloudWatch alarms are named.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [publisher.principal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: publisher.conditions,
      }),
    );
    if (props.alertEmail) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alertEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail subscription: what SNS cannot deliver is a mailbox that bounces, which a queue would not fix. Every alarm stays visible in CloudWatch and on the dashboard, and token expiry warnings repeat in the TokenExpiresIn7Days alarm.',
      });
    }
    new CfnOutput(scope, 'AlertTopicArn', {
      value: this.topic.topicArn,
      description: 'Token expiry warnings and alarms: subscribe operators here',
    });
    const role = new Role(this, 'ApiGatewayLogsRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "The account-level role API Gateway writes every REST API's logs with, in this account and region (AWS::ApiGateway::Account): the AWS managed policy is the one AWS documents for it and keeps current. Scoping it to this stack's log groups would stop the logs of every other API in the region.",
    });
    this.account = new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }

  /** Access logs and tracing for an API's stage. */
  stageOptions(api: ApiName): Pick<StageOptions, 'accessLogDestination' | 'accessLogFormat' | 'tracingEnabled'> {
    const group = new LogGroup(this, `${API_LABELS[api]}AccessLogs`, {
      retention: this.props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogs[api] = group;
    return {
      accessLogDestination: new LogGroupLogDestination(group),
      accessLogFormat: accessLogFormat(this.serviceName),
      tracingEnabled: true,
    };
  }

  private metric(name: string, dimensions: Record<string, string> = {}, statistic = 'Sum', period = FIVE_MINUTES): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: this.serviceName, ...dimensions },
      statistic,
      period,
    });
  }

  /** A metric of a whole web ACL (all its rules) in this region. */
  private wafMetric(name: 'BlockedRequests' | 'CountedRequests', webAcl: string): Metric {
    return new Metric({
      namespace: 'AWS/WAFV2',
      metricName: name,
      dimensionsMap: { WebACL: webAcl, Region: Stack.of(this).region, Rule: 'ALL' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
  }

  private alarm(id: string, description: string, metric: IMetric, threshold: number, evaluationPeriods = 1): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  /** Alarms and the dashboard over what the stack built. */
  watch(targets: WatchTargets): void {
    for (const api of Object.values(targets.apis)) {
      api.deploymentStage.node.addDependency(this.account);
      Validations.of(api.deploymentStage).acknowledge(
        {
          id: 'Serverless-APIGWStructuredLogging',
          reason:
            'The access log is one JSON object per request (accessLogFormat); status and latencyMs are unquoted on purpose so that metric filters compare them as numbers, which makes the format string itself (before API Gateway substitutes the values) not parse as JSON.',
        },
        {
          id: 'AwsSolutions-APIG6',
          reason:
            "The JSON access log records every request with its status, latencies, authorizer status and API Gateway's error type and message; execution logs would add a log group API Gateway creates itself, outside the stack and without retention.",
        },
      );
    }
    const scim = targets.apis.scim.deploymentStage;
    const t = ALARM_THRESHOLDS;

    const requests = scim.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    // `id` names the error metric inside the expression (two expressions in one graph need distinct ids).
    const rate = (id: string, errors: IMetric, label: string): MathExpression =>
      new MathExpression({
        expression: `IF(requests >= ${t.minRequests}, ${id} / requests, 0)`,
        usingMetrics: { [id]: errors, requests },
        period: FIVE_MINUTES,
        label,
      });
    const serverErrorRate = rate('errors5xx', scim.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), 'SCIM 5xx rate');
    const clientErrorRate = rate('errors4xx', scim.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }), 'SCIM 4xx rate');
    this.alarm(
      'ScimServerErrorRate',
      `More than ${t.scimServerErrorRate * 100}% of SCIM requests failed with 5xx`,
      serverErrorRate,
      t.scimServerErrorRate,
    );
    this.alarm(
      'ScimClientErrorRate',
      `More than ${t.scimClientErrorRate * 100}% of SCIM requests were refused (4xx) for 15 minutes: check the identity provider's configuration`,
      clientErrorRate,
      t.scimClientErrorRate,
      3,
    );

    const refusals = new MathExpression({
      expression: REFUSALS.map((_, i) => `r${i}`).join(' + '),
      usingMetrics: Object.fromEntries(REFUSALS.map((reason, i) => [`r${i}`, this.metric(METRIC.authRefusals, { reason })])),
      period: FIVE_MINUTES,
      label: 'Refused SCIM authentications',
    });
    this.alarm('AuthRefusals', `At least ${t.authRefusals} SCIM authentications were refused in 5 minutes`, refusals, t.authRefusals);

    const throttled = this.metric('ThrottledRequests');
    for (const [api, group] of Object.entries(this.accessLogs) as [ApiName, LogGroup][]) {
      new MetricFilter(this, `${API_LABELS[api]}Throttled`, {
        logGroup: group,
        filterPattern: FilterPattern.numberValue('$.status', '=', 429),
        metricNamespace: METRICS_NAMESPACE,
        metricName: 'ThrottledRequests',
        metricValue: '1',
        dimensions: { service: '$.service' },
      });
    }
    this.alarm('Throttled', `At least ${t.throttledRequests} requests were throttled (429) in 5 minutes`, throttled, t.throttledRequests);

    const p99 = scim.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    this.alarm('ScimLatencyP99', `SCIM p99 latency above ${t.scimLatencyP99Ms} ms for 15 minutes`, p99, t.scimLatencyP99Ms, 3);

    // The token function turns an unexpected error into a 500 answer (not a failed invocation), so
    // its Errors alarm does not see a failing KMS Sign or table read: the stage's 5xx count does.
    const tokenServerErrors = targets.apis.oauth.deploymentStage.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    this.alarm(
      'TokenEndpointServerErrors',
      "The token endpoint answered 5xx: SCIM clients cannot get access tokens (KMS signing or the table failing); see the token function's log",
      tokenServerErrors,
      t.tokenEndpointServerErrors,
    );

    for (const [key, fn] of Object.entries(targets.functions)) {
      const name = key.charAt(0).toUpperCase() + key.slice(1);
      this.alarm(`${name}Errors`, `The ${key} function failed`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1);
      this.alarm(
        `${name}Throttles`,
        `The ${key} function was throttled`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
      );
    }

    for (const [name, job] of Object.entries(targets.jobs)) {
      const failed = new MathExpression({
        expression: 'errors + failedInvocations',
        usingMetrics: {
          errors: job.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          failedInvocations: new Metric({
            namespace: 'AWS/Events',
            metricName: 'FailedInvocations',
            dimensionsMap: { RuleName: job.rule.ruleName },
            period: FIVE_MINUTES,
            statistic: 'Sum',
          }),
        },
        period: FIVE_MINUTES,
        label: `${name} failures`,
      });
      this.alarm(`${name}JobFailed`, `A scheduled run of ${name} failed or could not be started`, failed, 1);
      const waiting = job.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' });
      this.alarm(`${name}DeadLetters`, `Runs of ${name} gave up and wait in its dead-letter queue`, waiting, 1);
    }

    if (targets.events) {
      const ev = targets.events;
      this.alarm(
        'EventDispatchFailed',
        'Change events could not be logged, put on the event bus or queued for webhooks (the stream retries them)',
        this.metric(METRIC.eventDispatchFailures),
        1,
      );
      this.alarm(
        'EventStreamLag',
        `Change events are more than ${t.eventStreamLagMs / 60_000} minutes behind the table's changes (records expire after 24 hours)`,
        ev.dispatcher.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' }),
        t.eventStreamLagMs,
      );
      const visible = (q: Queue): IMetric => q.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' });
      this.alarm(
        'EventStreamDeadLetters',
        'Change events gave up on stream records (their positions wait in StreamDeadLetters)',
        visible(ev.streamDeadLetters),
        1,
      );
      this.alarm(
        'WebhookDeadLetters',
        'Webhook deliveries failed every attempt and wait in DeliveryDeadLetters',
        visible(ev.deliveriesDeadLetters),
        1,
      );
    }

    for (const [api, webAcl] of Object.entries(targets.webAcls ?? {}) as [ApiName, string][]) {
      this.alarm(
        `${API_LABELS[api]}WafBlocked`,
        `AWS WAF blocked at least ${t.wafBlockedRequests} ${api} API requests in 5 minutes: an attack, or (if provisioning fails too) a rule blocking the identity provider; see the web ACL's sampled requests`,
        this.wafMetric('BlockedRequests', webAcl),
        t.wafBlockedRequests,
      );
    }

    const expiring7 = this.metric(METRIC.tokensExpiring7, {}, 'Maximum', Duration.hours(1));
    this.alarm(
      'TokenExpiresIn7Days',
      'A SCIM token expires within 7 days: generate a new one, set it in the identity provider, delete the old one',
      expiring7,
      1,
    );

    this.dashboard(targets, { requests, serverErrorRate, clientErrorRate, refusals, throttled, p99, tokenServerErrors });
  }

  private dashboard(
    targets: WatchTargets,
    m: {
      requests: IMetric;
      serverErrorRate: IMetric;
      clientErrorRate: IMetric;
      refusals: IMetric;
      throttled: IMetric;
      p99: IMetric;
      tokenServerErrors: IMetric;
    },
  ): void {
    const search = (metricName: string, dims: string[]): MathExpression =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${['service', ...dims].join(',')}} MetricName="${metricName}" service="${this.serviceName}"', 'Sum', 300)`,
        period: FIVE_MINUTES,
      });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []): GraphWidget =>
      new GraphWidget({ title, left, right, width: 12, height: 6 });
    const fns = Object.entries(targets.functions);
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# SCIM provisioning (${this.serviceName})\nAlarms go to the alert topic. See the README's *Operating the service* for what each alarm means.`,
          width: 24,
          height: 2,
        }),
      ],
      [new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
      [
        graph('SCIM requests and error rates', [m.requests], [m.serverErrorRate, m.clientErrorRate]),
        graph('SCIM latency p99 (ms)', [m.p99]),
      ],
      [
        graph('SCIM requests by operation and outcome', [search(METRIC.scimRequests, ['operation', 'outcome'])]),
        graph('Refused authentications by reason', [search(METRIC.authRefusals, ['reason'])], [m.throttled]),
      ],
      [
        graph('Token endpoint requests by outcome (issued or the OAuth error)', [search(METRIC.tokenRequests, ['outcome'])]),
        graph(
          'Token endpoint 5xx and p99 latency (ms)',
          [m.tokenServerErrors],
          [targets.apis.oauth.deploymentStage.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' })],
        ),
      ],
      [
        graph(
          'Function errors',
          fns.map(([, fn]) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
        ),
        graph(
          'Function throttles and p99 duration',
          fns.map(([, fn]) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })),
          fns.map(([, fn]) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })),
        ),
      ],
      [
        graph('Write conflicts', [search(METRIC.writeConflicts, ['resourceType'])]),
        graph(
          'Membership cleanup: backlog and removed',
          [this.metric(METRIC.cleanupBacklog, {}, 'Maximum')],
          [this.metric(METRIC.cleanupRemoved)],
        ),
      ],
      [
        graph('Tokens expiring within 30 and 7 days', [
          this.metric(METRIC.tokensExpiring30, {}, 'Maximum', Duration.hours(1)),
          this.metric(METRIC.tokensExpiring7, {}, 'Maximum', Duration.hours(1)),
        ]),
        graph(
          'Dead-letter queues',
          Object.values(targets.jobs).map((job) =>
            job.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
          ),
        ),
      ],
    ];
    const webAcls = Object.values(targets.webAcls ?? {});
    if (webAcls.length > 0) {
      rows.push([
        graph(
          'AWS WAF: blocked requests',
          webAcls.map((acl) => this.wafMetric('BlockedRequests', acl)),
        ),
        graph(
          'AWS WAF: requests matched by rules in count mode',
          webAcls.map((acl) => this.wafMetric('CountedRequests', acl)),
        ),
      ]);
    }
    new Dashboard(this, 'Dashboard', { widgets: rows, defaultInterval: Duration.hours(24) });
  }
}

/**
 * One JSON line per request: request id, caller IP, method, route and path (never the query string
 * or a header value), status, latencies, the authorizer's principal (a token id, not a token) and the
 * X-Ray trace. `status` and `latencyMs` are numbers (the throttling metric filter compares them);
 * `service` is the stack's name, the dimension the throttling metric is kept under.
 */
export function accessLogFormat(serviceName: string): AccessLogFormat {
  if (!/^[\w-]+$/.test(serviceName)) throw new Error(`A stack name for the access log must be letters, digits, - or _, not ${serviceName}`);
  const quoted: Record<string, string> = {
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    requestTime: '$context.requestTimeEpoch',
    method: '$context.httpMethod',
    route: '$context.resourcePath',
    path: '$context.path',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    integrationLatencyMs: '$context.integrationLatency',
    authorizerStatus: '$context.authorizer.status',
    authorizerLatencyMs: '$context.authorizer.latency',
    principalId: '$context.authorizer.principalId',
    errorType: '$context.error.responseType',
    errorMessage: '$context.error.message',
    xrayTraceId: '$context.xrayTraceId',
    service: serviceName,
  };
  const numbers: Record<string, string> = { status: '$context.status', latencyMs: '$context.responseLatency' };
  const fields = [...Object.entries(quoted).map(([k, v]) => `"${k}":"${v}"`), ...Object.entries(numbers).map(([k, v]) => `"${k}":${v}`)];
  return AccessLogFormat.custom(`{${fields.join(',')}}`);
}
