/**
 * cdk-nag's AWS Solutions and Serverless packs on the stack as deployed by default, and without
 * WAF (with an alert e-mail, which adds a subscription): no finding may remain, neither error nor
 * warning, and CDK itself may warn about nothing. Every finding that is not fixed is acknowledged on
 * the construct it is about (never on the stack), for one rule id, with a reason.
 */
import { Validations, type App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { configFromContext } from '../../infra/app';
import { ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { cdkApp } from '../support/cdk-app';

interface Variant {
  app: App;
  stack: Stack;
}

const variants: Record<string, Variant> = {};

function build(name: string, context: Record<string, string>): Variant {
  const app = cdkApp(`test-nag-${name}`, context);
  const stack = new ScimProvisioningStack(app, `Nag${name}`, configFromContext(app));
  app.synth();
  return { app, stack };
}

beforeAll(() => {
  variants.default = build('Default', {});
  variants.noWaf = build('NoWaf', { waf: 'false', alertEmail: 'ops@example.com' });
});

/** Every acknowledgment in the tree: where, which rule, why. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each(['default', 'noWaf'])('cdk-nag on the %s stack', (name) => {
  const variant = (): Variant => {
    const v = variants[name];
    if (!v) throw new Error(`No variant ${name}`);
    return v;
  };

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks(undefined, { verbose: true })],
    ['Serverless', () => new ServerlessChecks(undefined, { verbose: true })],
  ] as const)('%s finds nothing unacknowledged, error or warning', (_pack, make) => {
    const report = make().validateScope(variant().stack);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('has no CDK warning or error', () => {
    const annotations = Annotations.fromStack(variant().stack);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges findings on the resources they are about, one rule each, with a reason, IAM wildcards by finding', () => {
    const { app, stack } = variant();
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path).not.toBe(stack.node.path);
      expect(ack.path).not.toBe(app.node.path);
      expect(ack.id).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[[^\]]+\])?$/);
      expect(ack.reason.length).toBeGreaterThan(60);
      // A wildcard finding is acknowledged for its one wildcard, never for the whole rule.
      if (/-IAM[45]$/.test(ack.id)) throw new Error(`${ack.path} acknowledges all of ${ack.id}`);
    }
  });
});

describe('acknowledgments', () => {
  it('are the ones a reviewer has read (a new one fails here until it is added, with its reason, to the list)', () => {
    const ids = (v: Variant | undefined): string[] => [...new Set(acknowledgments(v?.app as App).map((a) => a.id))].sort();
    const common = [
      'AwsSolutions-APIG2', // request validation: the functions validate SCIM and admin bodies and the token form
      'AwsSolutions-APIG4', // the public OpenAPI description, the token endpoint, and their 405 fallbacks
      'AwsSolutions-APIG6', // execution logs: the JSON access log covers them
      'AwsSolutions-CFR1', // the console distribution: no geo restriction
      'AwsSolutions-CFR2', // the console distribution: no WAF (static files; the admin API has its own)
      'AwsSolutions-CFR4', // the console distribution: the default *.cloudfront.net certificate
      'AwsSolutions-COG4', // SCIM routes use the SCIM token authorizer; public admin routes and the token endpoint
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', // publishing to the encrypted alert topic
      'AwsSolutions-IAM5[Resource::*]', // X-Ray
      'AwsSolutions-KMS5', // the access tokens' signing key is asymmetric: KMS cannot rotate it (a new key is deployed instead)
      'AwsSolutions-IAM5[Resource::<AdminConsoleFilesCE8E711B.Arn>/*]', // the console deployment writes its bucket's files
      'AwsSolutions-L1', // the console deployment's handler: CDK chooses its runtime
      'AwsSolutions-SMG4', // the cursor key needs no rotation
      'AwsSolutions-SQS3', // the stream's on-failure destination is a dead-letter queue
      'Serverless-APIGWStructuredLogging', // numbers unquoted in the JSON access log
      'Serverless-LambdaAsyncFailureDestination', // scheduled jobs dead-letter through DeadLetterConfig
      'Serverless-LambdaDLQ', // synchronous API functions; event-source functions (their sources hold failures); the console deployment
      'Serverless-LambdaEventSourceMappingDestination', // the delivery queue dead-letters by its redrive policy
      'Serverless-LambdaLatestVersion', // the console deployment's handler: CDK chooses its runtime
      'Serverless-LambdaTracing', // the console deployment's handler: no tracing setting, runs only during deployments
      'Serverless-SQSRedrivePolicy', // the dead-letter queues themselves
    ];
    expect(ids(variants.default)).toEqual(common.sort());
    expect(ids(variants.noWaf)).toEqual([...common, 'AwsSolutions-APIG3', 'Serverless-SNSRedrivePolicy'].sort());
  });
});
