/**
 * What an operator watches, on the synthesized template: access logs and tracing on every API
 * stage, tracing on every function, dead-letter queues for the scheduled jobs, every alarm the
 * README lists (each routed to the alert topic), and a dashboard of the same signals. Metric and
 * dimension names are written out here as an operator would type them, not read from the code.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { CDK_HANDLER_ID, cdkApp } from '../support/cdk-app';

type Resource = { Type: string; Properties?: Record<string, unknown> };
let resources: Record<string, Resource>;

beforeAll(() => {
  const stack = new ScimProvisioningStack(cdkApp('test-monitoring'), 'Mon', { ...DEFAULT_CONFIG, alertEmail: 'ops@example.com' });
  resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string): [string, Record<string, unknown>][] =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
const json = (v: unknown): string => JSON.stringify(v);

describe('API stages', () => {
  it('all three (SCIM, admin, token endpoint) write JSON access logs with request id, route, status, latency and caller IP, and no header value', () => {
    const stages = ofType('AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(3);
    const logGroupIds = ofType('AWS::Logs::LogGroup').map(([id]) => id);
    for (const [, stage] of stages) {
      const setting = stage.AccessLogSetting as { DestinationArn: unknown; Format: string };
      expect(logGroupIds.some((id) => json(setting.DestinationArn).includes(id))).toBe(true);
      // A valid JSON object once API Gateway has put values in (numbers stay numbers).
      const sample = JSON.parse(setting.Format.replace(/\$context\.[\w.]+/g, (v) => (/status|responseLatency/.test(v) ? '200' : 'x')));
      expect(sample).toMatchObject({ requestId: 'x', ip: 'x', method: 'x', route: 'x', status: 200, latencyMs: 200 });
      expect(setting.Format).toContain('$context.identity.sourceIp');
      expect(setting.Format).toContain('$context.resourcePath');
      expect(setting.Format).not.toMatch(/authorization|\$input|\$method\.request\.header|querystring/i);
    }
  });

  it('all trace with X-Ray', () => {
    for (const [, stage] of ofType('AWS::ApiGateway::Stage')) expect(stage.TracingEnabled).toBe(true);
  });

  it('may write to CloudWatch Logs through the account-level API Gateway role', () => {
    const [account] = ofType('AWS::ApiGateway::Account');
    expect(account?.[1].CloudWatchRoleArn).toBeDefined();
  });
});

describe('functions', () => {
  // Not CDK's two handlers of the console bucket, which run only during deployments and have no tracing setting.
  const functions = (): [string, Record<string, unknown>][] => ofType('AWS::Lambda::Function').filter(([id]) => !CDK_HANDLER_ID.test(id));

  it('all trace with X-Ray (active tracing)', () => {
    const fns = functions();
    expect(fns.length).toBe(8);
    for (const [, fn] of fns) expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('name Powertools after the stack, so two stacks keep their metrics apart', () => {
    for (const [, fn] of functions()) {
      expect((fn.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_SERVICE_NAME).toBe('Mon');
    }
  });
});

describe('scheduled jobs', () => {
  const scheduled = (): [string, Record<string, unknown>][] =>
    ofType('AWS::Lambda::Function').filter(([, fn]) => /expired SCIM tokens|memberships of deleted/.test(String(fn.Description)));

  it('both send a failed run to a dead-letter queue of their own, from Lambda and from EventBridge', () => {
    const queues = ofType('AWS::SQS::Queue').map(([id]) => id);
    const jobs = scheduled();
    expect(jobs).toHaveLength(2);
    const used = new Set<string>();
    for (const [fnId, fn] of jobs) {
      const queue = queues.find((q) => json((fn.DeadLetterConfig as { TargetArn: unknown }).TargetArn).includes(q));
      expect(queue).toBeDefined();
      used.add(String(queue));
      const [, rule] = ofType('AWS::Events::Rule').find(([, r]) => json(r.Targets).includes(fnId)) ?? [];
      const target = (rule?.Targets as { DeadLetterConfig?: { Arn: unknown } }[])[0];
      expect(json(target?.DeadLetterConfig?.Arn)).toContain(String(queue));
    }
    expect(used.size).toBe(2);
  });

  it('keep their queues (and the change events ones) encrypted and reachable only over TLS', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(5); // 2 job dead letters, deliveries and its dead letters, the stream's dead letters
    for (const [, q] of queues) expect(q.SqsManagedSseEnabled).toBe(true);
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => json(p.PolicyDocument));
    expect(policies.filter((p) => p.includes('"aws:SecureTransport":"false"'))).toHaveLength(5);
  });
});

describe('alarms', () => {
  const alarms = (): Record<string, unknown>[] => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a);
  const topicId = (): string => {
    const topics = ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    return topics[0]?.[0] ?? '';
  };
  /** The alarms whose metrics (direct or inside an expression) are `name` in `namespace`. */
  const on = (namespace: string, name: string): Record<string, unknown>[] =>
    alarms().filter((a) => {
      const direct = a.Namespace === namespace && a.MetricName === name;
      const inMath = ((a.Metrics ?? []) as { MetricStat?: { Metric: { Namespace: string; MetricName: string } } }[]).some(
        (m) => m.MetricStat?.Metric.Namespace === namespace && m.MetricStat.Metric.MetricName === name,
      );
      return direct || inMath;
    });

  it('all go to the alert topic, which the alert e-mail is subscribed to', () => {
    const topic = topicId();
    expect(alarms()).toHaveLength(34); // with the three WAF alarms (test/infra/waf.test.ts)
    for (const a of alarms()) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    const [, sub] = ofType('AWS::SNS::Subscription')[0] ?? [];
    expect(sub).toMatchObject({ Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topic } });
  });

  it('watch the SCIM 5xx rate and a 4xx-rate spike, as shares of the SCIM API requests', () => {
    // (The token endpoint's 5xx alarm counts its own stage's errors directly: the next test.)
    const [server] = on('AWS/ApiGateway', '5XXError').filter((a) => a.Metrics !== undefined);
    const [client] = on('AWS/ApiGateway', '4XXError');
    for (const a of [server, client]) {
      expect(a).toBeDefined();
      expect(json(a?.Metrics)).toContain('"MetricName":"Count"');
      expect(json(a?.Metrics)).toMatch(/errors[45]xx \/ requests/);
    }
    expect(server?.Threshold).toBe(0.05);
    expect(client?.Threshold).toBe(0.5);
    expect(client?.EvaluationPeriods).toBe(3);
  });

  it('watch refused authentications of every reason together', () => {
    const [a] = on('ScimProvisioning', 'AuthRefusals');
    const reasons = ((a?.Metrics ?? []) as { MetricStat?: { Metric: { Dimensions: { Name: string; Value: string }[] } } }[])
      .flatMap((m) => m.MetricStat?.Metric.Dimensions ?? [])
      .filter((d) => d.Name === 'reason')
      .map((d) => d.Value)
      .sort();
    expect(reasons).toEqual(['expired', 'inactive', 'malformed', 'mismatch', 'missing', 'unknown']);
  });

  it('watch every 5xx of the token endpoint: a count on its own stage (SCIM clients ask for a token about once an hour)', () => {
    const direct = on('AWS/ApiGateway', '5XXError').filter((a) => a.Metrics === undefined);
    expect(direct).toHaveLength(1);
    const [alarm] = direct;
    expect(alarm).toMatchObject({ Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const apiName = (alarm?.Dimensions as { Name: string; Value: unknown }[]).find((d) => d.Name === 'ApiName')?.Value;
    const [, oauthApi] = ofType('AWS::ApiGateway::RestApi').find(([, p]) => /OAuth 2.0 token endpoint/.test(String(p.Description))) ?? [];
    expect(apiName).toBeDefined();
    expect(apiName).toEqual(oauthApi?.Name);
  });

  it('watch throttling (429) on every API through their access logs', () => {
    expect(on('ScimProvisioning', 'ThrottledRequests')).toHaveLength(1);
    const filters = ofType('AWS::Logs::MetricFilter');
    expect(filters).toHaveLength(3);
    const accessLogs = ofType('AWS::ApiGateway::Stage').map(([, s]) =>
      json((s.AccessLogSetting as { DestinationArn: unknown }).DestinationArn),
    );
    for (const [, f] of filters) {
      expect(accessLogs.some((arn) => arn.includes(String((f.LogGroupName as { Ref: string }).Ref)))).toBe(true);
      expect(f.FilterPattern).toBe('{ $.status = 429 }');
      expect((f.MetricTransformations as { MetricName: string }[])[0]?.MetricName).toBe('ThrottledRequests');
    }
  });

  it('watch the p99 latency of the SCIM API', () => {
    const [a] = on('AWS/ApiGateway', 'Latency');
    expect(a?.ExtendedStatistic).toBe('p99');
    expect(a?.Threshold).toBe(5000);
  });

  it('watch errors and throttles of every function', () => {
    expect(on('AWS/Lambda', 'Errors').filter((a) => a.MetricName === 'Errors')).toHaveLength(8);
    expect(on('AWS/Lambda', 'Throttles')).toHaveLength(8);
  });

  it('watch each scheduled job: a failed run or one EventBridge could not start, and its dead letters', () => {
    expect(on('AWS/Events', 'FailedInvocations')).toHaveLength(2);
    const dlq = on('AWS/SQS', 'ApproximateNumberOfMessagesVisible').filter((a) => /Runs of/.test(String(a.AlarmDescription)));
    expect(dlq).toHaveLength(2);
    for (const a of dlq) expect(a.Threshold).toBe(1);
  });

  it('watch the change events: a failed dispatch, the stream falling behind, and both dead-letter queues', () => {
    const [failed] = on('ScimProvisioning', 'EventDispatchFailures');
    expect(failed).toMatchObject({ Threshold: 1, Statistic: 'Sum' });
    const [lag] = on('AWS/Lambda', 'IteratorAge');
    expect(lag).toMatchObject({ Threshold: 300_000, Statistic: 'Maximum' });
    expect(json(lag?.Dimensions)).toContain('ChangeEventsDispatcher');
    const dead = on('AWS/SQS', 'ApproximateNumberOfMessagesVisible').filter((a) => !/Runs of/.test(String(a.AlarmDescription)));
    expect(dead.map((a) => json(a.Dimensions)).sort()).toEqual([
      expect.stringContaining('ChangeEventsDeliveryDeadLetters'),
      expect.stringContaining('ChangeEventsStreamDeadLetters'),
    ]);
  });

  it('warn when a token expires within 7 days', () => {
    const [a] = on('ScimProvisioning', 'TokensExpiringWithin7Days');
    expect(a).toMatchObject({ Statistic: 'Maximum', Threshold: 1, Period: 3600 });
  });
});

describe('dashboard', () => {
  it('shows the same signals', () => {
    const [, dashboard] = ofType('AWS::CloudWatch::Dashboard')[0] ?? [];
    const body = json(dashboard?.DashboardBody);
    for (const signal of [
      '5XXError',
      '4XXError',
      'Latency',
      'ScimRequests',
      'operation',
      'outcome',
      'TokenRequests',
      'AuthRefusals',
      'ThrottledRequests',
      'WriteConflicts',
      'MembershipCleanupBacklog',
      'TokensExpiringWithin30Days',
      'TokensExpiringWithin7Days',
      'ApproximateNumberOfMessagesVisible',
      'Throttles',
      'Errors',
      'AWS/WAFV2',
      'BlockedRequests',
      'CountedRequests',
    ]) {
      expect({ signal, shown: body.includes(signal) }).toEqual({ signal, shown: true });
    }
    expect(body).toContain('alarm');
  });
});
