/**
 * AWS WAF in front of every API: one web ACL per API stage, the rules, their limits (defaults and
 * from CDK context), the token pattern that tells identity providers from anonymous traffic, the
 * answers rate rules give, redaction of sampled requests, and `-c waf=false`. Expected values are
 * written out here (the token format as shared/tokens/token.ts documents it).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from '../../infra/app';
import { scimBearerPattern } from '../../infra/constructs/web-acls';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { generateToken } from '../../shared/tokens/token';
import { cdkApp } from '../support/cdk-app';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Rule = {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  Statement: Record<string, unknown>;
  VisibilityConfig: { CloudWatchMetricsEnabled: boolean; MetricName: string; SampledRequestsEnabled: boolean };
};

const PATTERN = '^[Bb][Ee][Aa][Rr][Ee][Rr]\\s+scim_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}\\s*$';
const WELL_FORMED = {
  RegexMatchStatement: {
    FieldToMatch: { SingleHeader: { Name: 'authorization' } },
    RegexString: PATTERN,
    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
  },
};
const THROTTLED = {
  Block: {
    CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'throttled', ResponseHeaders: [{ Name: 'Retry-After', Value: '60' }] },
  },
};

const resourcesOf = (context: Record<string, string>, name: string): Record<string, Resource> => {
  const app = cdkApp(`test-waf-${name}`, context);
  const stack = new ScimProvisioningStack(app, `Waf${name}`, configFromContext(app));
  return Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
};
const ofType = (resources: Record<string, Resource>, type: string): [string, Record<string, unknown>][] =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties]);

let resources: Record<string, Resource>;
beforeAll(() => {
  resources = resourcesOf({}, 'Default');
});

/** The web ACL associated with the stage of the REST API described as `description`. */
function aclOf(res: Record<string, Resource>, description: string): Record<string, unknown> {
  const [apiId] = ofType(res, 'AWS::ApiGateway::RestApi').find(([, p]) => p.Description === description) ?? [];
  const [stageId] =
    ofType(res, 'AWS::ApiGateway::Stage').find(([, p]) => JSON.stringify(p.RestApiId) === JSON.stringify({ Ref: apiId })) ?? [];
  const associations = ofType(res, 'AWS::WAFv2::WebACLAssociation').filter(([, p]) =>
    JSON.stringify(p.ResourceArn).includes(`"${stageId}"`),
  );
  expect(associations).toHaveLength(1);
  const aclId = (associations[0]?.[1].WebACLArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return res[aclId]?.Properties ?? {};
}
const rulesOf = (acl: Record<string, unknown>): Rule[] => (acl.Rules as Rule[]).slice().sort((a, b) => a.Priority - b.Priority);
const rate = (rule: Rule | undefined): Record<string, unknown> =>
  (rule?.Statement as { RateBasedStatement: Record<string, unknown> }).RateBasedStatement;

describe('the SCIM web ACL', () => {
  let acl: Record<string, unknown>;
  beforeAll(() => {
    acl = aclOf(resources, 'SCIM 2.0 service provider');
  });

  it('is regional, allows by default, and has metrics named after the stack and sampled requests', () => {
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    expect(acl.VisibilityConfig).toEqual({
      CloudWatchMetricsEnabled: true,
      MetricName: 'WafDefault-ScimApi',
      SampledRequestsEnabled: true,
    });
    for (const rule of rulesOf(acl))
      expect(rule.VisibilityConfig).toEqual({ CloudWatchMetricsEnabled: true, MetricName: rule.Name, SampledRequestsEnabled: true });
  });

  it('runs the IP reputation list, the three rate rules, known bad inputs and the Core rule set, in that order', () => {
    expect(rulesOf(acl).map((r) => r.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AnonymousPerIp',
      'AnonymousTotal',
      'TokenPerIp',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
    ]);
  });

  it('limits requests without a well-formed SCIM token per address (100) and all together (1000), and with one per address (6000), per 5 minutes', () => {
    const [, perIp, total, token] = rulesOf(acl);
    expect(rate(perIp)).toEqual({
      Limit: 100,
      AggregateKeyType: 'IP',
      EvaluationWindowSec: 300,
      ScopeDownStatement: { NotStatement: { Statement: WELL_FORMED } },
    });
    expect(rate(total)).toEqual({
      Limit: 1000,
      AggregateKeyType: 'CONSTANT',
      EvaluationWindowSec: 300,
      ScopeDownStatement: { NotStatement: { Statement: WELL_FORMED } },
    });
    expect(rate(token)).toEqual({ Limit: 6000, AggregateKeyType: 'IP', EvaluationWindowSec: 300, ScopeDownStatement: WELL_FORMED });
  });

  it('answers a rate-limited request 429 with Retry-After and the SCIM error body API Gateway gives when it throttles', () => {
    for (const rule of rulesOf(acl).filter((r) => 'RateBasedStatement' in r.Statement)) expect(rule.Action).toEqual(THROTTLED);
    const body = (acl.CustomResponseBodies as Record<string, { ContentType: string; Content: string }>).throttled;
    expect(body?.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body?.Content ?? '{}')).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
  });

  it('only counts the Core rules that misread SCIM requests (bodies over 8 KB, markup-like text, paths, URLs with IP hosts, no User-Agent)', () => {
    const crs = rulesOf(acl).find((r) => r.Name === 'AWSManagedRulesCommonRuleSet');
    expect(crs?.OverrideAction).toEqual({ None: {} });
    const group = (crs?.Statement as { ManagedRuleGroupStatement: Record<string, unknown> }).ManagedRuleGroupStatement;
    expect(group.VendorName).toBe('AWS');
    expect(group.RuleActionOverrides).toEqual(
      ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'NoUserAgent_HEADER'].map((Name) => ({
        Name,
        ActionToUse: { Count: {} },
      })),
    );
    for (const name of ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet']) {
      const rule = rulesOf(acl).find((r) => r.Name === name);
      expect(rule?.Statement).toEqual({ ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } });
    }
  });

  it('redacts the Authorization header and the query string in sampled requests', () => {
    expect(acl.DataProtectionConfig).toEqual({
      DataProtections: [
        { Field: { FieldType: 'SINGLE_HEADER', FieldKeys: ['authorization'] }, Action: 'SUBSTITUTION' },
        { Field: { FieldType: 'QUERY_STRING' }, Action: 'SUBSTITUTION' },
      ],
    });
  });
});

describe('the admin web ACL', () => {
  it('runs the IP reputation list, a per-address limit (500 per 5 minutes), known bad inputs and the whole Core rule set', () => {
    const acl = aclOf(resources, 'Provisioning admin API');
    const rules = rulesOf(acl);
    expect(rules.map((r) => r.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AdminPerIp',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
    ]);
    expect(rate(rules[1])).toEqual({ Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
    expect(rules[1]?.Action).toEqual(THROTTLED);
    expect(rules[3]?.Statement).toEqual({ ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } });
    const body = (acl.CustomResponseBodies as Record<string, { Content: string }>).throttled;
    expect(JSON.parse(body?.Content ?? '{}')).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((acl.VisibilityConfig as { MetricName: string }).MetricName).toBe('WafDefault-AdminApi');
  });
});

describe('the token endpoint web ACL', () => {
  let acl: Record<string, unknown>;
  beforeAll(() => {
    acl = aclOf(resources, 'OAuth 2.0 token endpoint for SCIM clients');
  });

  it('runs the IP reputation list, a per-address and a total limit on every request, known bad inputs and the Core rule set', () => {
    const rules = rulesOf(acl);
    expect(rules.map((r) => r.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AnonymousPerIp',
      'AnonymousTotal',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
    ]);
    // No request here carries a SCIM token: no scope-down, every request counts (the anonymous limits, counted in this ACL).
    expect(rate(rules[1])).toEqual({ Limit: 100, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
    expect(rate(rules[2])).toEqual({ Limit: 1000, AggregateKeyType: 'CONSTANT', EvaluationWindowSec: 300 });
    for (const rule of [rules[1], rules[2]]) expect(rule?.Action).toEqual(THROTTLED);
    const group = (rules[4]?.Statement as { ManagedRuleGroupStatement: Record<string, unknown> }).ManagedRuleGroupStatement;
    expect(group.RuleActionOverrides).toEqual([{ Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } }]);
    expect((acl.VisibilityConfig as { MetricName: string }).MetricName).toBe('WafDefault-OAuthApi');
  });

  it("answers 429 in RFC 6749's error JSON and redacts the Authorization header (a client's Basic credentials)", () => {
    const body = (acl.CustomResponseBodies as Record<string, { ContentType: string; Content: string }>).throttled;
    expect(body?.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body?.Content ?? '{}')).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    expect(acl.DataProtectionConfig).toEqual({
      DataProtections: [
        { Field: { FieldType: 'SINGLE_HEADER', FieldKeys: ['authorization'] }, Action: 'SUBSTITUTION' },
        { Field: { FieldType: 'QUERY_STRING' }, Action: 'SUBSTITUTION' },
      ],
    });
  });
});

describe('the well-formed token pattern', () => {
  const pattern = new RegExp(scimBearerPattern());

  it('is the token format: Bearer (any case), scim_, 16 base62, _, 49 base62 (43 of secret, 6 of checksum)', () => {
    expect(scimBearerPattern()).toBe(PATTERN);
  });

  it('matches the Authorization header of every generated token', () => {
    for (let i = 0; i < 50; i++) {
      const { value } = generateToken();
      expect(pattern.test(`Bearer ${value}`)).toBe(true);
      expect(pattern.test(`bearer ${value}`)).toBe(true);
    }
  });

  it('does not match anonymous, malformed or other credentials', () => {
    const { value } = generateToken();
    for (const header of [
      '',
      value,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Bearer ${value.slice(0, -1)}`,
      `Bearer ${value}x`,
      `Bearer ${value.replace('scim_', 'scam_')}`,
      `Bearer ${value.replace(/_([^_]*)$/, '-$1')}`,
      'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
      `Bearer ${value} ${value}`,
    ]) {
      expect({ header, matches: pattern.test(header) }).toEqual({ header, matches: false });
    }
  });
});

describe('configuration', () => {
  it('takes every limit from CDK context', () => {
    const res = resourcesOf(
      { wafAnonymousIpLimit: '20', wafAnonymousLimit: '300', wafTokenIpLimit: '9000', wafAdminIpLimit: '50' },
      'Limits',
    );
    const limits = (description: string): number[] =>
      rulesOf(aclOf(res, description))
        .filter((r) => 'RateBasedStatement' in r.Statement)
        .map((r) => rate(r).Limit as number);
    expect(limits('SCIM 2.0 service provider')).toEqual([20, 300, 9000]);
    expect(limits('Provisioning admin API')).toEqual([50]);
    expect(limits('OAuth 2.0 token endpoint for SCIM clients')).toEqual([20, 300]);
  });

  it('refuses a limit AWS WAF would refuse', () => {
    const app = cdkApp('test-waf-bad', { wafAnonymousIpLimit: '5' });
    expect(() => new ScimProvisioningStack(app, 'WafBad', configFromContext(app))).toThrow(/AnonymousPerIp.*10/);
    expect(() => configFromContext(cdkApp('test-waf-bad2', { waf: 'no' }))).toThrow(/waf/);
  });

  it('leaves WAF out with -c waf=false: no web ACL, no association, no WAF alarm', () => {
    expect(configFromContext(cdkApp('test-waf-default')).waf).toEqual(DEFAULT_CONFIG.waf);
    const res = resourcesOf({ waf: 'false' }, 'Off');
    expect(ofType(res, 'AWS::WAFv2::WebACL')).toEqual([]);
    expect(ofType(res, 'AWS::WAFv2::WebACLAssociation')).toEqual([]);
    expect(JSON.stringify(ofType(res, 'AWS::CloudWatch::Alarm'))).not.toContain('AWS/WAFV2');
  });
});

describe('monitoring', () => {
  it('alarms on the requests each web ACL blocks, at 100 in 5 minutes, to the alert topic', () => {
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a)
      .filter((a) => a.Namespace === 'AWS/WAFV2');
    const [topicId] = ofType(resources, 'AWS::SNS::Topic')[0] ?? [];
    expect(alarms.map((a) => (a.Dimensions as { Name: string; Value: unknown }[]).find((d) => d.Name === 'WebACL')?.Value).sort()).toEqual([
      'WafDefault-AdminApi',
      'WafDefault-OAuthApi',
      'WafDefault-ScimApi',
    ]);
    for (const a of alarms) {
      expect(a).toMatchObject({
        MetricName: 'BlockedRequests',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 100,
        AlarmActions: [{ Ref: topicId }],
      });
      expect(a.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'Rule', Value: 'ALL' },
          { Name: 'Region', Value: { Ref: 'AWS::Region' } },
        ]),
      );
    }
  });
});
