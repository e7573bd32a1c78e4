import { cdkApp } from '../support/cdk-app';
import { Template } from 'aws-cdk-lib/assertions';
import { matchRoute } from '../../infra/local/gateway';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { ROUTES, type Route } from '../../shared/http/routes';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Every method in the template as `METHOD /full/path`, rebuilt from the nested resources. */
function templateMethods(resources: Resources): Map<string, Record<string, unknown>> {
  const pathOf = (ref: unknown): string => {
    if (typeof ref === 'object' && ref !== null && 'Fn::GetAtt' in ref) return ''; // the API's root resource
    const id = (ref as { Ref: string }).Ref;
    const r = resources[id];
    if (!r) throw new Error(`No resource ${id}`);
    return `${pathOf(r.Properties.ParentId)}/${String(r.Properties.PathPart)}`;
  };
  const out = new Map<string, Record<string, unknown>>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    out.set(`${String(r.Properties.HttpMethod)} ${pathOf(r.Properties.ResourceId) || '/'}`, r.Properties);
  }
  return out;
}

const concretePath = (route: Route): string => route.path.replace(/\{\w+\+\}/g, 'x1/y2').replace(/\{\w+\}/g, 'x1');

describe('the route table is the one source of routes', () => {
  let methods: Map<string, Record<string, unknown>>;

  beforeAll(() => {
    const app = cdkApp('test-routes');
    const stack = new ScimProvisioningStack(app, 'RoutesTest', DEFAULT_CONFIG);
    methods = templateMethods(Template.fromStack(stack).toJSON().Resources as Resources);
  });

  it('has no method in the template that is not in the route table (but the CORS preflight of each admin path)', () => {
    const preflights = [...new Set(ROUTES.filter((r) => r.api === 'admin').map((r) => `OPTIONS ${r.path}`))];
    expect([...methods.keys()].sort()).toEqual([...ROUTES.map((r) => `${r.method} ${r.path}`), ...preflights].sort());
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s exists in the template with its authorizer', (_key, route) => {
    const method = methods.get(`${route.method} ${route.path}`);
    expect(method).toBeDefined();
    const expected = { scimToken: 'CUSTOM', adminJwt: 'COGNITO_USER_POOLS', none: 'NONE' }[route.authorizer];
    expect(method?.AuthorizationType).toBe(expected);
    if (route.authorizer === 'none') expect(method?.AuthorizerId).toBeUndefined();
    else expect(method?.AuthorizerId).toEqual({ Ref: expect.any(String) });
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s is served by the local gateway', (_key, route) => {
    const method = route.method === 'ANY' ? 'OPTIONS' : route.method;
    expect(matchRoute(ROUTES, method, concretePath(route))?.route).toBe(route);
  });
});
