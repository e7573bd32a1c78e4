import { AssetHashType, CfnOutput, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
  type ICachePolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { SingletonFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsole, CONSOLE_DIR } from '../console/build';
import { consoleSecurityHeaders, HSTS_MAX_AGE_SECONDS } from '../console/security-headers';
import type { CognitoConsoleConfig } from '../console/src/config';
import type { AdminIdentity } from './admin-identity';

/** Where the console is served, from the distribution's domain name: the one place both are spelled. */
export function consoleAddress(domainName: string): { origin: string; url: string } {
  const origin = `https://${domainName}`;
  return { origin, url: `${origin}/` };
}

/**
 * The origin of a REST API, from its id alone. Not from `api.url`: that names the deployment
 * stage, which depends on every method, and the admin API's OPTIONS methods name the console's
 * origin, whose distribution carries this origin in its Content-Security-Policy: a cycle.
 */
export function restApiOrigin(api: IRestApi): string {
  const stack = Stack.of(api);
  return `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
}

export interface AdminConsoleProps {
  /** The admin API: its origin goes into connect-src. */
  api: IRestApi;
  /** The admin API's base URL (…/api/admin/v1), which the console calls. */
  apiBaseUrl: string;
  /** The sign-in: its managed login (connect-src, config.json), app client and admin roles. */
  identity: AdminIdentity;
  /** How long the access logs of the bucket and the distribution are kept (the stack's log retention). */
  logRetention: RetentionDays;
}

/**
 * Vite writes the content-hashed files here (its default assetsDir): a new build gets new names,
 * so these may be cached for a year, while index.html and config.json (which name them) may not.
 */
const HASHED_ASSETS = 'assets/*';

/**
 * The admin console: its built files in a private S3 bucket, served by CloudFront through origin
 * access control (the bucket is not public and has no website endpoint), HTTPS only, with security
 * headers and a strict Content-Security-Policy (infra/console/security-headers.ts, the same the
 * local gateway serves), and a config.json with the deployment's sign-in values beside index.html.
 *
 * Caching: index.html and config.json are never cached (CloudFront caching disabled, and
 * `Cache-Control: no-cache` for browsers), so a deployment is live at once without an invalidation;
 * the hashed assets are cached for a year. The bucket and distribution access logs go to a log
 * bucket kept for the stack's log retention.
 */
export class AdminConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution domain>/ (output AdminConsoleUrl, config.json's redirect and logout URIs). */
  readonly url: string;
  /** The security headers every response carries, with this deployment's origins (Cache-Control is set per path besides). */
  readonly securityHeaders: Record<string, string>;
  /** What config.json says. */
  readonly config: CognitoConsoleConfig;

  constructor(scope: Construct, id: string, props: AdminConsoleProps) {
    super(scope, id);
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      // CloudFront's standard logs are written with an ACL grant to the awslogsdelivery account,
      // so ACLs must be on; the bucket owner still owns every object.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      ...(props.logRetention === RetentionDays.INFINITE ? {} : { lifecycleRules: [{ expiration: Duration.days(props.logRetention) }] }),
      // Logs outlive the stack, as its log groups do.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      // Nothing here but the build of infra/console and the config.json the stack writes, both
      // remade by every deployment: deleted with the stack. (CDK's auto-delete custom resource
      // empties it first; BucketDeployment's retainOnDelete: false would not, aws/aws-cdk#33397.)
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    this.securityHeaders = consoleSecurityHeaders({
      connectSrc: [restApiOrigin(props.api), props.identity.domain.baseUrl()],
    });
    const csp = this.securityHeaders['Content-Security-Policy'];
    if (csp === undefined) throw new Error('consoleSecurityHeaders gave no Content-Security-Policy');
    const headersPolicy = (policyId: string, cacheControl: string, comment: string): ResponseHeadersPolicy =>
      new ResponseHeadersPolicy(this, policyId, {
        comment,
        securityHeadersBehavior: {
          contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
          strictTransportSecurity: {
            accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        },
        customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }] },
      });

    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    const behavior = (cachePolicy: ICachePolicy, responseHeadersPolicy: ResponseHeadersPolicy): BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy,
      responseHeadersPolicy,
      compress: true,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Provisioning admin console',
      defaultRootObject: 'index.html',
      // North America and Europe edges only: the cheapest class; elsewhere is served from those.
      priceClass: PriceClass.PRICE_CLASS_100,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: behavior(
        CachePolicy.CACHING_DISABLED,
        headersPolicy('PageHeaders', 'no-cache', 'Admin console pages: security headers, never cached'),
      ),
      additionalBehaviors: {
        [HASHED_ASSETS]: behavior(
          CachePolicy.CACHING_OPTIMIZED,
          headersPolicy('AssetHeaders', 'public, max-age=31536000, immutable', 'Admin console hashed assets: security headers, cached'),
        ),
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: administrators sign in from wherever they work, and the console is static files; what it shows comes from the admin API, which requires a Cognito sign-in with MFA.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No AWS WAF on the distribution: it serves only the static files of the console (no data, no operation), read-only from a private bucket; the admin API the console calls has its own web ACL. A CloudFront web ACL would cost about $6 a month more for nothing to protect.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "No custom domain is configured, so the distribution uses CloudFront's default *.cloudfront.net certificate, whose security policy CloudFront sets and cannot be raised (minimumProtocolVersion applies only with an own certificate); current browsers negotiate TLS 1.2 or 1.3 with it.",
      },
    );
    this.url = consoleAddress(this.distribution.distributionDomainName).url;

    this.config = {
      mode: 'cognito',
      apiBase: props.apiBaseUrl,
      signInDomain: props.identity.domain.baseUrl(),
      clientId: props.identity.client.userPoolClientId,
      redirectUri: this.url,
      logoutUri: this.url,
      manageRoles: props.identity.roles,
    };
    // CDK's deployment handler (a Lambda function with the AWS CLI) copies the built files and
    // config.json into the bucket. Its role is written here: its own log group, the two source
    // objects, and the console bucket, instead of AWSLambdaBasicExecutionRole and the wildcard
    // grants (s3:GetObject*, s3:List*... on every staged asset) CDK would give it.
    const deploymentLogs = new LogGroup(this, 'DeploymentLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    const deploymentRole = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the admin console into its bucket (CDK BucketDeployment)',
    });
    const sources = [
      Source.asset(CONSOLE_DIR, {
        exclude: ['dist', 'node_modules'],
        // The hash of what Vite built, not of infra/console: the app may import code from elsewhere in the repository.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled: the local build below either succeeds or throws (no Docker needed).
          image: DockerImage.fromRegistry('none'),
          local: {
            tryBundle(outputDir: string): boolean {
              buildConsole(outputDir);
              return true;
            },
          },
        },
      }),
      Source.jsonData('config.json', this.config),
    ];
    const deployment = new BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources,
      // The previous build's files are deleted (their names change with their content).
      prune: true,
      // Chosen, not Lambda's 128 MB default: the AWS CLI unzips and syncs faster with the CPU that more memory brings, once per deployment.
      memoryLimit: 512,
      logGroup: deploymentLogs,
      role: deploymentRole.withoutPolicyUpdates(),
    });
    // The sources' assets are the deployment's own children (the AWS CLI layer's asset, deeper down, is read by Lambda itself).
    const sourceObjects = deployment.node.children
      .filter((c): c is Asset => c instanceof Asset)
      .map((asset) => asset.bucket.arnForObjects(asset.s3ObjectKey));
    if (sourceObjects.length !== sources.length) throw new Error(`Expected ${sources.length} source assets, found ${sourceObjects.length}`);
    for (const statement of [
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [deploymentLogs.logGroupArn] }),
      new PolicyStatement({ sid: 'ReadSources', actions: ['s3:GetObject'], resources: sourceObjects }),
      // aws s3 sync --delete lists the bucket; the handler reads the bucket's tags before a delete.
      new PolicyStatement({ sid: 'ListConsole', actions: ['s3:ListBucket', 's3:GetBucketTagging'], resources: [this.bucket.bucketArn] }),
      new PolicyStatement({
        sid: 'WriteConsole',
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    ]) {
      deploymentRole.addToPolicy(statement);
    }
    const deploymentPolicy = deploymentRole.node.tryFindChild('DefaultPolicy');
    if (!deploymentPolicy) throw new Error('The deployment role has a default policy once it has a statement');
    Validations.of(deploymentPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
      reason:
        "The deployment replaces the console's files, whatever their names (Vite names them by content hash), and deletes the previous build's: it needs every object of this one bucket, and no other.",
    });
    // The handler itself is one function per stack (a singleton at the stack's root), made by CDK.
    const singleton = deployment.node.children.find((c): c is SingletonFunction => c instanceof SingletonFunction);
    if (!singleton) throw new Error('BucketDeployment has no SingletonFunction handler');
    const runtimeReason = `CDK's BucketDeployment handler: aws-cdk-lib chooses its runtime (${singleton.runtime.name}, with the AWS CLI layer built for it) and moves it on with its releases; BucketDeployment has no setting for it.`;
    Validations.of(Stack.of(this).node.findChild(singleton.constructName)).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked by CloudFormation for the deployment custom resource only: a failure is reported to CloudFormation, which fails and rolls back the stack update; there is no event a dead-letter queue could keep for a retry.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'Runs only during a stack deployment (an unzip and an aws s3 sync), not on any request path; BucketDeployment has no tracing setting, and its log group records each run.',
      },
    );

    new CfnOutput(scope, 'AdminConsoleUrl', { value: this.url, description: 'The admin console (sign in with the admin user pool)' });
  }
}
