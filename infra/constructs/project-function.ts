import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  Runtime,
  Tracing,
  type ParamsAndSecretsLayerVersion,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICE_NAME_ENV } from '../../shared/observability';
import { KEYS } from '../../shared/store/keys';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { bundleFunctionSync } from '../bundle';
import { FUNCTIONS, type FunctionKey, type FunctionSpec, type TableGrant } from '../functions';

export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface ProjectFunctionProps {
  /** Which function of infra/functions.ts. */
  function: FunctionKey;
  table: ITable;
  environment?: Record<string, string>;
  logRetention: RetentionDays;
  /** Build-time constants (esbuild define), e.g. configuration too large for environment variables. */
  define?: Record<string, string>;
  /**
   * Asynchronous invocations (schedules): retries, then this dead-letter queue. A function without
   * one is invoked synchronously, by API Gateway (an integration or an authorizer).
   */
  deadLetterQueue?: IQueue;
  retryAttempts?: number;
  /** The AWS Parameters and Secrets Lambda Extension, for a function that reads a secret. */
  paramsAndSecrets?: ParamsAndSecretsLayerVersion;
  /** For a function without a dead-letter queue that API Gateway does not invoke: why it needs none. */
  noDeadLetterReason?: string;
}

/** What an update or write may return when it must not read the item back (AWS's documented set). */
const RETURN_VALUES_WITHOUT_READ = ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'];

/**
 * The IAM statement of one table grant: its actions on the table (or one index), for items whose
 * partition key values are the grant's (`dynamodb:LeadingKeys`), and only its attributes if it
 * names some. See infra/functions.ts for how IAM evaluates each condition.
 */
export function tableStatement(table: ITable, grant: TableGrant): PolicyStatement {
  const patterns = grant.partitions.some((p) => p.endsWith('*'));
  const forAll = patterns ? 'ForAllValues:StringLike' : 'ForAllValues:StringEquals';
  const keys = [KEYS.pk, KEYS.sk];
  return new PolicyStatement({
    sid: grant.sid,
    actions: grant.actions.map((a) => `dynamodb:${a}`),
    resources: [grant.index ? `${table.tableArn}/index/${grant.index}` : table.tableArn],
    conditions: {
      [forAll]: {
        'dynamodb:LeadingKeys': [...grant.partitions],
        ...(grant.attributes ? { 'dynamodb:Attributes': [...keys, ...grant.attributes] } : {}),
      },
      ...(grant.attributes || grant.writeOnly ? { StringEqualsIfExists: { 'dynamodb:ReturnValues': RETURN_VALUES_WITHOUT_READ } } : {}),
    },
  });
}

/**
 * A Lambda function with the project's defaults: Node.js 24 on arm64, X-Ray active tracing, a log
 * group with retention (kept when the stack is deleted), Powertools named after the stack (so that
 * two stacks' metrics stay apart), and a role of its own that may write its own log group and do
 * exactly what its table grants say, nothing more (no AWS managed policy). Its code is the bundle
 * `infra/bundle.ts` builds (the local esbuild, never Docker): one minified file with a source map
 * and the AWS SDK v3 inside, the same bundle `npm start` and the benchmark run.
 */
export class ProjectFunction extends LambdaFunction {
  readonly spec: FunctionSpec;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const spec: FunctionSpec = FUNCTIONS[props.function];
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs on every log group of the account): its own group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.function} function`,
    });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    for (const grant of spec.table) role.addToPolicy(tableStatement(props.table, grant));
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (!defaultPolicy) throw new Error('A function role has a default policy once it has a statement');
    Validations.of(defaultPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, so their Resource must be *; the same holds for dynamodb:ListStreams, which the DynamoDB event source of the events function needs. Every other statement names its resource.',
    });
    // Built into the cloud assembly's folder (cdk.out), then staged as the function's asset.
    const outdir = Stage.of(scope)?.assetOutdir ?? join(PROJECT_ROOT, 'cdk.out');
    const work = join(outdir, '.bundles', `${Stack.of(scope).stackName}-${id}-${scope.node.addr}`);
    const bundle = bundleFunctionSync(props.function, join(work, 'code'), join(work, 'meta'), props.define);
    super(scope, id, {
      code: Code.fromAsset(join(bundle.file, '..')),
      handler: 'index.handler',
      description: spec.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role,
      logGroup,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
      ...(props.paramsAndSecrets ? { paramsAndSecrets: props.paramsAndSecrets } : {}),
      environment: {
        [TABLE_NAME_ENV]: props.table.tableName,
        NODE_OPTIONS: '--enable-source-maps',
        [SERVICE_NAME_ENV]: Stack.of(scope).stackName,
        ...props.environment,
      },
    });
    this.spec = spec;
    if (!props.deadLetterQueue) {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          props.noDeadLetterReason ??
          'Invoked synchronously by API Gateway (an integration or the request authorizer): a failure is the HTTP response the caller sees and retries; there is no asynchronous event to dead-letter.',
      });
    }
  }
}
