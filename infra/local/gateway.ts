/**
 * A local stand-in for the deployed API Gateway REST APIs: serves the shared route table,
 * runs the authorizers first exactly as API Gateway would, builds the REST API's Lambda proxy
 * events (payload format 1.0), and answers refusals, unknown paths and oversized bodies with
 * the same gateway responses the CDK stack configures.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { GATEWAY_MAX_BODY_BYTES, gatewayResponse, type GatewayResponseType } from '../../shared/http/gateway-responses';
import { apiForPath, matchRoute, type ApiName, type FunctionName, type Route } from '../../shared/http/routes';

export { matchRoute };

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type RequestAuthorizer = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;
/** Verifies an admin JWT like the Cognito authorizer; resolves to its claims or rejects. */
export type JwtVerifier = (token: string) => Promise<Record<string, unknown>>;

export interface LocalGatewayOptions {
  routes: readonly Route[];
  functions: Partial<Record<FunctionName, ProxyHandler>>;
  scimAuthorizer: RequestAuthorizer;
  verifyAdminJwt: JwtVerifier;
  maxBodyBytes?: number;
  /** Called before each function runs (the benchmark attributes DynamoDB calls by it). */
  onInvoke?: (functionName: string) => void;
  /** Local-only pages outside both APIs (the start page, the admin console): answers a GET of a URL, or undefined. */
  localPage?: (url: URL, accept: string) => Promise<APIGatewayProxyResult | undefined> | APIGatewayProxyResult | undefined;
  /** Called with one line per request (`npm start` prints them). */
  log?: (line: string) => void;
}

const ACCOUNT = '000000000000';
const REGION = 'local';
const STAGE = 'local';
const apiId = (api: ApiName): string => `local-${api}`;

export function fakeContext(name: string): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

const TEXT_TYPES = /^(text\/|application\/([\w.+-]*\+)?json|application\/x-www-form-urlencoded|application\/xml)/i;

const dictionary = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

function headerMaps(req: IncomingMessage): { single: Record<string, string>; multi: Record<string, string[]> } {
  // Maps without a prototype: a header named `constructor` or `__proto__` is a header like any
  // other (as in the event API Gateway sends, parsed from JSON).
  const single = dictionary<string>();
  const multi = dictionary<string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

function queryMaps(url: URL): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  const single = dictionary<string>();
  const multi = dictionary<string[]>();
  for (const [k, v] of url.searchParams) {
    single[k] = v;
    (multi[k] ??= []).push(v);
  }
  return Object.keys(single).length ? { single, multi } : { single: null, multi: null };
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Does an IAM-style policy from a Lambda authorizer allow this method ARN? */
export function policyAllows(policy: APIGatewayAuthorizerResult['policyDocument'], methodArn: string): boolean {
  const matches = (pattern: string): boolean =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(methodArn);
  let allowed = false;
  for (const statement of policy.Statement) {
    const s = statement as { Effect: string; Resource?: string | string[] };
    const resources = s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    if (!resources.some(matches)) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = v.map(String);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

function gatewayResult(api: ApiName, type: GatewayResponseType): APIGatewayProxyResult {
  const def = gatewayResponse(api, type);
  return { statusCode: def.statusCode, headers: { 'Content-Type': def.contentType, ...def.headers }, body: def.body };
}

/** API Gateway's limit on the request line and header values of a REST API request, together. */
export const GATEWAY_MAX_HEAD_BYTES = 10_240;

/** Lambda's limit on a synchronous response (the function's result, as JSON). */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

export function createLocalGateway(options: LocalGatewayOptions): Server {
  const limit = options.maxBodyBytes ?? GATEWAY_MAX_BODY_BYTES;

  async function handle(req: IncomingMessage): Promise<APIGatewayProxyResult> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const known = apiForPath(path);
    if (!known && method === 'GET') {
      const page = await options.localPage?.(url, req.headers.accept ?? '');
      if (page) return page;
    }
    const api: ApiName = known ?? 'admin';

    // API Gateway's quota on the request line and header values together: a larger request is refused.
    const head =
      Buffer.byteLength(`${method} ${req.url ?? '/'} HTTP/${req.httpVersion}`) +
      req.rawHeaders.filter((_, i) => i % 2 === 1).reduce((n, v) => n + Buffer.byteLength(v), 0);
    if (head > GATEWAY_MAX_HEAD_BYTES) return gatewayResult(api, 'REQUEST_TOO_LARGE');

    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (e: unknown) {
      if (e instanceof BodyTooLargeError) return gatewayResult(api, 'REQUEST_TOO_LARGE');
      throw e;
    }
    const match = matchRoute(
      options.routes.filter((r) => r.api === api),
      method,
      path,
    );
    if (!match) return gatewayResult(api, 'MISSING_AUTHENTICATION_TOKEN');
    const { route, pathParameters } = match;
    const headers = headerMaps(req);
    // API Gateway adds the X-Forwarded-* headers; the local gateway speaks plain HTTP.
    const forwarded = {
      'X-Forwarded-For': req.socket.remoteAddress ?? '127.0.0.1',
      'X-Forwarded-Port': String(req.socket.localPort ?? ''),
      'X-Forwarded-Proto': 'http',
    };
    for (const [k, v] of Object.entries(forwarded)) {
      headers.single[k] = v;
      headers.multi[k] = [v];
    }
    const methodArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId(api)}/${STAGE}/${method}${path}`;

    const contentType = headerValue(headers.single, 'content-type') ?? '';
    const binary = body.length > 0 && !TEXT_TYPES.test(contentType);
    const query = queryMaps(url);
    const host = headerValue(headers.single, 'host') ?? 'localhost';
    const event: APIGatewayProxyEvent = {
      resource: route.path,
      path,
      httpMethod: method,
      headers: headers.single,
      multiValueHeaders: headers.multi,
      queryStringParameters: query.single,
      multiValueQueryStringParameters: query.multi,
      pathParameters,
      stageVariables: null,
      body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: binary,
      requestContext: {
        accountId: ACCOUNT,
        apiId: apiId(api),
        authorizer: null,
        domainName: host,
        httpMethod: method,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          user: null,
          userAgent: headerValue(headers.single, 'user-agent') ?? null,
          userArn: null,
        },
        path,
        protocol: `HTTP/${req.httpVersion}`,
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        resourceId: 'local',
        resourcePath: route.path,
        stage: STAGE,
      },
    };
    const authorization = headerValue(headers.single, 'authorization');
    if (route.authorizer === 'none') {
      // A public route: no authorizer runs.
    } else if (route.authorizer === 'scimToken') {
      if (!authorization) return gatewayResult(api, 'UNAUTHORIZED');
      let decision: APIGatewayAuthorizerResult;
      try {
        const { body: _body, isBase64Encoded: _b64, requestContext, ...request } = event;
        const { authorizer: _none, ...context } = requestContext;
        options.onInvoke?.('scim-authorizer');
        decision = await options.scimAuthorizer(
          { ...request, requestContext: { ...context, authorizer: undefined }, type: 'REQUEST', methodArn },
          fakeContext('scim-authorizer'),
        );
      } catch (e: unknown) {
        if (e instanceof Error && e.message === 'Unauthorized') return gatewayResult(api, 'UNAUTHORIZED');
        console.error('scim-authorizer failed:', e instanceof Error ? e.name : e);
        return gatewayResult(api, 'DEFAULT_5XX');
      }
      if (!policyAllows(decision.policyDocument, methodArn)) return gatewayResult(api, 'ACCESS_DENIED');
      event.requestContext.authorizer = { ...(decision.context ?? {}), principalId: decision.principalId };
    } else {
      // The Cognito user pool authorizer: the ID token in the Authorization header.
      const jwt = authorization?.replace(/^Bearer\s+/i, '');
      if (!jwt) return gatewayResult(api, 'UNAUTHORIZED');
      try {
        const claims = await options.verifyAdminJwt(jwt);
        event.requestContext.authorizer = { claims: cognitoClaims(claims) };
      } catch {
        return gatewayResult(api, 'UNAUTHORIZED');
      }
    }

    const fn = options.functions[route.function];
    if (!fn) return gatewayResult(api, 'INTEGRATION_FAILURE');
    options.onInvoke?.(route.function);
    try {
      const result = await fn(event, fakeContext(route.function));
      // Lambda refuses a response over 6 MB (the proxy result as JSON), and API Gateway answers 502.
      const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
      if (bytes > LAMBDA_RESPONSE_LIMIT_BYTES) {
        console.error(`${route.function} function returned ${bytes} bytes, over Lambda's response limit`);
        return gatewayResult(api, 'INTEGRATION_FAILURE');
      }
      return result;
    } catch (e: unknown) {
      // A function that throws is an integration failure: API Gateway answers 502.
      console.error(`${route.function} function failed:`, e instanceof Error ? `${e.name}: ${e.message}` : e);
      return gatewayResult(api, 'INTEGRATION_FAILURE');
    }
  }

  // Node's own limit (16 KB) would answer a bare 431 before the gateway could answer as API Gateway does.
  return createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const started = performance.now();
    const done = (result: APIGatewayProxyResult): void => {
      send(res, result);
      options.log?.(requestLine(req, result.statusCode, performance.now() - started));
    };
    handle(req).then(done, (e: unknown) => {
      console.error('local gateway error:', e instanceof Error ? e.message : e);
      done(gatewayResult(apiForPath(req.url ?? '') ?? 'admin', 'DEFAULT_5XX'));
    });
  });
}

/**
 * One line per request: time, method, path, the names of the query parameters (never their
 * values: a filter names people), status and milliseconds. Never a header.
 */
export function requestLine(req: Pick<IncomingMessage, 'method' | 'url'>, status: number, ms: number): string {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const names = [...new Set(url.searchParams.keys())];
  const query = names.length ? `?${names.map((n) => `${n}=…`).join('&')}` : '';
  const time = new Date().toISOString().slice(11, 23);
  return `${time} ${(req.method ?? 'GET').toUpperCase()} ${url.pathname}${query} ${status} ${ms.toFixed(0)}ms`;
}

/** The Cognito authorizer hands claims to the function as strings; groups joined by commas. */
export function cognitoClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}
