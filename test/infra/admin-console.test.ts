/**
 * The admin console as deployed (infra/constructs/admin-console.ts), on the synthesized template:
 * a private bucket behind CloudFront with origin access control, HTTPS only, the security headers
 * and strict CSP of infra/console/security-headers.ts, a config.json with the sign-in's values,
 * the sign-in's redirect URLs, and CORS on the admin API (not the SCIM API) for that origin only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AdminConsole } from '../../infra/constructs/admin-console';
import { checkRedirectUrl } from '../../infra/constructs/admin-identity';
import { consoleSecurityHeaders } from '../../infra/console/security-headers';
import type { ConsoleConfig } from '../../infra/console/src/config';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { ADMIN_BASE_PATH, ROUTES } from '../../shared/http/routes';
import { CDK_HANDLER_ID, cdkApp, dependencyCycle } from '../support/cdk-app';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string | string[]; DeletionPolicy?: string };

let stack: Stack;
let template: Template;
let resources: Record<string, Resource>;
let assemblyDir: string;

beforeAll(() => {
  const app = cdkApp('test-console');
  stack = new ScimProvisioningStack(app, 'Console', DEFAULT_CONFIG);
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  assemblyDir = app.synth().directory;
});

const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const one = (type: string): [string, Resource] => {
  const found = ofType(type);
  if (found.length !== 1) throw new Error(`Expected one ${type}, found ${found.length}`);
  return found[0] as [string, Resource];
};
const json = (v: unknown): string => JSON.stringify(v);
const distributionId = (): string => one('AWS::CloudFront::Distribution')[0];
const consoleOrigin = (): unknown => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }]] });
const consoleUrl = (): unknown => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, '/']] });
const consoleBucketId = (): string => (one('Custom::CDKBucketDeployment')[1].Properties.DestinationBucketName as { Ref: string }).Ref;
const restApiId = (description: string): string => {
  const found = ofType('AWS::ApiGateway::RestApi').find(([, r]) => r.Properties.Description === description);
  if (!found) throw new Error(`No REST API ${description}`);
  return found[0];
};
const headersPolicies = (): Resource[] => ofType('AWS::CloudFront::ResponseHeadersPolicy').map(([, r]) => r);
const cspOf = (policy: Resource | undefined): unknown =>
  (
    policy?.Properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } };
    }
  ).SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
/** The literal text of a Fn::Join, with every intrinsic written as `{…}`. */
const joined = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const parts = (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : `{${json(p)}}`)).join('');
};

describe('the bucket', () => {
  it('is private: all public access blocked, TLS only, SSE-S3, access logs to the log bucket', () => {
    const bucket = resources[consoleBucketId()];
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket?.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket?.Properties.WebsiteConfiguration).toBeUndefined();
    const logging = bucket?.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } };
    expect(resources[logging.DestinationBucketName.Ref]?.Type).toBe('AWS::S3::Bucket');
    const [, policy] =
      ofType('AWS::S3::BucketPolicy').find(([, p]) => json(p.Properties.Bucket) === json({ Ref: consoleBucketId() })) ?? [];
    const statements = (policy?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('may be read by this distribution only (origin access control), and nobody else', () => {
    const [, policy] =
      ofType('AWS::S3::BucketPolicy').find(([, p]) => json(p.Properties.Bucket) === json({ Ref: consoleBucketId() })) ?? [];
    const allows = (policy?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.filter(
      (s) => s.Effect === 'Allow' && json(s.Action).includes('s3:GetObject'),
    );
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(json(allows[0]?.Condition)).toContain(`":distribution/",{"Ref":"${distributionId()}"}`);
  });

  it("is deleted with the stack (CDK's auto-delete empties it first); the access logs are kept", () => {
    expect(resources[consoleBucketId()]?.DeletionPolicy).toBe('Delete');
    expect(ofType('Custom::S3AutoDeleteObjects').map(([, r]) => r.Properties.BucketName)).toEqual([{ Ref: consoleBucketId() }]);
    const logBucket = (resources[consoleBucketId()]?.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } })
      .DestinationBucketName.Ref;
    expect(resources[logBucket]?.DeletionPolicy).toBe('Retain');
    expect(resources[logBucket]?.Properties.LifecycleConfiguration).toEqual({ Rules: [{ ExpirationInDays: 30, Status: 'Enabled' }] });
  });
});

describe('the distribution', () => {
  const config = (): Record<string, unknown> => resources[distributionId()]?.Properties.DistributionConfig as Record<string, unknown>;
  const behaviors = (): Record<string, unknown>[] => [
    config().DefaultCacheBehavior as Record<string, unknown>,
    ...((config().CacheBehaviors ?? []) as Record<string, unknown>[]),
  ];

  it('serves the bucket through origin access control (no origin access identity, no public website)', () => {
    const origins = config().Origins as Record<string, unknown>[];
    expect(origins).toHaveLength(1);
    expect(origins[0]?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [one('AWS::CloudFront::OriginAccessControl')[0], 'Id'] });
    expect(origins[0]?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(origins[0]?.DomainName).toEqual({ 'Fn::GetAtt': [consoleBucketId(), 'RegionalDomainName'] });
    expect(one('AWS::CloudFront::OriginAccessControl')[1].Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
  });

  it('answers HTTPS only (http is redirected), GET and HEAD only, index.html at the root, the cheapest price class, with logs', () => {
    expect(config()).toMatchObject({ DefaultRootObject: 'index.html', PriceClass: 'PriceClass_100', Enabled: true });
    expect(config().Logging).toMatchObject({ Prefix: 'cloudfront/' });
    for (const b of behaviors()) {
      expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
    }
  });

  it('never caches index.html and config.json; caches the hashed assets a year', () => {
    const [pages, ...rest] = behaviors();
    expect(pages?.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CloudFront's managed CachingDisabled
    expect(rest).toHaveLength(1);
    expect(rest[0]).toMatchObject({ PathPattern: 'assets/*', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' }); // CachingOptimized
    const cacheControl = (b: Record<string, unknown> | undefined): unknown => {
      const policy = resources[(b?.ResponseHeadersPolicyId as { Ref: string }).Ref]?.Properties.ResponseHeadersPolicyConfig as {
        CustomHeadersConfig: { Items: unknown[] };
      };
      return policy.CustomHeadersConfig.Items;
    };
    expect(cacheControl(pages)).toEqual([{ Header: 'Cache-Control', Value: 'no-cache', Override: true }]);
    expect(cacheControl(rest[0])).toEqual([{ Header: 'Cache-Control', Value: 'public, max-age=31536000, immutable', Override: true }]);
  });

  it('adds the security headers of infra/console/security-headers.ts to every response', () => {
    const adminConsole = stack.node.findChild('AdminConsole') as AdminConsole;
    const expected = consoleSecurityHeaders({ connectSrc: ['https://api.example', 'https://sign-in.example'] });
    for (const b of behaviors()) {
      const policy = resources[(b.ResponseHeadersPolicyId as { Ref: string }).Ref];
      expect(policy?.Type).toBe('AWS::CloudFront::ResponseHeadersPolicy');
      const headers = (policy?.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> })
        .SecurityHeadersConfig;
      // The CSP is the function's, with the deployment's origins.
      expect(headers.ContentSecurityPolicy).toEqual({
        ContentSecurityPolicy: stack.resolve(adminConsole.securityHeaders['Content-Security-Policy']),
        Override: true,
      });
      // The others, as CloudFront spells them, say what the function's headers say.
      const hsts = headers.StrictTransportSecurity as { AccessControlMaxAgeSec: number; IncludeSubdomains: boolean };
      expect(`max-age=${hsts.AccessControlMaxAgeSec}${hsts.IncludeSubdomains ? '; includeSubDomains' : ''}`).toBe(
        expected['Strict-Transport-Security'],
      );
      expect(headers.ContentTypeOptions).toEqual({ Override: true }); // X-Content-Type-Options: nosniff
      expect(expected['X-Content-Type-Options']).toBe('nosniff');
      expect(headers.FrameOptions).toEqual({ FrameOption: expected['X-Frame-Options'], Override: true });
      expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: expected['Referrer-Policy'], Override: true });
    }
  });

  it("has a strict CSP: nothing by default, the console's own scripts and styles, no inline code, no wildcard", () => {
    expect(headersPolicies()).toHaveLength(2);
    for (const policy of headersPolicies()) {
      const csp = joined(cspOf(policy));
      expect(csp).toMatch(/^default-src 'none'; /);
      expect(csp).toContain("; script-src 'self'; ");
      expect(csp).toContain("; style-src 'self'; ");
      expect(csp).toContain("; frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp.replace(/\{[^}]*\}+/g, '')).not.toContain('*');
    }
  });

  it("lets the console call the admin API (by the REST API's id, not its stage) and the managed login, and no other origin", () => {
    const csp = joined(cspOf(headersPolicies()[0]));
    const connect = /connect-src ([^;]*);/.exec(csp)?.[1]?.split(' ');
    const domainId = one('AWS::Cognito::UserPoolDomain')[0];
    expect(connect).toEqual([
      "'self'",
      `https://{${json({ Ref: restApiId('Provisioning admin API') })}}.execute-api.{${json({ Ref: 'AWS::Region' })}}.{${json({ Ref: 'AWS::URLSuffix' })}}`,
      `https://{${json({ Ref: domainId })}}.auth.{${json({ Ref: 'AWS::Region' })}}.amazoncognito.com`,
    ]);
    expect(csp).not.toContain('Stage');
  });

  it('is output as AdminConsoleUrl (https://<distribution domain>/)', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AdminConsoleUrl?.Value).toEqual(consoleUrl());
  });
});

describe('the deployment of the files', () => {
  const deployment = (): Record<string, unknown> => one('Custom::CDKBucketDeployment')[1].Properties;
  /** The staged content of the deployment's n-th source (a directory asset in the cloud assembly). */
  const sourceDir = (n: number): string => {
    const key = (deployment().SourceObjectKeys as string[])[n] ?? '';
    return join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
  };

  it('copies the console and a config.json into the bucket, deleting what the previous build left', () => {
    expect(deployment().DestinationBucketName).toEqual({ Ref: consoleBucketId() });
    expect(deployment().SourceObjectKeys).toHaveLength(2);
    expect(deployment().Prune).toBe(true);
  });

  it("writes config.json for the Cognito sign-in: the admin API, the managed login, the app client, the console's URL, the admin roles", () => {
    const markers = (deployment().SourceMarkers as Record<string, unknown>[])[1] ?? {};
    // Deploy-time values are markers in the staged file, which the handler replaces (JSON-escaped).
    const value = (text: string): unknown => {
      const parts = text.split(/(<<marker:0xbaba:\d+>>)/).filter((p) => p !== '');
      return parts.map((p) => (p in markers ? markers[p] : p));
    };
    const config = JSON.parse(readFileSync(join(sourceDir(1), 'config.json'), 'utf8')) as ConsoleConfig;
    expect((deployment().SourceMarkersConfig as unknown[])[1]).toEqual({ jsonEscape: true });
    if (config.mode !== 'cognito') throw new Error(`config.json is for mode ${config.mode}`);
    const clientId = one('AWS::Cognito::UserPoolClient')[0];
    const domainId = one('AWS::Cognito::UserPoolDomain')[0];
    const dist = { 'Fn::GetAtt': [distributionId(), 'DomainName'] };
    expect(value(config.clientId)).toEqual([{ Ref: clientId }]);
    expect(value(config.signInDomain)).toEqual(['https://', { Ref: domainId }, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com']);
    expect(value(config.redirectUri)).toEqual(['https://', dist, '/']);
    expect(value(config.logoutUri)).toEqual(['https://', dist, '/']);
    const api = value(config.apiBase) as unknown[];
    expect(api[1]).toEqual({ Ref: restApiId('Provisioning admin API') });
    expect(api.at(-1)).toBe(ADMIN_BASE_PATH);
    expect(config.manageRoles).toEqual(['Owner', 'SystemAdmin']);
  });

  it('runs on a handler CDK provides, the only functions besides the project ones, with its own log group', () => {
    expect(ofType('AWS::Lambda::Function').filter(([id]) => CDK_HANDLER_ID.test(id))).toHaveLength(2);
    const handlerId = json(deployment().ServiceToken).match(/"(CustomCDKBucketDeployment[^"]+)"/)?.[1] ?? '';
    const logGroup = (resources[handlerId]?.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resources[logGroup]?.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroup]?.Properties.RetentionInDays).toBe(30);
  });
});

describe('CORS on the admin API', () => {
  const methodsOf = (apiDescription: string, httpMethod: string): Record<string, unknown>[] =>
    ofType('AWS::ApiGateway::Method')
      .filter(
        ([, m]) => m.Properties.HttpMethod === httpMethod && json(m.Properties.RestApiId) === json({ Ref: restApiId(apiDescription) }),
      )
      .map(([, m]) => m.Properties);

  it('answers a preflight on every admin path, for the console origin only, without an authorizer', () => {
    const preflights = methodsOf('Provisioning admin API', 'OPTIONS');
    expect(preflights).toHaveLength(new Set(ROUTES.filter((r) => r.api === 'admin').map((r) => r.path)).size);
    for (const m of preflights) {
      expect(m.AuthorizationType).toBe('NONE');
      const integration = m.Integration as { Type: string; IntegrationResponses: { ResponseParameters: Record<string, unknown> }[] };
      expect(integration.Type).toBe('MOCK');
      const headers = integration.IntegrationResponses[0]?.ResponseParameters ?? {};
      expect(headers['method.response.header.Access-Control-Allow-Origin']).toEqual({
        'Fn::Join': ['', ["'https://", { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, "'"]],
      });
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe("'Authorization,Content-Type,If-Match'");
      expect(String(headers['method.response.header.Access-Control-Allow-Methods'])).toMatch(
        /^'(GET|POST|PUT|PATCH|DELETE)(,(GET|POST|PUT|PATCH|DELETE))*'$/,
      );
      expect(headers['method.response.header.Access-Control-Allow-Credentials']).toBeUndefined();
    }
  });

  it('allows on each path the methods the route table gives it', () => {
    const byResource = new Map(methodsOf('Provisioning admin API', 'OPTIONS').map((m) => [json(m.ResourceId), m]));
    const provisioning = ofType('AWS::ApiGateway::Resource').find(
      ([, r]) =>
        r.Properties.PathPart === 'provisioning' && json(r.Properties.RestApiId) === json({ Ref: restApiId('Provisioning admin API') }),
    );
    const m = byResource.get(json({ Ref: provisioning?.[0] }));
    const integration = m?.Integration as { IntegrationResponses: { ResponseParameters: Record<string, unknown> }[] };
    expect(integration.IntegrationResponses[0]?.ResponseParameters['method.response.header.Access-Control-Allow-Methods']).toBe(
      "'GET,PUT'",
    );
  });

  it('lets the console read API Gateway refusals of the admin API (every gateway response names the origin), not of the SCIM API', () => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse');
    const ofApi = (description: string): Record<string, unknown>[] =>
      responses.filter(([, r]) => json(r.Properties.RestApiId) === json({ Ref: restApiId(description) })).map(([, r]) => r.Properties);
    expect(ofApi('Provisioning admin API').length).toBeGreaterThan(0);
    for (const r of ofApi('Provisioning admin API')) {
      expect((r.ResponseParameters as Record<string, unknown>)['gatewayresponse.header.Access-Control-Allow-Origin']).toEqual({
        'Fn::Join': ['', ["'https://", { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, "'"]],
      });
    }
    for (const r of ofApi('SCIM 2.0 service provider')) expect(json(r.ResponseParameters)).not.toContain('Access-Control');
  });

  it('is not on the SCIM API: identity providers call it from servers, not browsers', () => {
    expect(methodsOf('SCIM 2.0 service provider', 'OPTIONS')).toEqual([]);
  });

  it("gives the admin function the console's origin (no trailing slash) for its own responses' CORS header", () => {
    const [, admin] =
      ofType('AWS::Lambda::Function').find(([, f]) => f.Properties.Description === 'Provisioning admin API (/api/admin/v1)') ?? [];
    expect((admin?.Properties.Environment as { Variables: Record<string, unknown> }).Variables.ADMIN_CONSOLE_ORIGIN).toEqual(
      consoleOrigin(),
    );
  });
});

describe('sign-in', () => {
  it("sends the administrator back to the console (callback and logout), besides the CLI's listener", () => {
    const [, client] = one('AWS::Cognito::UserPoolClient');
    expect(client.Properties.CallbackURLs).toContainEqual(consoleUrl());
    expect(client.Properties.LogoutURLs).toContainEqual(consoleUrl());
    expect(client.Properties.CallbackURLs).toContain('http://localhost:8976/callback');
  });

  it('has a read-only Viewer group beside Owner and SystemAdmin', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['Owner', 'SystemAdmin', 'Viewer']);
    expect(groups.find((g) => g.GroupName === 'Viewer')?.Description).toBe("Read-only: sees the console's pages, cannot change anything");
  });

  it('takes a redirect URL known only at deploy time if its written parts say https, and refuses it otherwise', () => {
    const domain = Lazy.string({ produce: () => 'd111111abcdef8.cloudfront.net' });
    expect(checkRedirectUrl(`https://${domain}/`)).toBe(`https://${domain}/`);
    expect(() => checkRedirectUrl(`http://${domain}/`)).toThrow(/https/);
    expect(() => checkRedirectUrl(`https://${domain}/#top`)).toThrow(/fragment/);
    expect(() => checkRedirectUrl(Token.asString({ Ref: 'SomeUrl' }))).toThrow(/https/);
  });
});

describe('the template', () => {
  // CloudFormation refuses a circular dependency at deploy time (test/support/cdk-app.ts).
  // The console's CSP names the admin API, whose CORS names the console: the API's origin is built
  // from the REST API's id, never from its stage (which depends on every method).
  it('has no circular dependency between resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn)', () => {
    expect(dependencyCycle(resources)).toBeUndefined();
    // The check sees a cycle where there is one: the distribution waiting for the deployment that waits for it.
    const deployment = one('Custom::CDKBucketDeployment')[0];
    const distribution = resources[distributionId()] as Resource;
    const withCycle = {
      ...resources,
      [distributionId()]: { ...distribution, DependsOn: [distribution.DependsOn ?? []].flat().concat(deployment) },
    };
    expect(dependencyCycle(withCycle)).toBeDefined();
  });
});
