/** The admin API's operations: parse, call the provisioning domain, map the result. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuditLog } from '../audit/events';
import type { ProvisioningService, ProvisioningView } from '../tokens/provisioning';
import { mayManageProvisioning } from '../tokens/roles';
import { adminActor, jsonBody } from './admin';
import { ProblemError } from './problems';
import { scimBaseUrl } from './request';
import { jsonResponse } from './responses';
import { allowedMethods, findRoute } from './routes';

export interface AdminDeps {
  service: ProvisioningService;
  audit: Pick<AuditLog, 'list'>;
  allowedRoles: readonly string[];
  /** The SCIM API's public base URL; derived from the request when the same host serves both APIs. */
  scimEndpoint?: string;
}

/** Reads are audited too (after they succeed); changes are audited in their own transaction. */
const READ_ACTIONS: Record<string, string> = {
  getProvisioning: 'provisioning.view',
  listTokens: 'token.list',
  listAudit: 'audit.read',
};

const MAX_AUDIT_PAGE = 200;
const DEFAULT_AUDIT_PAGE = 50;

function auditLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_AUDIT_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_AUDIT_PAGE) {
    throw ProblemError.badRequest(`limit must be an integer from 1 to ${MAX_AUDIT_PAGE}.`);
  }
  return n;
}

type Operation = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function adminOperations(deps: AdminDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const { service } = deps;
  const withEndpoint = (event: APIGatewayProxyEvent, view: ProvisioningView): Record<string, unknown> => ({
    enabled: view.enabled,
    scimEndpoint: deps.scimEndpoint ?? scimBaseUrl(event),
    tokens: view.tokens,
  });

  const operations: Record<string, Operation> = {
    getProvisioning: async (event) => jsonResponse(200, withEndpoint(event, await service.view())),
    setProvisioning: async (event) => {
      const { enabled } = jsonBody(event);
      if (typeof enabled !== 'boolean') throw ProblemError.badRequest('Send {"enabled": true} or {"enabled": false}.');
      return jsonResponse(200, withEndpoint(event, await service.setEnabled(adminActor(event), enabled)));
    },
    generateToken: async (event) => {
      const { view, value } = await service.generate(adminActor(event), jsonBody(event).name);
      return jsonResponse(201, { ...view, token: value }, { 'Cache-Control': 'no-store' });
    },
    listTokens: async () => jsonResponse(200, { tokens: await service.listTokens() }),
    deleteToken: async (event) => {
      await service.deleteToken(adminActor(event), event.pathParameters?.id ?? '');
      return jsonResponse(204);
    },
    listAudit: async (event) => {
      const q = event.queryStringParameters ?? {};
      const page = await deps.audit.list({ limit: auditLimit(q.limit), ...(q.cursor ? { cursor: q.cursor } : {}) });
      return jsonResponse(200, { events: page.events, nextCursor: page.nextCursor ?? null });
    },
    methodNotAllowed: async (event) => {
      const allow = allowedMethods(event.resource).join(', ');
      throw new ProblemError(405, 'Method Not Allowed', `${event.httpMethod} is not allowed here; allowed: ${allow}.`, { Allow: allow });
    },
  };

  return async (event) => {
    const route = findRoute(event.resource, event.httpMethod);
    const operation = route && route.function === 'admin' ? operations[route.operation] : undefined;
    if (!operation) throw ProblemError.notFound(`No admin endpoint ${event.httpMethod} ${event.path}.`);
    const actor = adminActor(event);
    if (!mayManageProvisioning(actor.roles ?? [], deps.allowedRoles)) {
      await service.recordDenied(actor, route?.operation ?? 'unknown');
      throw ProblemError.forbidden(`Only the roles ${deps.allowedRoles.join(' and ')} may manage provisioning.`);
    }
    const result = await operation(event);
    const read = route ? READ_ACTIONS[route.operation] : undefined;
    if (read) await service.recordRead(actor, read);
    return result;
  };
}
