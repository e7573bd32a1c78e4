/** The admin API's operations: parse, call the provisioning domain, map the result. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuditLog } from '../audit/events';
import { eraseDeletedUser, NotDeletedError } from '../scim/service/users';
import type { ResourceRepository } from '../scim/ports';
import type { Clock } from '../clock';
import type { ProvisioningService, ProvisioningView } from '../tokens/provisioning';
import { mayManageProvisioning } from '../tokens/roles';
import { adminActor, jsonBody } from './admin';
import { EVENT_TYPES } from '../scim/events/change-event';
import type { EventLog, LogPosition } from '../scim/events/ports';
import { WebhookRuleError } from '../scim/events/webhook-rules';
import { WebhookLimitError, type WebhookService } from '../scim/events/webhooks';
import type { Sealer } from '../scim/ports';
import { isObject } from '../scim/resource/types';
import { ADMIN_OPERATIONS, DELIVERY_PAGE, EVENT_PAGE, type OperationDoc } from './admin-api';
import { directoryOperations, type Directory } from './admin-directory';
import { FederationRuleError } from '../tokens/federation';
import { adminOpenApi } from './openapi';
import { ProblemError } from './problems';
import { adminBaseUrl, publicBaseUrl, scimBaseUrl } from './request';
import { jsonResponse } from './responses';
import { allowedMethods, findRoute, TOKEN_ENDPOINT_PATH, type AdminOperation } from './routes';

export interface AdminDeps {
  service: ProvisioningService;
  audit: Pick<AuditLog, 'list'>;
  allowedRoles: readonly string[];
  /** The SCIM API's public base URL; derived from the request when the same host serves both APIs. */
  scimEndpoint?: string;
  /** The OAuth 2.0 token endpoint's URL (for SCIM clients); derived from the request likewise. */
  tokenEndpoint?: string;
  /** The users' repository (to erase a deleted user's record). */
  users: ResourceRepository;
  /** The provisioned users and groups, read-only (the console's Users and Groups pages). */
  directory: Omit<Directory, 'scimEndpoint'>;
  clock: Clock;
  newEventId: () => string;
  /** The change events: the log, the webhooks, the cursors' sealer. */
  events: {
    log: Pick<EventLog, 'list' | 'listResource' | 'isPosition'>;
    webhooks: WebhookService;
    sealer: () => Promise<Sealer>;
    retentionDays: number;
    /** The newest seconds of the log a page leaves for later (see listEvents). */
    settleSeconds: number;
    /** Plain http to localhost for URLs this service calls (webhooks, federated issuers' keys): local mode only. */
    allowLocalHttp: boolean;
  };
}

/** Reads an event-log page may make at most (then it answers what it found, and where to go on). */
const EVENT_READS_PER_PAGE = 2000;
const EVENT_CURSOR_PURPOSE = 'event-log-cursor';
const DELIVERY_CURSOR_PURPOSE = 'webhook-delivery-cursor';

function pageLimit(raw: string | undefined, page: { default: number; max: number }): number {
  if (raw === undefined || raw === '') return page.default;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > page.max) throw ProblemError.badRequest(`limit must be an integer from 1 to ${page.max}.`);
  return n;
}

function eventTypes(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const types = [
    ...new Set(
      raw
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
  const unknown = types.filter((t) => !EVENT_TYPES.includes(t));
  if (unknown.length > 0) throw ProblemError.badRequest(`Unknown event type ${unknown.join(', ')}; known: ${EVENT_TYPES.join(', ')}.`);
  return types.sort();
}

/** What an event-log cursor holds: the position, and the query it belongs to. */
interface EventCursor {
  p: LogPosition;
  r?: string;
  t?: string[];
}

function openCursor<T>(sealer: Sealer, purpose: string, raw: string, valid: (v: unknown) => v is T): T {
  const text = raw.length <= 4096 ? sealer.open(purpose, raw) : undefined;
  try {
    const value = text === undefined ? undefined : (JSON.parse(text) as unknown);
    if (valid(value)) return value;
  } catch {
    // fall through
  }
  throw ProblemError.badRequest('The cursor is not one this API returned (for this query): start without one, or use the last nextCursor.');
}

const isStringMap = (v: unknown): v is LogPosition => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** Reads are audited too (after they succeed); changes are audited in their own transaction. */
const READ_ACTIONS: Partial<Record<AdminOperation, string>> = {
  getProvisioning: 'provisioning.view',
  listTokens: 'token.list',
  listClients: 'client.list',
  listAudit: 'audit.read',
  listEvents: 'event.read',
  listWebhooks: 'webhook.list',
  listDeliveries: 'webhook.deliveries.read',
  listProvisionedUsers: 'user.list',
  getProvisionedUser: 'user.view',
  listProvisionedGroups: 'group.list',
  getProvisionedGroup: 'group.view',
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

/** An ISO 8601 instant with a time zone, as the audit log's `since` (normalised to UTC). */
function instant(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw ProblemError.badRequest(`${name} must be an ISO 8601 date or date-time, e.g. 2026-12-01T00:00:00Z.`);
  return new Date(ms).toISOString();
}

/** Refuses query parameters the operation does not take (the OpenAPI description lists the ones it does). */
function checkQuery(event: APIGatewayProxyEvent, doc: OperationDoc | undefined): void {
  const allowed = Object.keys(doc?.query ?? {});
  const unknown = Object.keys(event.queryStringParameters ?? {}).filter((k) => !allowed.includes(k));
  if (unknown.length === 0) return;
  const takes = allowed.length ? `it takes ${allowed.join(', ')}` : 'it takes none';
  throw ProblemError.badRequest(`Unknown query parameter ${unknown.map((k) => `"${k}"`).join(', ')}: ${takes}.`);
}

type Operation = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** The body of a new token or client: a name and a lifetime, nothing else. */
function credentialBody(event: APIGatewayProxyEvent, what: string): Record<string, unknown> {
  const body = jsonBody(event);
  const extra = Object.keys(body).filter((k) => k !== 'name' && k !== 'expiresInDays');
  if (extra.length > 0) throw ProblemError.badRequest(`Unknown field ${extra.join(', ')}: ${what} takes name and expiresInDays.`);
  return body;
}

export function adminOperations(deps: AdminDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const { service } = deps;
  const withEndpoint = (event: APIGatewayProxyEvent, view: ProvisioningView): Record<string, unknown> => ({
    enabled: view.enabled,
    scimEndpoint: deps.scimEndpoint ?? scimBaseUrl(event),
    tokens: view.tokens,
  });

  const tokenEndpoint = (event: APIGatewayProxyEvent): string => deps.tokenEndpoint || publicBaseUrl(event, TOKEN_ENDPOINT_PATH);

  const operations = {
    ...directoryOperations({ ...deps.directory, ...(deps.scimEndpoint ? { scimEndpoint: deps.scimEndpoint } : {}) }),
    getProvisioning: async (event) => jsonResponse(200, withEndpoint(event, await service.view())),
    setProvisioning: async (event) => {
      const { enabled } = jsonBody(event);
      if (typeof enabled !== 'boolean') throw ProblemError.badRequest('Send {"enabled": true} or {"enabled": false}.');
      return jsonResponse(200, withEndpoint(event, await service.setEnabled(adminActor(event), enabled)));
    },
    generateToken: async (event) => {
      const body = credentialBody(event, 'a token');
      const { view, value } = await service.generate(adminActor(event), body.name, body.expiresInDays);
      return jsonResponse(201, { ...view, token: value }, { 'Cache-Control': 'no-store' });
    },
    generateClient: async (event) => {
      const body = credentialBody(event, 'a SCIM client');
      const { view, secret } = await service.generateClient(adminActor(event), body.name, body.expiresInDays);
      return jsonResponse(201, { ...view, clientSecret: secret, tokenEndpoint: tokenEndpoint(event) }, { 'Cache-Control': 'no-store' });
    },
    listClients: async (event) => jsonResponse(200, { clients: await service.listClients(), tokenEndpoint: tokenEndpoint(event) }),
    setClientFederation: async (event) => {
      const id = event.pathParameters?.id ?? '';
      try {
        const client = await service.setClientFederation(adminActor(event), id, jsonBody(event), {
          allowLocalHttp: deps.events.allowLocalHttp,
        });
        return jsonResponse(200, client);
      } catch (e: unknown) {
        if (e instanceof FederationRuleError) throw ProblemError.badRequest(e.message);
        throw e;
      }
    },
    removeClientFederation: async (event) =>
      jsonResponse(200, await service.removeClientFederation(adminActor(event), event.pathParameters?.id ?? '')),
    deleteClient: async (event) => {
      await service.deleteClient(adminActor(event), event.pathParameters?.id ?? '');
      return jsonResponse(204);
    },
    listTokens: async () => jsonResponse(200, { tokens: await service.listTokens() }),
    deleteToken: async (event) => {
      await service.deleteToken(adminActor(event), event.pathParameters?.id ?? '');
      return jsonResponse(204);
    },
    listAudit: async (event) => {
      const q = event.queryStringParameters ?? {};
      const since = instant('since', q.since);
      const page = await deps.audit.list({
        limit: auditLimit(q.limit),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(since ? { since } : {}),
      });
      return jsonResponse(200, { events: page.events, nextCursor: page.nextCursor ?? null });
    },
    erasePersonalData: async (event) => {
      const id = event.pathParameters?.id ?? '';
      try {
        if (!(await eraseDeletedUser({ repo: deps.users, clock: deps.clock, newEventId: deps.newEventId }, id, adminActor(event)))) {
          throw ProblemError.notFound(`No deleted user ${id} is kept.`);
        }
      } catch (e: unknown) {
        if (e instanceof NotDeletedError) {
          throw ProblemError.conflict(`User ${id} is still provisioned: delete it over SCIM (or in the identity provider) first.`, {
            cause: e,
          });
        }
        throw e;
      }
      return jsonResponse(204);
    },
    listEvents: async (event) => {
      const q = event.queryStringParameters ?? {};
      const limit = pageLimit(q.limit, EVENT_PAGE);
      const types = eventTypes(q.types);
      const resourceId = q.resourceId === undefined || q.resourceId === '' ? undefined : q.resourceId;
      if (resourceId !== undefined && !/^[A-Za-z0-9._~:-]{1,128}$/.test(resourceId))
        throw ProblemError.badRequest('resourceId is not an id of this service.');
      const sealer = await deps.events.sealer();
      const log = deps.events.log;
      const same = (a: string[] | undefined, b: string[] | undefined): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
      const cursor = q.cursor
        ? openCursor(sealer, EVENT_CURSOR_PURPOSE, q.cursor, (v): v is EventCursor => {
            if (!isObject(v) || !isStringMap(v.p) || v.r !== resourceId || !same(v.t as string[] | undefined, types)) return false;
            return log.isPosition(v.p, resourceId);
          })
        : undefined;
      const now = deps.clock.now().getTime();
      const page = resourceId
        ? await log.listResource(resourceId, { limit, ...(cursor ? { after: cursor.p } : {}), ...(types ? { types } : {}) })
        : await log.list({
            limit,
            maxReads: EVENT_READS_PER_PAGE,
            oldest: new Date(now - deps.events.retentionDays * 24 * 3600 * 1000).toISOString(),
            until: new Date(now - deps.events.settleSeconds * 1000).toISOString(),
            ...(cursor ? { after: cursor.p } : {}),
            ...(types ? { types } : {}),
          });
      const next: EventCursor = { p: page.next, ...(resourceId ? { r: resourceId } : {}), ...(types ? { t: types } : {}) };
      return jsonResponse(200, { events: page.events, nextCursor: sealer.seal(EVENT_CURSOR_PURPOSE, JSON.stringify(next)) });
    },
    registerWebhook: async (event) => {
      try {
        const { webhook, secret } = await deps.events.webhooks.register(adminActor(event), jsonBody(event));
        return jsonResponse(201, { ...webhook, secret }, { 'Cache-Control': 'no-store' });
      } catch (e: unknown) {
        if (e instanceof WebhookRuleError) throw ProblemError.badRequest(e.message);
        if (e instanceof WebhookLimitError) throw ProblemError.conflict(e.message, { cause: e });
        throw e;
      }
    },
    listWebhooks: async () => jsonResponse(200, { webhooks: await deps.events.webhooks.list() }),
    deleteWebhook: async (event) => {
      const id = event.pathParameters?.id ?? '';
      if (!(await deps.events.webhooks.remove(adminActor(event), id))) throw ProblemError.notFound(`No webhook ${id}.`);
      return jsonResponse(204);
    },
    listDeliveries: async (event) => {
      const id = event.pathParameters?.id ?? '';
      const q = event.queryStringParameters ?? {};
      const limit = pageLimit(q.limit, DELIVERY_PAGE);
      const sealer = await deps.events.sealer();
      const after = q.cursor
        ? openCursor(
            sealer,
            DELIVERY_CURSOR_PURPOSE,
            q.cursor,
            (v): v is LogPosition => isStringMap(v) && v.w === id && typeof v.sk === 'string',
          )
        : undefined;
      const page = await deps.events.webhooks.deliveries(id, { limit, ...(after ? { after } : {}) });
      if (!page) throw ProblemError.notFound(`No webhook ${id}.`);
      return jsonResponse(200, {
        deliveries: page.deliveries,
        nextCursor: page.next ? sealer.seal(DELIVERY_CURSOR_PURPOSE, JSON.stringify(page.next)) : null,
      });
    },
    getOpenApi: async (event) =>
      jsonResponse(200, adminOpenApi(adminBaseUrl(event), tokenEndpoint(event)), { 'Cache-Control': 'max-age=300' }),
    methodNotAllowed: async (event) => {
      const allow = allowedMethods(event.resource).join(', ');
      throw new ProblemError(405, 'Method Not Allowed', `${event.httpMethod} is not allowed here; allowed: ${allow}.`, { Allow: allow });
    },
  } satisfies Record<AdminOperation, Operation>;

  return async (event) => {
    const route = findRoute(event.resource, event.httpMethod);
    const name = route && route.function === 'admin' ? (route.operation as AdminOperation) : undefined;
    const operation = name ? operations[name] : undefined;
    if (!route || !name || !operation) throw ProblemError.notFound(`No admin endpoint ${event.httpMethod} ${event.path}.`);
    if (name !== 'methodNotAllowed') checkQuery(event, ADMIN_OPERATIONS[name]);
    if (route.authorizer === 'none') return operation(event);
    const actor = adminActor(event);
    // Any signed-in administrator may look (the console's read-only view); only the managing roles may change anything.
    if (route.method !== 'GET' && !mayManageProvisioning(actor.roles ?? [], deps.allowedRoles)) {
      await service.recordDenied(actor, name);
      throw ProblemError.forbidden(`Only the roles ${deps.allowedRoles.join(' and ')} may change provisioning; other roles may only read.`);
    }
    const result = await operation(event);
    const read = READ_ACTIONS[name];
    if (read) await service.recordRead(actor, read);
    return result;
  };
}
