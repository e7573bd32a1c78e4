import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CDK_HANDLER_ID, cdkApp } from '../support/cdk-app';
import { FUNCTIONS } from '../../infra/functions';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { gatewayResponses } from '../../shared/http/gateway-responses';
import { TABLE } from '../../shared/store/table';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;

let template: Template;
let resources: Resources;
let assemblyDir: string;

beforeAll(() => {
  const app = cdkApp('test-infra');
  const stack = new ScimProvisioningStack(app, 'Test', DEFAULT_CONFIG);
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
  assemblyDir = app.synth().directory;
});

const ofType = (type: string): [string, Record<string, unknown>][] =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);

/** The function whose Description is the spec's (descriptions are unique per spec). */
function functionOf(spec: { description: string }): [string, Record<string, unknown>] {
  const found = ofType('AWS::Lambda::Function').find(([, p]) => p.Description === spec.description);
  if (!found) throw new Error(`No function for ${spec.description}`);
  return found;
}

describe('table', () => {
  it('comes from the shared definition: keys, GSIs, TTL, on-demand, PITR, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((i) =>
          Match.objectLike({
            IndexName: i.indexName,
            KeySchema: [
              { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: i.projection },
          }),
        ),
      }),
    });
  });
});

describe('functions', () => {
  it('run Node.js 24 on arm64 with source maps, each with a log group with retention', () => {
    // Besides CDK's two deploy-time handlers of the console bucket (test/infra/admin-console.test.ts).
    const fns = ofType('AWS::Lambda::Function').filter(([id]) => !CDK_HANDLER_ID.test(id));
    expect(fns.length).toBe(Object.keys(FUNCTIONS).length);
    for (const [, p] of fns) {
      expect(p.Runtime).toBe('nodejs24.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect((p.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(p.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
    }
    // One per function, the access logs of the three APIs, and the console deployment's.
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(fns.length + 4);
    for (const [, p] of logGroups) expect(p.RetentionInDays).toBe(30);
  });

  it('are bundled by esbuild into one minified file with a source map and the AWS SDK inside', () => {
    for (const spec of Object.values(FUNCTIONS)) {
      const [, p] = functionOf(spec);
      const key = (p.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const dir = join(assemblyDir, `asset.${key}`);
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      expect(existsSync(join(dir, 'index.js.map'))).toBe(true);
      expect(code.length / code.split('\n').length).toBeGreaterThan(500); // minified: long lines, no indentation
      // The SDK is bundled (the DynamoDB protocol's target prefix is inside), not loaded from the runtime;
      // only optional signers that the SDK itself requires lazily inside try/catch stay outside.
      expect(code.includes('DynamoDB_20120810')).toBe(spec.table.length > 0);
      expect(/require\(["'](@aws-sdk\/(client-dynamodb|lib-dynamodb|core)|@smithy\/)/.test(code)).toBe(false);
    }
  });
  // Each function's whole IAM policy, key conditions included: test/infra/iam.test.ts.
});

describe('APIs', () => {
  it('are REST APIs whose SCIM gateway responses are SCIM error JSON', () => {
    expect(ofType('AWS::ApiGateway::RestApi').length).toBeGreaterThanOrEqual(1);
    for (const def of gatewayResponses('scim')) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: def.type,
        StatusCode: String(def.statusCode),
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Content-Type': "'application/scim+json'" }),
        ResponseTemplates: { 'application/json': def.body },
      });
    }
  });

  it('answer admin API refusals in RFC 9457 problem details', () => {
    for (const def of gatewayResponses('admin')) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: def.type,
        StatusCode: String(def.statusCode),
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Content-Type': "'application/problem+json'" }),
        ResponseTemplates: { 'application/json': def.body },
      });
    }
  });

  it('guard SCIM routes with a REQUEST authorizer whose result is not cached by API Gateway', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 0,
    });
    const authorizerFn = functionOf(FUNCTIONS.scimAuthorizer)[0];
    const [, authorizer] = ofType('AWS::ApiGateway::Authorizer').find(([, p]) => JSON.stringify(p).includes(authorizerFn)) ?? [];
    expect(authorizer).toBeDefined();
    expect(functionOf(FUNCTIONS.scimAuthorizer)[1].Environment).toEqual({
      Variables: expect.objectContaining({ SCIM_AUTH_CACHE_SECONDS: '0' }),
    });
  });
});

describe('SCIM function', () => {
  it('leaves externalId not unique unless configured', () => {
    const vars = (functionOf(FUNCTIONS.scim)[1].Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.SCIM_UNIQUE_EXTERNAL_ID).toBe('false');
  });
});

describe('admin sign-in', () => {
  it('is a Cognito user pool without self sign-up, with Owner, SystemAdmin and Viewer groups and a REST API authorizer', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'Owner' });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'SystemAdmin' });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'Viewer',
      Description: "Read-only: sees the console's pages, cannot change anything",
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  it('tells the admin function which roles may manage provisioning and where the SCIM endpoint is', () => {
    const vars = (functionOf(FUNCTIONS.admin)[1].Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.ADMIN_ROLES).toBe('Owner,SystemAdmin');
    expect(JSON.stringify(vars.SCIM_ENDPOINT)).toContain('/api/scim/v2');
  });
});

describe('membership cleanup', () => {
  it('runs every minute on an EventBridge schedule', () => {
    const [fnId] = functionOf(FUNCTIONS.membershipCleanup);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
    });
  });
});

describe('token expiry', () => {
  it('runs hourly on an EventBridge schedule and can publish warnings to an SNS topic', () => {
    const [fnId, fn] = functionOf(FUNCTIONS.tokenExpiry);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
    });
    const [topicId] = ofType('AWS::SNS::Topic')[0] ?? [];
    expect(topicId).toBeDefined();
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      EXPIRY_TOPIC_ARN: { Ref: topicId },
      TOKEN_RETENTION_DAYS: '90',
    });
  });
});
