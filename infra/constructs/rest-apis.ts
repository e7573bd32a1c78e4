import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  ResponseType,
  RestApi,
  type IAuthorizer,
  type StageOptions,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { gatewayResponses } from '../../shared/http/gateway-responses';
import {
  ADMIN_BASE_PATH,
  allowedMethods,
  OAUTH_BASE_PATH,
  SCIM_BASE_PATH,
  TOKEN_ENDPOINT_PATH,
  type ApiName,
  type AuthorizerName,
  type FunctionName,
  type Route,
} from '../../shared/http/routes';
import { restApiOrigin } from './admin-console';

export interface RestApisProps {
  routes: readonly Route[];
  functions: Partial<Record<FunctionName, IFunction>>;
  authorizers: Partial<Record<AuthorizerName, IAuthorizer>>;
  stageName: string;
  throttling: { rateLimit: number; burstLimit: number };
  /** More stage settings per API (access logs and tracing, from the monitoring construct). */
  stageOptions?: (api: ApiName) => Omit<StageOptions, 'stageName' | 'throttlingRateLimit' | 'throttlingBurstLimit'>;
  /**
   * The admin console's origin (https://<host>, no path): the one origin the admin API's CORS
   * allows. The SCIM API and the token endpoint have no CORS: identity providers call them from
   * servers, never browsers.
   */
  consoleOrigin?: string;
}

/** The request headers the console sends: its ID token, JSON bodies, and the ETag of a conditional update. */
const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'If-Match'];

const BASE_PATHS: Record<ApiName, string> = { scim: SCIM_BASE_PATH, admin: ADMIN_BASE_PATH, oauth: OAUTH_BASE_PATH };

/**
 * Each API's name in construct ids (and so in logical ids, metric and log group names: `ScimApi`,
 * `AdminAccessLogs`, `OAuthWafBlocked`...), written once for the constructs that make one per API.
 * The existing names must not change: a new logical id replaces the resource on the next deploy.
 */
export const API_LABELS: Record<ApiName, string> = { scim: 'Scim', admin: 'Admin', oauth: 'OAuth' };

/** Each API as the REST API's description says it, and the output that gives its URL (the path it names). */
const API_SETUP: Record<ApiName, { description: string; output: string; outputPath: string; outputDescription?: string }> = {
  scim: { description: 'SCIM 2.0 service provider', output: 'ScimBaseUrl', outputPath: SCIM_BASE_PATH },
  admin: { description: 'Provisioning admin API', output: 'AdminBaseUrl', outputPath: ADMIN_BASE_PATH },
  oauth: {
    description: 'OAuth 2.0 token endpoint for SCIM clients',
    output: 'TokenEndpointUrl',
    outputPath: TOKEN_ENDPOINT_PATH,
    outputDescription: "The identity provider's Token endpoint (OAuth 2.0 client credentials, POST)",
  },
};

/**
 * Why a route the route table leaves public (authorizer 'none') may be called without signing in,
 * by operation. A public route without a reason here fails the synthesis: making one is a decision.
 */
const PUBLIC_OPERATIONS: Readonly<Record<string, string>> = {
  getOpenApi: 'the OpenAPI description of the admin API is public documentation, the same for everyone; it reads no data',
  methodNotAllowed: 'answers 405 with the methods the path allows; it runs no operation and reads no data',
  issueToken:
    "the OAuth 2.0 token endpoint: the client authenticates in the request itself (HTTP Basic, or client_id and client_secret in the form body: RFC 6749 section 2.3), and the token function checks that secret against the client's hash. No API Gateway authorizer can: a Lambda authorizer sees no body, and Cognito does not know these clients. AWS WAF's per-address and total rate limits guard it, and every refusal is audited",
};

const REQUEST_VALIDATION_REASON: Record<ApiName, string> = {
  scim: "Every request reaches the SCIM function, which validates it against the SCIM schemas (custom extensions included) and answers RFC 7644 errors (400 invalidSyntax, invalidValue...); an API Gateway validator could not express those schemas and would answer in a format SCIM clients do not understand. Bodies over API Gateway's limit are refused with the SCIM REQUEST_TOO_LARGE response.",
  admin:
    'The admin function validates every body and query parameter and answers RFC 9457 problem details (unknown query parameters are refused); an API Gateway validator would answer in its own format and duplicate those rules.',
  oauth:
    "The token function parses the form body itself and answers RFC 6749 section 5.2 errors (invalid_request, unsupported_grant_type, invalid_client), which OAuth clients understand; an API Gateway validator would answer in its own format, and could not check the client's credentials anyway.",
};

/**
 * One REST API per API of the route table. Three APIs rather than one because gateway responses
 * are per API: the SCIM API answers every refusal in SCIM's error JSON, the admin API in
 * RFC 9457 problem details, the token endpoint in RFC 6749's error JSON, and none of these
 * formats is valid for the others.
 */
export class RestApis extends Construct {
  readonly apis: Partial<Record<ApiName, RestApi>> = {};
  /** Public base URLs (…/api/scim/v2, …/api/admin/v1, …/api/oauth2), from the deployment stage. */
  readonly baseUrls: Partial<Record<ApiName, string>> = {};
  private readonly stageName: string;

  requireApi(api: ApiName): RestApi {
    const found = this.apis[api];
    if (!found) throw new Error(`The route table has no ${api} routes`);
    return found;
  }

  requireBaseUrl(api: ApiName): string {
    const url = this.baseUrls[api];
    if (!url) throw new Error(`The route table has no ${api} routes`);
    return url;
  }

  /** Every API; the stack serves all of them. */
  requireAll(): Record<ApiName, RestApi> {
    const all: Partial<Record<ApiName, RestApi>> = {};
    for (const api of Object.keys(API_SETUP) as ApiName[]) all[api] = this.requireApi(api);
    return all as Record<ApiName, RestApi>;
  }

  /**
   * The public URL of a path of an API, the same string API Gateway gives (`api.urlForPath`), but
   * built from the REST API's id and the configured stage name, never from the deployment stage:
   * the stage depends on every method, each method on its function (and the SCIM methods on the
   * authorizer and its function), so a function whose environment named the stage would depend on
   * itself. The REST API itself depends on nothing of the stack.
   */
  urlFromId(api: ApiName, path: string): string {
    return `${restApiOrigin(this.requireApi(api))}/${this.stageName}${path}`;
  }

  constructor(scope: Construct, id: string, props: RestApisProps) {
    super(scope, id);
    this.stageName = props.stageName;
    const integrations = new Map<FunctionName, LambdaIntegration>();
    const integrationFor = (name: FunctionName): LambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        const fn = props.functions[name];
        if (!fn) throw new Error(`Route table names function ${name}, which the stack does not define`);
        // One permission for all methods of the API keeps the function's policy small.
        integration = new LambdaIntegration(fn, { proxy: true, scopePermissionToMethod: false });
        integrations.set(name, integration);
      }
      return integration;
    };

    for (const apiName of Object.keys(API_SETUP) as ApiName[]) {
      const routes = props.routes.filter((r) => r.api === apiName);
      if (routes.length === 0) continue;
      const setup = API_SETUP[apiName];
      const api = new RestApi(this, `${API_LABELS[apiName]}Api`, {
        description: setup.description,
        endpointTypes: [EndpointType.REGIONAL],
        cloudWatchRole: false,
        deployOptions: {
          stageName: props.stageName,
          throttlingRateLimit: props.throttling.rateLimit,
          throttlingBurstLimit: props.throttling.burstLimit,
          ...props.stageOptions?.(apiName),
        },
      });
      Validations.of(api).acknowledge({ id: 'AwsSolutions-APIG2', reason: REQUEST_VALIDATION_REASON[apiName] });
      const corsOrigin = apiName === 'admin' ? props.consoleOrigin : undefined;
      // The console must be able to read API Gateway's own refusals too (401, 403, 429...), not only the function's answers.
      const corsHeaders: Record<string, string> = corsOrigin ? { 'Access-Control-Allow-Origin': corsOrigin } : {};
      for (const def of gatewayResponses(apiName)) {
        api.addGatewayResponse(`${def.type}Response`, {
          type: ResponseType.of(def.type),
          statusCode: String(def.statusCode),
          responseHeaders: Object.fromEntries(
            Object.entries({ 'Content-Type': def.contentType, ...def.headers, ...corsHeaders }).map(([k, v]) => [k, `'${v}'`]),
          ),
          templates: { 'application/json': def.body },
        });
      }
      if (corsOrigin) {
        for (const path of new Set(routes.map((r) => r.path))) {
          // An explicit OPTIONS method wins over the route table's ANY fallback, and needs no
          // authorizer: a browser sends the preflight without the Authorization header.
          const preflight = api.root.resourceForPath(path).addCorsPreflight({
            allowOrigins: [corsOrigin],
            allowMethods: allowedMethods(path, routes),
            allowHeaders: CORS_ALLOW_HEADERS,
            // The ID token travels in Authorization, never in a cookie.
            allowCredentials: false,
            // One preflight per path and hour (browsers cap it at two hours anyway).
            maxAge: Duration.hours(1),
          });
          const why =
            "A CORS preflight: browsers send it without credentials before the console's real request, and a mock integration answers it with the allowed origin, methods and headers; it runs no function and reads no data. The real request needs the Cognito authorizer.";
          Validations.of(preflight).acknowledge({ id: 'AwsSolutions-APIG4', reason: why }, { id: 'AwsSolutions-COG4', reason: why });
        }
      }
      for (const route of routes) {
        const resource = api.root.resourceForPath(route.path);
        if (route.authorizer === 'none') {
          const why = PUBLIC_OPERATIONS[route.operation];
          if (!why) throw new Error(`Route ${route.method} ${route.path} is public: say why in PUBLIC_OPERATIONS (rest-apis.ts)`);
          const method = resource.addMethod(route.method, integrationFor(route.function), { authorizationType: AuthorizationType.NONE });
          Validations.of(method).acknowledge(
            { id: 'AwsSolutions-APIG4', reason: `Public on purpose (route table: authorizer 'none'): ${why}.` },
            { id: 'AwsSolutions-COG4', reason: `Public on purpose (route table: authorizer 'none'): ${why}.` },
          );
          continue;
        }
        const authorizer = props.authorizers[route.authorizer];
        if (!authorizer) throw new Error(`Route ${route.method} ${route.path} needs authorizer ${route.authorizer}`);
        const method = resource.addMethod(route.method, integrationFor(route.function), {
          authorizer,
          authorizationType: route.authorizer === 'adminJwt' ? AuthorizationType.COGNITO : AuthorizationType.CUSTOM,
        });
        if (route.authorizer === 'scimToken') {
          Validations.of(method).acknowledge({
            id: 'AwsSolutions-COG4',
            reason:
              "SCIM clients are identity providers that authenticate with this service's SCIM bearer tokens, which the Lambda REQUEST authorizer checks (hash, status, expiry, provisioning switch); Cognito cannot issue or check them. The Cognito user pool authorizer guards the admin API.",
          });
        }
      }
      this.apis[apiName] = api;
      this.baseUrls[apiName] = api.urlForPath(BASE_PATHS[apiName]);
      new CfnOutput(scope, setup.output, {
        value: api.urlForPath(setup.outputPath),
        ...(setup.outputDescription ? { description: setup.outputDescription } : {}),
      });
    }
  }
}
