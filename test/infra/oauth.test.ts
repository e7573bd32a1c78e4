/**
 * The token endpoint as deployed, on the synthesized template: its own REST API (POST
 * /api/oauth2/token, public, and the 405 fallback; RFC 6749 error JSON from API Gateway itself),
 * the KMS key that signs access tokens and who may use it, what the token, authorizer and SCIM
 * functions are told (issuer, audience, key, lifetime), the accessTokenLifetimeSeconds setting, the
 * TokenEndpointUrl output, and no dependency cycle. Expected values are written out here.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from '../../infra/app';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { cdkApp, dependencyCycle } from '../support/cdk-app';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Resources = Record<string, Resource>;
type Outputs = Record<string, { Value: unknown; Description?: string }>;

const build = (name: string, context: Record<string, string> = {}): { resources: Resources; outputs: Outputs } => {
  const app = cdkApp(`test-oauth-${name}`, context);
  const json = Template.fromStack(new ScimProvisioningStack(app, `OAuth${name}`, configFromContext(app))).toJSON();
  return { resources: json.Resources as Resources, outputs: json.Outputs as Outputs };
};

let resources: Resources;
let outputs: Outputs;
let custom: Resources;
beforeAll(() => {
  ({ resources, outputs } = build('Default'));
  // A stage name of its own shows the URLs take the configured one (not "prod" written somewhere).
  custom = build('Custom', { accessTokenLifetimeSeconds: '7200', stageName: 'live' }).resources;
});

const ofType = (res: Resources, type: string): [string, Resource][] => Object.entries(res).filter(([, r]) => r.Type === type);
const json = (v: unknown): string => JSON.stringify(v);
const restApiId = (res: Resources, description: string): string => {
  const found = ofType(res, 'AWS::ApiGateway::RestApi').filter(([, r]) => r.Properties.Description === description);
  if (found.length !== 1) throw new Error(`Expected one REST API ${description}, found ${found.length}`);
  return found[0]?.[0] ?? '';
};
const oauthApi = (res: Resources = resources): string => restApiId(res, 'OAuth 2.0 token endpoint for SCIM clients');
const scimApi = (res: Resources = resources): string => restApiId(res, 'SCIM 2.0 service provider');
const functionOf = (res: Resources, description: RegExp): [string, Resource] => {
  const found = ofType(res, 'AWS::Lambda::Function').filter(([, r]) => description.test(String(r.Properties.Description)));
  if (found.length !== 1) throw new Error(`Expected one function matching ${description}, found ${found.length}`);
  return found[0] as [string, Resource];
};
const envOf = (res: Resources, description: RegExp): Record<string, unknown> =>
  (functionOf(res, description)[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const TOKEN_FN = /^OAuth 2.0 token endpoint/;
const AUTHORIZER_FN = /^Validates SCIM bearer tokens/;
const SCIM_FN = /^SCIM 2.0 service provider/;

/** The URL API Gateway gives a path of a stage, from the REST API's id (as the stack writes it). */
const urlFromId = (apiId: string, stage: string, path: string): unknown => ({
  'Fn::Join': [
    '',
    ['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${stage}${path}`],
  ],
});

describe('the token endpoint API', () => {
  /** `METHOD /path` of every method of a REST API, rebuilt from the nested resources. */
  const methodsOf = (apiId: string): Map<string, Record<string, unknown>> => {
    const pathOf = (ref: unknown): string => {
      if (typeof ref === 'object' && ref !== null && 'Fn::GetAtt' in ref) return '';
      const r = resources[(ref as { Ref: string }).Ref];
      return `${pathOf(r?.Properties.ParentId)}/${String(r?.Properties.PathPart)}`;
    };
    const out = new Map<string, Record<string, unknown>>();
    for (const [, m] of ofType(resources, 'AWS::ApiGateway::Method')) {
      if (json(m.Properties.RestApiId) !== json({ Ref: apiId })) continue;
      out.set(`${String(m.Properties.HttpMethod)} ${pathOf(m.Properties.ResourceId)}`, m.Properties);
    }
    return out;
  };

  it('is a REST API of its own with POST /api/oauth2/token and the ANY fallback only, both public, served by the token function', () => {
    expect(oauthApi()).not.toBe(scimApi());
    const methods = methodsOf(oauthApi());
    expect([...methods.keys()].sort()).toEqual(['ANY /api/oauth2/token', 'POST /api/oauth2/token']);
    const [tokenFnId] = functionOf(resources, TOKEN_FN);
    for (const m of methods.values()) {
      expect(m.AuthorizationType).toBe('NONE');
      expect(m.AuthorizerId).toBeUndefined();
      expect(json((m.Integration as { Uri: unknown }).Uri)).toContain(`"${tokenFnId}"`);
    }
    // No CORS: identity providers call it from their servers.
    expect([...methods.keys()].some((k) => k.startsWith('OPTIONS'))).toBe(false);
  });

  it("answers API Gateway's own refusals in RFC 6749 JSON (an error field), never cached", () => {
    const responses = ofType(resources, 'AWS::ApiGateway::GatewayResponse').filter(
      ([, r]) => json(r.Properties.RestApiId) === json({ Ref: oauthApi() }),
    );
    expect(responses.map(([, r]) => r.Properties.ResponseType).sort()).toEqual(
      [
        'ACCESS_DENIED',
        'DEFAULT_4XX',
        'DEFAULT_5XX',
        'INTEGRATION_FAILURE',
        'INTEGRATION_TIMEOUT',
        'MISSING_AUTHENTICATION_TOKEN',
        'REQUEST_TOO_LARGE',
        'THROTTLED',
        'UNAUTHORIZED',
      ].sort(),
    );
    const codes = ['invalid_request', 'invalid_client', 'temporarily_unavailable', 'server_error'];
    for (const [, r] of responses) {
      const params = r.Properties.ResponseParameters as Record<string, string>;
      expect(params['gatewayresponse.header.Content-Type']).toBe("'application/json'");
      expect(params['gatewayresponse.header.Cache-Control']).toBe("'no-store'");
      const body = JSON.parse((r.Properties.ResponseTemplates as Record<string, string>)['application/json'] ?? '{}') as Record<
        string,
        unknown
      >;
      expect({ type: r.Properties.ResponseType, known: codes.includes(String(body.error)) }).toEqual({
        type: r.Properties.ResponseType,
        known: true,
      });
      expect(typeof body.error_description).toBe('string');
    }
    const status = (type: string): unknown => responses.find(([, r]) => r.Properties.ResponseType === type)?.[1].Properties.StatusCode;
    expect([status('THROTTLED'), status('MISSING_AUTHENTICATION_TOKEN'), status('DEFAULT_5XX')]).toEqual(['429', '404', '500']);
  });

  it('is given to the identity provider as the TokenEndpointUrl output: the same URL the access tokens name as issuer', () => {
    const value = outputs.TokenEndpointUrl?.Value as { 'Fn::Join': [string, unknown[]] } | undefined;
    expect(value).toBeDefined();
    // API Gateway's stage URL (the stage's Ref is its name, prod)...
    const [stageId] =
      ofType(resources, 'AWS::ApiGateway::Stage').find(([, s]) => json(s.Properties.RestApiId) === json({ Ref: oauthApi() })) ?? [];
    expect(json(value)).toContain(json({ Ref: stageId }));
    // ...is, once deployed, the issuer the functions are told.
    const deployed = (v: unknown): string =>
      (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
        .map((p) => (typeof p === 'string' ? p : json(p) === json({ Ref: stageId }) ? 'prod' : `{${json(p)}}`))
        .join('');
    expect(deployed(value)).toBe(deployed(urlFromId(oauthApi(), 'prod', '/api/oauth2/token')));
    expect(deployed(value)).toMatch(/^https:\/\/\{.*\}\.execute-api\..*\/prod\/api\/oauth2\/token$/);
    expect(outputs.ScimBaseUrl).toBeDefined();
    expect(outputs.AdminBaseUrl).toBeDefined();
  });
});

describe('the signing key', () => {
  const keyOf = (res: Resources): [string, Resource] => {
    const found = ofType(res, 'AWS::KMS::Key').filter(([, k]) => k.Properties.KeyUsage === 'SIGN_VERIFY');
    expect(found).toHaveLength(1);
    return found[0] as [string, Resource];
  };

  it('is an asymmetric KMS key, ECC_NIST_P256 for signing, destroyed with the stack after 7 days', () => {
    const [, key] = keyOf(resources);
    expect(key.Properties).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      PendingWindowInDays: 7,
      Description: expect.stringMatching(/access tokens/),
    });
    // KMS cannot rotate an asymmetric key (a new key is deployed instead).
    expect(key.Properties.EnableKeyRotation).toBeUndefined();
    expect([key.DeletionPolicy, key.UpdateReplacePolicy]).toEqual(['Delete', 'Delete']);
    // Its key policy only delegates to the account's IAM policies: no service or other principal.
    const statements = (key.Properties.KeyPolicy as { Statement: { Principal: unknown }[] }).Statement;
    expect(statements.map((s) => json(s.Principal))).toEqual([
      json({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } }),
    ]);
  });

  it('may be used by two roles only: the token function signs, the authorizer reads the public key', () => {
    const [keyId] = keyOf(resources);
    const grants = ofType(resources, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement.filter((s) =>
        json(s.Resource).includes(`"${keyId}"`),
      ).map((s) => ({ roles: p.Properties.Roles, actions: [s.Action].flat(), resource: s.Resource })),
    );
    const roleOf = (description: RegExp): unknown => [
      { Ref: (functionOf(resources, description)[1].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] },
    ];
    expect(grants).toEqual(
      expect.arrayContaining([
        { roles: roleOf(TOKEN_FN), actions: ['kms:Sign'], resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        { roles: roleOf(AUTHORIZER_FN), actions: ['kms:GetPublicKey'], resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      ]),
    );
    expect(grants).toHaveLength(2);
    // Nothing of KMS on any other resource, nor any signing anywhere else.
    for (const [, p] of ofType(resources, 'AWS::IAM::Policy')) {
      for (const s of (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement) {
        if ([s.Action].flat().some((a) => /^kms:(Sign|GetPublicKey|\*)$/.test(a)))
          expect(json(s.Resource)).toBe(json({ 'Fn::GetAtt': [keyId, 'Arn'] }));
      }
    }
  });

  it('is named (its ARN) to the two functions that use it, and to no other', () => {
    const [keyId] = keyOf(resources);
    const named = ofType(resources, 'AWS::Lambda::Function')
      .filter(
        ([, f]) =>
          (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.OAUTH_SIGNING_KEY_ID !== undefined,
      )
      .map(([, f]) => String(f.Properties.Description))
      .sort();
    expect(named).toEqual(['OAuth 2.0 token endpoint for SCIM clients (/api/oauth2/token)', 'Validates SCIM bearer tokens']);
    expect(envOf(resources, TOKEN_FN).OAUTH_SIGNING_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(envOf(resources, AUTHORIZER_FN).OAUTH_SIGNING_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });
});

describe('what the functions are told', () => {
  it('token function and authorizer: issuer = the token endpoint, audience = the SCIM base URL, from the REST API ids and stage name', () => {
    for (const [res, stage] of [
      [resources, 'prod'],
      [custom, 'live'],
    ] as const) {
      for (const fn of [TOKEN_FN, AUTHORIZER_FN]) {
        const env = envOf(res, fn);
        expect(env.OAUTH_ISSUER).toEqual(urlFromId(oauthApi(res), stage, '/api/oauth2/token'));
        expect(env.OAUTH_AUDIENCE).toEqual(urlFromId(scimApi(res), stage, '/api/scim/v2'));
      }
      // /ServiceProviderConfig shows the token endpoint.
      expect(envOf(res, SCIM_FN).OAUTH_TOKEN_ENDPOINT).toEqual(urlFromId(oauthApi(res), stage, '/api/oauth2/token'));
    }
  });

  it('none of the three names a stage or deployment (which depend on the methods that call them)', () => {
    const stagesAndDeployments = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::ApiGateway::Stage' || r.Type === 'AWS::ApiGateway::Deployment')
      .map(([id]) => id);
    expect(stagesAndDeployments.length).toBeGreaterThanOrEqual(6);
    for (const fn of [TOKEN_FN, AUTHORIZER_FN, SCIM_FN]) {
      const env = json(envOf(resources, fn));
      for (const id of stagesAndDeployments)
        expect({ fn: String(fn), names: env.includes(`"${id}"`) }).toEqual({ fn: String(fn), names: false });
    }
  });

  it('accessTokenLifetimeSeconds: 3600 by default, from CDK context otherwise', () => {
    expect(DEFAULT_CONFIG.accessTokenLifetimeSeconds).toBe(3600);
    expect(configFromContext(cdkApp('test-oauth-ctx')).accessTokenLifetimeSeconds).toBe(3600);
    expect(envOf(resources, TOKEN_FN).OAUTH_ACCESS_TOKEN_SECONDS).toBe('3600');
    expect(envOf(custom, TOKEN_FN).OAUTH_ACCESS_TOKEN_SECONDS).toBe('7200');
  });

  it.each(['3599', '21601', '3600.5'])('refuses accessTokenLifetimeSeconds=%s at synth', (value) => {
    const app = cdkApp('test-oauth-bad', { accessTokenLifetimeSeconds: value });
    expect(() => new ScimProvisioningStack(app, 'OAuthBad', configFromContext(app))).toThrow(/accessTokenLifetimeSeconds/);
  });
});

describe('the template', () => {
  it('has no circular dependency, and would have one if the token function named its own stage', () => {
    expect(dependencyCycle(resources)).toBeUndefined();
    expect(dependencyCycle(custom)).toBeUndefined();
    // What the stack avoids: the issuer from the stage (api.url) instead of the REST API's id.
    const [fnId, fn] = functionOf(resources, TOKEN_FN);
    const [stageId] =
      ofType(resources, 'AWS::ApiGateway::Stage').find(([, s]) => json(s.Properties.RestApiId) === json({ Ref: oauthApi() })) ?? [];
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const fromStage = { ...fn, Properties: { ...fn.Properties, Environment: { Variables: { ...env, OAUTH_ISSUER: { Ref: stageId } } } } };
    expect(dependencyCycle({ ...resources, [fnId]: fromStage })).toBeDefined();
  });
});
