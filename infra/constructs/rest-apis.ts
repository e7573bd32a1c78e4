import { CfnOutput } from 'aws-cdk-lib';
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
  SCIM_BASE_PATH,
  type ApiName,
  type AuthorizerName,
  type FunctionName,
  type Route,
} from '../../shared/http/routes';

export interface RestApisProps {
  routes: readonly Route[];
  functions: Partial<Record<FunctionName, IFunction>>;
  authorizers: Partial<Record<AuthorizerName, IAuthorizer>>;
  stageName: string;
  throttling: { rateLimit: number; burstLimit: number };
  /** More stage settings per API (access logs and tracing, from the monitoring construct). */
  stageOptions?: (api: ApiName) => Omit<StageOptions, 'stageName' | 'throttlingRateLimit' | 'throttlingBurstLimit'>;
}

const BASE_PATHS: Record<ApiName, string> = { scim: SCIM_BASE_PATH, admin: ADMIN_BASE_PATH };

/**
 * One REST API per API of the route table. Two APIs rather than one because gateway responses
 * are per API: the SCIM API answers every refusal in SCIM's error JSON, the admin API in
 * RFC 9457 problem details, and neither format is valid for the other.
 */
export class RestApis extends Construct {
  readonly apis: Partial<Record<ApiName, RestApi>> = {};
  /** Public base URLs (…/api/scim/v2, …/api/admin/v1). */
  readonly baseUrls: Partial<Record<ApiName, string>> = {};

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

  constructor(scope: Construct, id: string, props: RestApisProps) {
    super(scope, id);
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

    for (const apiName of ['scim', 'admin'] as const) {
      const routes = props.routes.filter((r) => r.api === apiName);
      if (routes.length === 0) continue;
      const api = new RestApi(this, apiName === 'scim' ? 'ScimApi' : 'AdminApi', {
        description: apiName === 'scim' ? 'SCIM 2.0 service provider' : 'Provisioning admin API',
        endpointTypes: [EndpointType.REGIONAL],
        cloudWatchRole: false,
        deployOptions: {
          stageName: props.stageName,
          throttlingRateLimit: props.throttling.rateLimit,
          throttlingBurstLimit: props.throttling.burstLimit,
          ...props.stageOptions?.(apiName),
        },
      });
      for (const def of gatewayResponses(apiName)) {
        api.addGatewayResponse(`${def.type}Response`, {
          type: ResponseType.of(def.type),
          statusCode: String(def.statusCode),
          responseHeaders: Object.fromEntries(
            Object.entries({ 'Content-Type': def.contentType, ...def.headers }).map(([k, v]) => [k, `'${v}'`]),
          ),
          templates: { 'application/json': def.body },
        });
      }
      for (const route of routes) {
        const resource = api.root.resourceForPath(route.path);
        if (route.authorizer === 'none') {
          resource.addMethod(route.method, integrationFor(route.function), { authorizationType: AuthorizationType.NONE });
          continue;
        }
        const authorizer = props.authorizers[route.authorizer];
        if (!authorizer) throw new Error(`Route ${route.method} ${route.path} needs authorizer ${route.authorizer}`);
        resource.addMethod(route.method, integrationFor(route.function), {
          authorizer,
          authorizationType: route.authorizer === 'adminJwt' ? AuthorizationType.COGNITO : AuthorizationType.CUSTOM,
        });
      }
      this.apis[apiName] = api;
      const baseUrl = api.urlForPath(BASE_PATHS[apiName]);
      this.baseUrls[apiName] = baseUrl;
      new CfnOutput(scope, apiName === 'scim' ? 'ScimBaseUrl' : 'AdminBaseUrl', { value: baseUrl });
    }
  }
}
