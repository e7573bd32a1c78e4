import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { BUNDLE_OPTIONS } from '../bundle';
import type { FunctionSpec } from '../functions';

export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface ProjectFunctionProps {
  spec: FunctionSpec;
  table: ITable;
  environment?: Record<string, string>;
  logRetention: RetentionDays;
  /** Build-time constants (esbuild define), e.g. configuration too large for environment variables. */
  define?: Record<string, string>;
}

/**
 * A Lambda function with the project's defaults: Node.js 22 on arm64, bundled by the local
 * esbuild (never Docker) into one minified file with source maps and the AWS SDK v3 inside
 * (tree-shaken), a log group with retention, and exactly the table actions its spec names.
 */
export class ProjectFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: join(PROJECT_ROOT, props.spec.entry),
      handler: 'handler',
      description: props.spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        [TABLE_NAME_ENV]: props.table.tableName,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'scim-provisioning',
        ...props.environment,
      },
      // The same esbuild options the benchmark bundles with (infra/bundle.ts), so it measures what is deployed.
      bundling: {
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: BUNDLE_OPTIONS.sourcemap,
        sourcesContent: BUNDLE_OPTIONS.sourcesContent,
        target: BUNDLE_OPTIONS.target,
        format: BUNDLE_OPTIONS.format as OutputFormat,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        externalModules: [...BUNDLE_OPTIONS.external],
        forceDockerBundling: false,
        metafile: false,
        ...(props.define ? { define: props.define } : {}),
      },
    });
    if (props.spec.tableActions.length > 0) {
      const table = props.table;
      this.addToRolePolicy(
        new PolicyStatement({
          actions: [...props.spec.tableActions],
          resources: [table.tableArn, `${table.tableArn}/index/*`],
        }),
      );
    }
  }
}
