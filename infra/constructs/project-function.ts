import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICE_NAME_ENV } from '../../shared/observability';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { bundleFunctionSync } from '../bundle';
import { FUNCTIONS, type FunctionKey, type FunctionSpec } from '../functions';

export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface ProjectFunctionProps {
  /** Which function of infra/functions.ts. */
  function: FunctionKey;
  table: ITable;
  environment?: Record<string, string>;
  logRetention: RetentionDays;
  /** Build-time constants (esbuild define), e.g. configuration too large for environment variables. */
  define?: Record<string, string>;
  /** Asynchronous invocations (schedules): retries, then this dead-letter queue. */
  deadLetterQueue?: IQueue;
  retryAttempts?: number;
}

/**
 * A Lambda function with the project's defaults: Node.js 24 on arm64, X-Ray active tracing, a log
 * group with retention, Powertools named after the stack (so that two stacks' metrics stay apart),
 * and exactly the table actions its spec names. Its code is the bundle `infra/bundle.ts` builds (the
 * local esbuild, never Docker): one minified file with a source map and the AWS SDK v3 inside, the
 * same bundle `npm start` and the benchmark run.
 */
export class ProjectFunction extends LambdaFunction {
  readonly spec: FunctionSpec;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const spec = FUNCTIONS[props.function];
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
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
      logGroup,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
      environment: {
        [TABLE_NAME_ENV]: props.table.tableName,
        NODE_OPTIONS: '--enable-source-maps',
        [SERVICE_NAME_ENV]: Stack.of(scope).stackName,
        ...props.environment,
      },
    });
    this.spec = spec;
    if (spec.tableActions.length > 0) {
      const table = props.table;
      this.addToRolePolicy(
        new PolicyStatement({
          actions: [...spec.tableActions],
          resources: [table.tableArn, `${table.tableArn}/index/*`],
        }),
      );
    }
  }
}
