/**
 * The security settings of the stack, on the synthesized template: the table cannot be deleted,
 * logs outlive the stack, alerts are encrypted and TLS-only, admin sign-in is MFA-only through SRP
 * or the managed login (code grant, no password flow), and the cursor key reaches only the two
 * functions that seal cursors, through the Parameters and Secrets extension.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from '../../infra/app';
import { checkDomainPrefix, defaultDomainPrefix } from '../../infra/constructs/admin-identity';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { cdkApp } from '../support/cdk-app';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  const stack = new ScimProvisioningStack(cdkApp('test-hardening'), 'Hard', DEFAULT_CONFIG);
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const one = (type: string): [string, Resource] => {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};
const json = (v: unknown): string => JSON.stringify(v);

describe('data and logs', () => {
  it('the table has deletion protection and keeps the key DynamoDB owns (no customer managed key)', () => {
    const [, table] = one('AWS::DynamoDB::Table');
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    // SSEEnabled false is DynamoDB's encryption at rest with the key it owns (true would be KMS).
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
  });

  it('every log group is kept when the stack is deleted', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.length).toBe(12); // 8 functions, 3 API access logs, the console deployment
    for (const [, g] of groups) {
      expect(g.DeletionPolicy).toBe('Retain');
      expect(g.UpdateReplacePolicy).toBe('Retain');
    }
  });
});

describe('the alert topic', () => {
  it('is encrypted with a key of its own, rotated yearly, that CloudWatch alarms of this account may use', () => {
    const [, topic] = one('AWS::SNS::Topic');
    const keyId = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = resources[keyId] as Resource;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    const cloudwatch = statements.find((s) => json(s.Principal) === json({ Service: 'cloudwatch.amazonaws.com' }));
    expect(cloudwatch).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
    expect(json(cloudwatch?.Condition)).toContain('aws:SourceAccount');
    expect(json(cloudwatch?.Condition)).toContain(':alarm:*');
  });

  it('refuses publishing without TLS and lets CloudWatch alarms publish', () => {
    const [topicId] = one('AWS::SNS::Topic');
    const [, policy] = one('AWS::SNS::TopicPolicy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
      }),
    );
  });
});

describe('admin sign-in', () => {
  it('requires TOTP MFA (no SMS), a strong password, and runs threat protection in full-function mode on the Plus plan', () => {
    const [poolId, pool] = one('AWS::Cognito::UserPool');
    expect(pool.Properties).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
      },
    });
    const [, risk] = one('AWS::Cognito::UserPoolRiskConfigurationAttachment');
    expect(risk.Properties).toMatchObject({
      UserPoolId: { Ref: poolId },
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: { Actions: { HighAction: { EventAction: 'BLOCK', Notify: false } } },
    });
  });

  it('has a public app client with SRP and refresh only (no USER_PASSWORD_AUTH), and the code grant without the implicit one', () => {
    const [, client] = one('AWS::Cognito::UserPoolClient');
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(client.Properties.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.Properties.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    // The CLI's, and the deployed console (https://<distribution domain>/).
    const [distributionId] = one('AWS::CloudFront::Distribution');
    const consoleUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] };
    expect(client.Properties.CallbackURLs).toEqual(['http://localhost:8976/callback', consoleUrl]);
    expect(client.Properties.LogoutURLs).toEqual(['http://localhost:8976/logout', consoleUrl]);
    expect(client.Properties.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(client.Properties.PreventUserExistenceErrors).toBe('ENABLED');
  });

  it('has a Cognito domain named after the stack and its stack id (never the account id), output as AdminSignInDomain', () => {
    const [domainId, domain] = one('AWS::Cognito::UserPoolDomain');
    // hard-admin- and the last group of the stack id's uuid (arn:…:stack/<name>/<uuid>).
    expect(domain.Properties.Domain).toEqual({
      'Fn::Join': [
        '',
        [
          'hard-admin-',
          { 'Fn::Select': [4, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] },
        ],
      ],
    });
    expect(JSON.stringify(domain.Properties.Domain)).not.toContain('AWS::AccountId');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(json(outputs.AdminSignInDomain?.Value)).toContain(`{"Ref":"${domainId}"}`);
    expect(json(outputs.AdminSignInDomain?.Value)).toContain('.amazoncognito.com');
    expect(outputs.AdminUserPoolId).toBeDefined();
    expect(outputs.AdminUserPoolClientId).toBeDefined();
  });

  it('takes its redirect URLs (comma-separated) and domain prefix from CDK context, and refuses what Cognito would', () => {
    const config = configFromContext(
      cdkApp('test-hardening-ctx', {
        adminCallbackUrls: 'https://console.example.com/callback, http://localhost:8976/callback',
        adminLogoutUrls: 'https://console.example.com/',
        adminDomainPrefix: 'acme-scim-admin',
      }),
    );
    expect(config.adminCallbackUrls).toEqual(['https://console.example.com/callback', 'http://localhost:8976/callback']);
    expect(config.adminLogoutUrls).toEqual(['https://console.example.com/']);
    expect(config.adminDomainPrefix).toBe('acme-scim-admin');
    expect(configFromContext(cdkApp('test-hardening-ctx2')).adminCallbackUrls).toEqual(['http://localhost:8976/callback']);

    expect(() => checkDomainPrefix('my-cognito-admin')).toThrow(/cognito/);
    expect(() => checkDomainPrefix('Upper')).toThrow(/lower-case/);
    expect(() => checkDomainPrefix('-edge')).toThrow();
    const app = cdkApp('test-hardening-http', { adminCallbackUrls: 'http://console.example.com/callback' });
    expect(() => new ScimProvisioningStack(app, 'HardHttp', configFromContext(app))).toThrow(/https/);
  });

  it('derives a valid default prefix from any stack name', () => {
    expect(defaultDomainPrefix('ScimProvisioning', '1c2fa620982a')).toBe('scimprovisioning-admin-1c2fa620982a');
    expect(defaultDomainPrefix('AWS-Cognito-Scim_Prod', '1c2fa620982a')).toBe('scim-prod-admin-1c2fa620982a');
    expect(defaultDomainPrefix('aws', '1c2fa620982a')).toBe('scim-admin-1c2fa620982a');
    expect(defaultDomainPrefix('AAwsWSCOGNITOx', '1c2fa620982a')).toBe('x-admin-1c2fa620982a');
    expect(defaultDomainPrefix('X'.repeat(128), '1c2fa620982a')).toHaveLength(63);
  });
});

describe('the cursor key', () => {
  const fnEnv = (description: RegExp): Record<string, unknown> => {
    const found = ofType('AWS::Lambda::Function').find(([, f]) => description.test(String(f.Properties.Description)));
    return (found?.[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  };

  it('is a secret of 64 random letters and digits generated by the stack', () => {
    const [, secret] = one('AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
    expect(ofType('AWS::SecretsManager::RotationSchedule')).toEqual([]);
  });

  it('reaches the SCIM and admin functions only: its ARN in CURSOR_SECRET_ARN, the arm64 Parameters and Secrets extension', () => {
    const [secretId] = one('AWS::SecretsManager::Secret');
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const reader = /SCIM 2.0 service provider|Provisioning admin API/.test(String(fn.Properties.Description));
      // (CDK's handlers of the console bucket may have no environment at all.)
      const vars = (fn.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect({ fn: fn.Properties.Description, arn: vars.CURSOR_SECRET_ARN }).toEqual({
        fn: fn.Properties.Description,
        arn: reader ? { Ref: secretId } : undefined,
      });
      const layers = json(fn.Properties.Layers ?? []);
      expect({ fn: fn.Properties.Description, extension: /x103xarm64/.test(layers) }).toEqual({
        fn: fn.Properties.Description,
        extension: reader,
      });
    }
    expect(fnEnv(/SCIM 2.0/).PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).toBe('2773');
  });
});
