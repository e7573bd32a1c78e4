import { Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { gatewayResponses } from '../../shared/http/gateway-responses';
import type { ApiName } from '../../shared/http/routes';
import { formatToken, ID_LENGTH, SECRET_LENGTH, TOKEN_PREFIX } from '../../shared/tokens/token';
import { API_LABELS } from './rest-apis';

/** Rate limits, in requests per RATE_WINDOW_SECONDS. */
export interface WafLimits {
  /**
   * From one source address, without a well-formed SCIM token; on the token endpoint (where no
   * request carries one), every request, counted apart from the SCIM API's.
   */
  anonymousPerIp: number;
  /** From all addresses together, without a well-formed SCIM token; on the token endpoint, every request (counted apart). */
  anonymousTotal: number;
  /** From one source address, with a well-formed SCIM token (an identity provider's traffic). */
  tokenPerIp: number;
  /** From one source address, to the admin API. */
  adminPerIp: number;
}

/** The window every rate rule counts in (AWS WAF allows 60, 120, 300 or 600 seconds). */
export const RATE_WINDOW_SECONDS = 300;
/** AWS WAF's bounds for a rate-based rule's limit. */
const MIN_LIMIT = 10;
const MAX_LIMIT = 2_000_000_000;

/** The Core rule set rules that only count on the SCIM API (the construct's comment says why, rule by rule). */
export const SCIM_COUNTED_RULES = [
  'SizeRestrictions_BODY',
  'CrossSiteScripting_BODY',
  'GenericLFI_BODY',
  'GenericRFI_BODY',
  'NoUserAgent_HEADER',
] as const;

/** The Core rule set rules that only count on the token endpoint's API (the construct's comment says why). */
export const OAUTH_COUNTED_RULES = ['NoUserAgent_HEADER'] as const;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The Authorization header of a well-formed SCIM token (shared/tokens/token.ts), as an AWS WAF
 * regex: the Bearer scheme in any case, then `scim_`, the 16-character id, `_` and the secret with
 * its checksum. The lengths come from the token module (the secret part is measured on a token it
 * formats). WAF cannot check the checksum; the authorizer does.
 */
export function scimBearerPattern(): string {
  const secretPart = formatToken('0'.repeat(ID_LENGTH), '0'.repeat(SECRET_LENGTH)).length - TOKEN_PREFIX.length - ID_LENGTH - 1;
  const scheme = [...'bearer'].map((c) => `[${c.toUpperCase()}${c}]`).join('');
  return `^${scheme}\\s+${escapeRegex(TOKEN_PREFIX)}[0-9A-Za-z]{${ID_LENGTH}}_[0-9A-Za-z]{${secretPart}}\\s*$`;
}

export interface WebAclsProps {
  apis: Record<ApiName, RestApi>;
  limits: WafLimits;
}

type Rule = CfnWebACL.RuleProperty;

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

function managedGroup(priority: number, name: string, countOnly: readonly string[] = []): Rule {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(countOnly.length > 0 ? { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
      },
    },
    visibilityConfig: visibility(name),
  };
}

const THROTTLED_BODY = 'throttled';

/** A rate rule that answers 429 with the API's own throttling body (the one API Gateway gives) and Retry-After. */
function rateRule(
  priority: number,
  name: string,
  limit: number,
  aggregateKeyType: 'IP' | 'CONSTANT',
  scopeDownStatement?: CfnWebACL.StatementProperty,
): Rule {
  if (!Number.isInteger(limit) || limit < MIN_LIMIT || limit > MAX_LIMIT) {
    throw new Error(`The WAF rate limit of ${name} must be an integer from ${MIN_LIMIT} to ${MAX_LIMIT}, got ${limit}`);
  }
  return {
    name,
    priority,
    action: {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: THROTTLED_BODY,
          responseHeaders: [{ name: 'Retry-After', value: '60' }],
        },
      },
    },
    statement: {
      rateBasedStatement: {
        limit,
        aggregateKeyType,
        evaluationWindowSec: RATE_WINDOW_SECONDS,
        ...(scopeDownStatement ? { scopeDownStatement } : {}),
      },
    },
    visibilityConfig: visibility(name),
  };
}

/**
 * AWS WAF in front of every REST API stage: one web ACL per API.
 *
 * SCIM, in this order:
 *  - AWS's IP reputation list (addresses known for attacks and reconnaissance): blocked.
 *  - Requests without a well-formed SCIM token (the Authorization header does not match
 *    `scimBearerPattern`) are limited per source address, and all of them together: an anonymous
 *    flood is cut off at WAF, before API Gateway's throttle (which the identity provider's requests
 *    share) and before the authorizer, so it never uses up the identity provider's budget.
 *  - Requests with a well-formed token are limited per source address too, higher: an identity
 *    provider sends from a few addresses at a steady rate; a flood of made-up tokens from one
 *    address stops here. (Made-up tokens from many addresses reach the authorizer, which refuses a
 *    bad checksum without looking the token up.)
 *  - AWS's known bad inputs (Log4j, Java deserialization, exploitable paths): blocked.
 *  - AWS's Core rule set, with the rules that misread SCIM requests set to count (their matches stay
 *    visible as CountedRequests): SizeRestrictions_BODY (a SCIM body may be up to 1 MB and every
 *    group PATCH of a few hundred members is over the rule's 8 KB), CrossSiteScripting_BODY (user
 *    attributes are text: a display name or title such as "Sales <EMEA>" looks like markup, and
 *    nothing this service returns is HTML), GenericLFI_BODY (path-like values, e.g. a home
 *    directory in an extension attribute), GenericRFI_BODY (URLs with an IPv4 host in `$ref`,
 *    `profileUrl` or `photos` when a directory is addressed by IP), and NoUserAgent_HEADER (SCIM
 *    does not require a User-Agent and a provisioning client may send none: the bearer token, not
 *    the User-Agent, tells a client from an attacker). Every other Core rule blocks.
 * Admin: the IP reputation list, a per-address rate limit, known bad inputs and the whole Core rule set.
 * Token endpoint: the IP reputation list, then every request limited per source address and all
 *   together, with the anonymous limits of the SCIM API (counted apart, in this ACL): no request
 *   here carries a SCIM token, and nothing WAF can read tells a client's credentials from a guess
 *   (the token function checks them). A client asks for a token about once an hour, so the
 *   per-address limit only stops guessing and floods; a distributed flood over the total limit
 *   blocks clients too for the rest of the window, which the access tokens they hold (valid at
 *   least an hour) outlast. Then known bad inputs and the Core rule set, NoUserAgent_HEADER counted
 *   (the same provisioning clients as SCIM's); the form body is a few short fields (a federated
 *   client's signed assertion is a few KB of base64url, under the 8 KB size rule), so the body
 *   rules block.
 *
 * Rate rules answer 429 with Retry-After, as API Gateway's own throttling does, so that an
 * identity provider backs off and retries. Metrics and sampled requests are on; the Authorization
 * header (a SCIM token, or a client's Basic credentials) and the query string (SCIM filters name
 * users) are REDACTED in every sample (samples carry no body, where a client secret may be).
 *
 * Cost (list prices): $5 a month per web ACL and $1 a month per rule (a managed rule group is one
 * rule; these AWS groups carry no subscription fee), so $11 for the SCIM ACL (6 rules), $9 for
 * the admin ACL (4 rules) and $10 for the token endpoint's (5 rules): about $30 a month, plus $0.60
 * per million requests inspected. That is more than the rest of a small deployment costs;
 * `-c waf=false` leaves WAF out.
 */
export class WebAcls extends Construct {
  /** The CloudWatch metric name (the WebACL dimension of AWS/WAFV2 metrics) of each API's web ACL. */
  readonly metricNames: Record<ApiName, string>;
  readonly acls: Record<ApiName, CfnWebACL>;

  constructor(scope: Construct, id: string, props: WebAclsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const limits = props.limits;
    const wellFormedToken: CfnWebACL.StatementProperty = {
      regexMatchStatement: {
        fieldToMatch: { singleHeader: { Name: 'authorization' } },
        regexString: scimBearerPattern(),
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };
    const withoutToken: CfnWebACL.StatementProperty = { notStatement: { statement: wellFormedToken } };

    const rules: Record<ApiName, Rule[]> = {
      scim: [
        managedGroup(0, 'AWSManagedRulesAmazonIpReputationList'),
        rateRule(1, 'AnonymousPerIp', limits.anonymousPerIp, 'IP', withoutToken),
        rateRule(2, 'AnonymousTotal', limits.anonymousTotal, 'CONSTANT', withoutToken),
        rateRule(3, 'TokenPerIp', limits.tokenPerIp, 'IP', wellFormedToken),
        managedGroup(4, 'AWSManagedRulesKnownBadInputsRuleSet'),
        managedGroup(5, 'AWSManagedRulesCommonRuleSet', SCIM_COUNTED_RULES),
      ],
      admin: [
        managedGroup(0, 'AWSManagedRulesAmazonIpReputationList'),
        rateRule(1, 'AdminPerIp', limits.adminPerIp, 'IP'),
        managedGroup(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
        managedGroup(3, 'AWSManagedRulesCommonRuleSet'),
      ],
      oauth: [
        managedGroup(0, 'AWSManagedRulesAmazonIpReputationList'),
        rateRule(1, 'AnonymousPerIp', limits.anonymousPerIp, 'IP'),
        rateRule(2, 'AnonymousTotal', limits.anonymousTotal, 'CONSTANT'),
        managedGroup(3, 'AWSManagedRulesKnownBadInputsRuleSet'),
        managedGroup(4, 'AWSManagedRulesCommonRuleSet', OAUTH_COUNTED_RULES),
      ],
    };
    const apiNames = Object.keys(rules) as ApiName[];
    const metricNames: Partial<Record<ApiName, string>> = {};
    for (const api of apiNames) metricNames[api] = `${stackName}-${API_LABELS[api]}Api`;
    this.metricNames = metricNames as Record<ApiName, string>;
    const acls: Partial<Record<ApiName, CfnWebACL>> = {};
    for (const api of apiNames) {
      const throttled = gatewayResponses(api).find((r) => r.type === 'THROTTLED');
      if (!throttled) throw new Error(`The ${api} API has no THROTTLED gateway response`);
      const acl = new CfnWebACL(this, `${API_LABELS[api]}Acl`, {
        scope: 'REGIONAL',
        description: `Guards the ${api} API of ${stackName}`,
        defaultAction: { allow: {} },
        visibilityConfig: visibility(this.metricNames[api]),
        customResponseBodies: { [THROTTLED_BODY]: { contentType: 'APPLICATION_JSON', content: throttled.body } },
        dataProtectionConfig: {
          dataProtections: [
            { field: { fieldType: 'SINGLE_HEADER', fieldKeys: ['authorization'] }, action: 'SUBSTITUTION' },
            { field: { fieldType: 'QUERY_STRING' }, action: 'SUBSTITUTION' },
          ],
        },
        rules: rules[api],
      });
      new CfnWebACLAssociation(this, `${API_LABELS[api]}AclAssociation`, {
        resourceArn: props.apis[api].deploymentStage.stageArn,
        webAclArn: acl.attrArn,
      });
      acls[api] = acl;
    }
    this.acls = acls as Record<ApiName, CfnWebACL>;
  }
}
