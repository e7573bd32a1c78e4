import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createLocalGateway, matchRoute, policyAllows, type ProxyHandler } from '../../infra/local/gateway';
import { gatewayResponse } from '../../shared/http/gateway-responses';
import type { Route } from '../../shared/http/routes';

const routes: Route[] = [
  { api: 'scim', method: 'GET', path: '/api/scim/v2/Users', function: 'scim', authorizer: 'scimToken', operation: 'list' },
  { api: 'scim', method: 'POST', path: '/api/scim/v2/Users/.search', function: 'scim', authorizer: 'scimToken', operation: 'search' },
  { api: 'scim', method: 'GET', path: '/api/scim/v2/Users/{id}', function: 'scim', authorizer: 'scimToken', operation: 'get' },
  { api: 'scim', method: 'ANY', path: '/api/scim/v2/Users/{id}', function: 'scim', authorizer: 'scimToken', operation: 'any' },
  { api: 'admin', method: 'GET', path: '/api/admin/v1/things', function: 'admin', authorizer: 'adminJwt', operation: 'things' },
];

describe('matchRoute (API Gateway precedence)', () => {
  it('prefers a static segment over a path parameter', () => {
    expect(matchRoute(routes, 'POST', '/api/scim/v2/Users/.search')?.route.operation).toBe('search');
  });

  it('prefers an explicit method over ANY and decodes path parameters', () => {
    const match = matchRoute(routes, 'GET', '/api/scim/v2/Users/a%20b');
    expect(match?.route.operation).toBe('get');
    expect(match?.pathParameters).toEqual({ id: 'a b' });
    expect(matchRoute(routes, 'DELETE', '/api/scim/v2/Users/x')?.route.operation).toBe('any');
  });

  it('finds nothing for an unknown path', () => {
    expect(matchRoute(routes, 'GET', '/api/scim/v2/Nope')).toBeUndefined();
  });
});

describe('policyAllows', () => {
  const arn = 'arn:aws:execute-api:local:0:api/local/GET/api/scim/v2/Users';
  it('allows a wildcard Allow and lets an explicit Deny win', () => {
    const allow = { Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:local:0:api/local/*' };
    expect(policyAllows({ Version: '2012-10-17', Statement: [allow] }, arn)).toBe(true);
    expect(policyAllows({ Version: '2012-10-17', Statement: [allow, { ...allow, Effect: 'Deny' as const }] }, arn)).toBe(false);
    expect(policyAllows({ Version: '2012-10-17', Statement: [{ ...allow, Resource: 'arn:other/*' }] }, arn)).toBe(false);
  });
});

describe('local gateway', () => {
  let server: Server;
  let base: string;
  const calls: APIGatewayProxyEvent[] = [];
  const authorizerCalls: APIGatewayRequestAuthorizerEvent[] = [];
  const scim: ProxyHandler = async (event) => {
    calls.push(event);
    return { statusCode: 200, headers: { 'Content-Type': 'application/scim+json' }, body: JSON.stringify({ ok: true }) };
  };

  beforeAll(async () => {
    server = createLocalGateway({
      routes,
      functions: { scim, admin: scim },
      maxBodyBytes: 1024,
      scimAuthorizer: async (event) => {
        authorizerCalls.push(event);
        const authorization = event.headers?.Authorization ?? event.headers?.authorization;
        if (authorization === 'Bearer good') {
          return {
            principalId: 'tok1',
            context: { tokenId: 'tok1' },
            policyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${event.methodArn.split('/')[0]}/local/*` }],
            },
          };
        }
        if (authorization === 'Bearer denied') {
          return {
            principalId: 'x',
            policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*' }] },
          };
        }
        throw new Error('Unauthorized');
      },
      verifyAdminJwt: async (jwt) => {
        if (jwt !== 'admin-jwt') throw new Error('bad jwt');
        return { sub: 'u1', 'cognito:groups': ['Owner', 'SystemAdmin'] };
      },
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
  beforeEach(() => {
    calls.length = 0;
    authorizerCalls.length = 0;
  });

  it('answers a refused token with the UNAUTHORIZED gateway response and never runs the handler', async () => {
    const res = await fetch(`${base}/api/scim/v2/Users`, { headers: { Authorization: 'Bearer bad' } });
    const expected = gatewayResponse('scim', 'UNAUTHORIZED');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(await res.text()).toBe(expected.body);
    expect(authorizerCalls).toHaveLength(1);
    expect(calls).toHaveLength(0);
  });

  it('refuses a missing Authorization header without calling the authorizer', async () => {
    const res = await fetch(`${base}/api/scim/v2/Users`);
    expect(res.status).toBe(401);
    expect(authorizerCalls).toHaveLength(0);
    expect(calls).toHaveLength(0);
  });

  it('answers a Deny policy with the ACCESS_DENIED gateway response (401 on the SCIM API)', async () => {
    const res = await fetch(`${base}/api/scim/v2/Users`, { headers: { Authorization: 'Bearer denied' } });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(gatewayResponse('scim', 'ACCESS_DENIED').body);
    expect(calls).toHaveLength(0);
  });

  it('builds a REST API proxy event with the authorizer context', async () => {
    const res = await fetch(`${base}/api/scim/v2/Users/abc?attributes=a&attributes=b&count=2`, {
      headers: { Authorization: 'Bearer good', 'X-Multi': 'one' },
    });
    expect(res.status).toBe(200);
    expect(authorizerCalls[0]).toMatchObject({
      type: 'REQUEST',
      resource: '/api/scim/v2/Users/{id}',
      pathParameters: { id: 'abc' },
      requestContext: { identity: { sourceIp: expect.any(String) } },
    });
    expect(authorizerCalls[0]?.methodArn).toMatch(/\/local\/GET\/api\/scim\/v2\/Users\/abc$/);
    const event = calls[0];
    expect(event?.resource).toBe('/api/scim/v2/Users/{id}');
    expect(event?.path).toBe('/api/scim/v2/Users/abc');
    expect(event?.httpMethod).toBe('GET');
    expect(event?.pathParameters).toEqual({ id: 'abc' });
    expect(event?.queryStringParameters).toEqual({ attributes: 'b', count: '2' });
    expect(event?.multiValueQueryStringParameters).toEqual({ attributes: ['a', 'b'], count: ['2'] });
    expect(event?.requestContext.authorizer).toEqual({ tokenId: 'tok1', principalId: 'tok1' });
    expect(event?.requestContext.resourcePath).toBe('/api/scim/v2/Users/{id}');
    expect(event?.body).toBeNull();
  });

  it('passes JSON bodies as text and binary bodies as base64', async () => {
    await fetch(`${base}/api/scim/v2/Users/.search`, {
      method: 'POST',
      headers: { Authorization: 'Bearer good', 'Content-Type': 'application/scim+json' },
      body: '{"a":1}',
    });
    await fetch(`${base}/api/scim/v2/Users/.search`, {
      method: 'POST',
      headers: { Authorization: 'Bearer good', 'Content-Type': 'application/octet-stream' },
      body: Buffer.from([0, 1, 2, 255]),
    });
    expect(calls[0]).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(calls[1]).toMatchObject({ body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true });
  });

  it('answers an unknown path with the API’s MISSING_AUTHENTICATION_TOKEN response', async () => {
    const scimRes = await fetch(`${base}/api/scim/v2/Nope`, { headers: { Authorization: 'Bearer good' } });
    expect(scimRes.status).toBe(404);
    expect(await scimRes.text()).toBe(gatewayResponse('scim', 'MISSING_AUTHENTICATION_TOKEN').body);
    const adminRes = await fetch(`${base}/api/admin/v1/nope`);
    expect(adminRes.status).toBe(404);
    expect(adminRes.headers.get('content-type')).toBe('application/problem+json');
    expect(authorizerCalls).toHaveLength(0);
  });

  it('answers an oversized body with REQUEST_TOO_LARGE', async () => {
    const res = await fetch(`${base}/api/scim/v2/Users/.search`, {
      method: 'POST',
      headers: { Authorization: 'Bearer good', 'Content-Type': 'application/json' },
      body: 'x'.repeat(2048),
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe(gatewayResponse('scim', 'REQUEST_TOO_LARGE').body);
    expect(calls).toHaveLength(0);
  });

  it('verifies admin JWTs and passes Cognito-style string claims', async () => {
    expect((await fetch(`${base}/api/admin/v1/things`)).status).toBe(401);
    expect((await fetch(`${base}/api/admin/v1/things`, { headers: { Authorization: 'Bearer forged' } })).status).toBe(401);
    const res = await fetch(`${base}/api/admin/v1/things`, { headers: { Authorization: 'Bearer admin-jwt' } });
    expect(res.status).toBe(200);
    expect(calls[0]?.requestContext.authorizer).toEqual({ claims: { sub: 'u1', 'cognito:groups': 'Owner,SystemAdmin' } });
  });
});
