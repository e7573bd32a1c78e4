/**
 * What each admin API operation takes and answers: its query parameters, request body and
 * responses as JSON Schema (2020-12, as OpenAPI 3.1 uses it). The admin function refuses query
 * parameters an operation does not list here, and the OpenAPI description (shared/http/openapi.ts)
 * is generated from the route table with these, so the two cannot disagree.
 */
import { EVENT_TYPES } from '../scim/events/change-event';
import { MAX_DELIVERY_ATTEMPTS, MAX_WEBHOOKS } from '../scim/events/webhook-rules';
import { MAX_TOKEN_LIFETIME_DAYS } from '../tokens/expiry';
import { MAX_TOKEN_NAME_LENGTH, MAX_TOKENS } from '../tokens/provisioning';
import { DIRECTORY_PAGE } from './admin-directory';
import type { AdminOperation } from './routes';

export type JsonSchema = Record<string, unknown>;

export interface QueryParameter {
  description: string;
  schema: JsonSchema;
}

export interface OperationResponse {
  description: string;
  /** The JSON body (application/json); none for 204. */
  schema?: JsonSchema;
}

export interface OperationDoc {
  summary: string;
  description?: string;
  query?: Readonly<Record<string, QueryParameter>>;
  /** The JSON request body, when the operation takes one. */
  requestBody?: JsonSchema;
  responses: Readonly<Record<number, OperationResponse>>;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** A SCIM token or SCIM client as the admin API lists them: the same record, named by `id` or `clientId`. */
function credential(idName: string, description: string, secret: string, more: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    description,
    required: [idName, 'name', 'hint', 'createdAt', 'expiresAt', 'expiresOn', 'status', 'lastUsedAt'],
    properties: {
      [idName]: { type: 'string' },
      name: { type: 'string' },
      hint: { type: 'string', description: `The last characters of the ${secret}, to tell them apart.` },
      createdAt: { type: 'string', format: 'date-time' },
      expiresAt: { type: 'string', format: 'date-time' },
      expiresOn: { type: 'string', format: 'date', description: 'The expiry day, yyyy-MM-dd (UTC).' },
      status: { enum: ['Active', 'Expired'] },
      lastUsedAt: { type: ['string', 'null'], format: 'date-time', description: 'Last use (to the minute).' },
      ...more,
    },
  };
}

/** The shapes of the provisioning operations. */
const BASE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details: every error of the admin API.',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', description: 'A URI reference for the problem type; about:blank when the status says it all.' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string', description: 'What went wrong, for a person to read.' },
    },
  },
  Token: credential('id', 'A SCIM token, without its value (only a hash is kept).', 'value'),
  Client: credential(
    'clientId',
    'A SCIM client: OAuth 2.0 client credentials for an identity provider (Microsoft Entra ID\'s "OAuth 2.0 client credentials grant"), without its secret (only a hash is kept).',
    'secret',
    { federation: ref('Federation') },
  ),
  Federation: {
    type: 'object',
    description:
      'A federated credential (RFC 7523 JWT bearer grant): the identity provider trusted to sign assertions for the client, instead of its secret.',
    required: ['issuer', 'subject', 'audience'],
    properties: {
      issuer: { type: 'string', description: "The assertions' iss." },
      subject: { type: 'string', description: 'Their sub: how the issuer names this client.' },
      audience: { type: 'string', description: 'Their aud.' },
      jwksUrl: {
        type: 'string',
        format: 'uri',
        description: "Where the issuer's public keys are (https; fetched with a 3 s timeout, cached 10 minutes).",
      },
      keys: { type: 'array', items: { type: 'object' }, maxItems: 10, description: 'Or the public JWKs themselves (no private members).' },
    },
    additionalProperties: false,
  },
  Provisioning: {
    type: 'object',
    required: ['enabled', 'scimEndpoint', 'tokens'],
    properties: {
      enabled: { type: 'boolean' },
      scimEndpoint: { type: 'string', format: 'uri', description: 'The SCIM base URL to give the identity provider.' },
      tokens: { type: 'array', items: ref('Token'), maxItems: MAX_TOKENS },
    },
  },
  AuditEvent: {
    type: 'object',
    required: ['id', 'at', 'actor', 'action', 'outcome'],
    properties: {
      id: { type: 'string' },
      at: { type: 'string', format: 'date-time' },
      actor: {
        type: 'object',
        required: ['type', 'id'],
        properties: {
          type: { enum: ['admin', 'scimToken', 'scimClient', 'anonymous', 'system'] },
          id: { type: 'string', description: 'The admin subject or the token id (never a token).' },
          display: { type: 'string' },
          roles: { type: 'array', items: { type: 'string' } },
          sourceIp: { type: 'string' },
          userAgent: { type: 'string' },
        },
      },
      action: { type: 'string', examples: ['provisioning.enable', 'token.generate', 'user.create', 'scim.authenticate'] },
      target: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string' }, id: { type: 'string' }, display: { type: 'string' } },
      },
      outcome: { enum: ['success', 'denied', 'failure'] },
      reason: { type: 'string' },
    },
  },
};

/** Page sizes of the event log and of a webhook's deliveries. */
export const EVENT_PAGE = { default: 100, max: 1000 } as const;
export const DELIVERY_PAGE = { default: 50, max: 200 } as const;

/** The shapes the operations answer with, referenced from the operation docs. */
export const ADMIN_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ...BASE_SCHEMAS,
  ChangeEvent: {
    type: 'object',
    description:
      'A committed change of a user or group (RFC 9967 event types). Notice form (the default): ids and the names of the attributes that changed; full form (eventForm=full): `data`, the resource as it now is.',
    required: ['id', 'type', 'time', 'resourceType', 'resourceId', 'version', 'sequence', 'actor'],
    properties: {
      id: { type: 'string', description: 'Unique per change; the same on every delivery (webhook-id).' },
      type: { enum: [...EVENT_TYPES] },
      time: { type: 'string', format: 'date-time' },
      resourceType: { enum: ['User', 'Group'] },
      resourceId: { type: 'string' },
      externalId: { type: 'string' },
      version: { type: 'string', description: "The resource's ETag after the change." },
      sequence: { type: 'integer', description: "The resource's change number: its events in order." },
      actor: {
        type: 'object',
        required: ['type', 'id'],
        properties: { type: { enum: ['admin', 'scimToken', 'scimClient', 'system'] }, id: { type: 'string' } },
      },
      txn: { type: 'string', description: 'The audit event of the request that made the change.' },
      attributes: { type: 'array', items: { type: 'string' } },
      data: { type: 'object' },
      members: {
        type: 'object',
        required: ['added', 'removed'],
        properties: { added: { type: 'array', items: { type: 'string' } }, removed: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
  UserSummary: {
    type: 'object',
    description: 'A provisioned user as the console lists it (the whole resource: GET /users/{id}).',
    required: ['id', 'userName', 'active', 'created', 'lastModified'],
    properties: {
      id: { type: 'string' },
      userName: { type: 'string' },
      displayName: { type: 'string' },
      name: { type: 'string', description: 'name.formatted, else the given and family names.' },
      email: { type: 'string', description: 'The primary e-mail address, else the first.' },
      active: { type: 'boolean' },
      externalId: { type: 'string' },
      created: { type: 'string', format: 'date-time' },
      lastModified: { type: 'string', format: 'date-time', description: 'The last change.' },
    },
  },
  GroupSummary: {
    type: 'object',
    required: ['id', 'displayName', 'memberCount', 'created', 'lastModified'],
    properties: {
      id: { type: 'string' },
      displayName: { type: 'string' },
      externalId: { type: 'string' },
      memberCount: { type: 'integer' },
      created: { type: 'string', format: 'date-time' },
      lastModified: { type: 'string', format: 'date-time' },
    },
  },
  ScimResource: {
    type: 'object',
    description: 'The resource as the SCIM API returns it (RFC 7643): a user with its groups, a group with its members.',
    required: ['schemas', 'id', 'meta'],
    properties: { schemas: { type: 'array', items: { type: 'string' } }, id: { type: 'string' }, meta: { type: 'object' } },
  },
  Webhook: {
    type: 'object',
    description: 'A registered endpoint (never its signing secret).',
    required: ['id', 'url', 'types', 'createdAt', 'status', 'consecutiveFailures'],
    properties: {
      id: { type: 'string' },
      url: { type: 'string', format: 'uri' },
      types: { type: 'array', items: { enum: [...EVENT_TYPES] }, description: 'Empty: every event type.' },
      createdAt: { type: 'string', format: 'date-time' },
      createdBy: { type: 'string' },
      status: { enum: ['active', 'disabled'] },
      consecutiveFailures: { type: 'integer' },
      failingSince: { type: 'string', format: 'date-time' },
      lastSuccessAt: { type: 'string', format: 'date-time' },
      lastFailureAt: { type: 'string', format: 'date-time' },
      disabledAt: { type: 'string', format: 'date-time' },
      disabledReason: { type: 'string' },
    },
  },
  Delivery: {
    type: 'object',
    required: ['webhookId', 'eventId', 'eventType', 'resourceId', 'sequence', 'eventTime', 'status', 'attempts'],
    properties: {
      webhookId: { type: 'string' },
      eventId: { type: 'string' },
      eventType: { type: 'string' },
      resourceId: { type: 'string' },
      sequence: { type: 'integer' },
      eventTime: { type: 'string', format: 'date-time' },
      status: { enum: ['retrying', 'delivered', 'failed', 'skipped'] },
      attempts: { type: 'integer', maximum: MAX_DELIVERY_ATTEMPTS },
      lastAttemptAt: { type: 'string', format: 'date-time' },
      lastStatusCode: { type: 'integer' },
      lastError: { type: 'string' },
      nextAttemptAt: { type: 'string', format: 'date-time' },
      deliveredAt: { type: 'string', format: 'date-time' },
    },
  },
};

const problem = (description: string): OperationResponse => ({ description, schema: ref('Problem') });
/** The refusal every signed-in read may answer: any signed-in administrator may read. */
const SIGNED_IN_READ: Readonly<Record<number, OperationResponse>> = {
  401: problem('No valid admin sign-in token.'),
};
/** The refusals every change may answer: only Owner and System Admin may change anything. */
const SIGNED_IN: Readonly<Record<number, OperationResponse>> = {
  ...SIGNED_IN_READ,
  403: problem('Signed in, but not as Owner or System Admin (other roles may only read).'),
};

/** The SCIM search and paging parameters (RFC 7644 section 3.4.2, RFC 9865), as the admin views of users and groups take them. */
const SCIM_SEARCH: Readonly<Record<string, QueryParameter>> = {
  filter: {
    description: 'A SCIM filter (RFC 7644 section 3.4.2.2), e.g. userName sw "ann" or emails.value co "@example.com".',
    schema: { type: 'string' },
  },
  sortBy: { description: 'The attribute to sort by (SCIM sortBy).', schema: { type: 'string' } },
  sortOrder: { description: 'ascending (default) or descending.', schema: { enum: ['ascending', 'descending'] } },
  startIndex: { description: 'The 1-based index of the first result (index paging).', schema: { type: 'integer', minimum: 1 } },
  count: {
    description: 'Results per page.',
    schema: { type: 'integer', minimum: 1, maximum: DIRECTORY_PAGE.max, default: DIRECTORY_PAGE.default },
  },
  cursor: {
    description: "RFC 9865 cursor paging: empty for the first page, then the previous answer's nextCursor.",
    schema: { type: 'string' },
  },
};

/** The paging of a SCIM ListResponse, beside the page's items. */
const PAGING: Readonly<Record<string, JsonSchema>> = {
  totalResults: { type: ['integer', 'null'], description: 'All matches; null on a cursor page that cannot know it (RFC 9865).' },
  startIndex: { type: 'integer' },
  itemsPerPage: { type: 'integer' },
  nextCursor: { type: ['string', 'null'], description: 'With cursor paging: where the next page starts; null on the last.' },
};
const pageOf = (key: string, item: string): JsonSchema => ({
  type: 'object',
  required: [key, 'totalResults', 'startIndex', 'itemsPerPage', 'nextCursor'],
  properties: { [key]: { type: 'array', items: ref(item) }, ...PAGING },
});

export const ADMIN_OPERATIONS = {
  getProvisioning: {
    summary: 'Whether provisioning is on, the SCIM endpoint, and the tokens',
    responses: { 200: { description: 'The provisioning settings.', schema: ref('Provisioning') }, ...SIGNED_IN_READ },
  },
  setProvisioning: {
    summary: 'Enable or disable provisioning',
    description: 'Disabling deletes every SCIM token at once (in the same write); the next SCIM request with one is refused.',
    requestBody: {
      type: 'object',
      required: ['enabled'],
      properties: { enabled: { type: 'boolean' } },
      additionalProperties: false,
    },
    responses: {
      200: { description: 'The provisioning settings after the change.', schema: ref('Provisioning') },
      400: problem('The body is not {"enabled": true|false}.'),
      ...SIGNED_IN,
    },
  },
  generateToken: {
    summary: 'Generate a SCIM token (its value is shown once)',
    description: `At most ${MAX_TOKENS} tokens exist at once. The answer carries the value in \`token\`; only a hash is kept.`,
    requestBody: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_NAME_LENGTH },
        expiresInDays: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_TOKEN_LIFETIME_DAYS,
          description: 'How long the token is valid, in days (default: one year).',
        },
      },
      additionalProperties: false,
    },
    responses: {
      201: {
        description: 'The token, with its value.',
        schema: { allOf: [ref('Token'), { type: 'object', required: ['token'], properties: { token: { type: 'string' } } }] },
      },
      400: problem('The name is not a non-empty string of at most 100 characters, or expiresInDays is not 1 to 365.'),
      409: problem(`Provisioning is disabled, or ${MAX_TOKENS} tokens exist already.`),
      ...SIGNED_IN,
    },
  },
  listTokens: {
    summary: 'The SCIM tokens (never their values)',
    responses: {
      200: {
        description: 'The tokens.',
        schema: { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: ref('Token') } } },
      },
      ...SIGNED_IN_READ,
    },
  },
  deleteToken: {
    summary: 'Delete a SCIM token',
    description: 'Takes effect for the next SCIM request.',
    responses: { 204: { description: 'Deleted.' }, 404: problem('No such token.'), ...SIGNED_IN },
  },
  generateClient: {
    summary: 'Create a SCIM client (OAuth 2.0 client credentials; its secret is shown once)',
    description:
      `At most ${MAX_TOKENS} clients exist at once, beside the tokens; valid one year (or expiresInDays), then Expired; ` +
      'deleted by disabling provisioning, as tokens are. The answer carries clientSecret; only a hash is kept.',
    requestBody: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_NAME_LENGTH },
        expiresInDays: { type: 'integer', minimum: 1, maximum: MAX_TOKEN_LIFETIME_DAYS, description: 'Default: one year.' },
      },
      additionalProperties: false,
    },
    responses: {
      201: {
        description: 'The client, with its secret.',
        schema: {
          allOf: [ref('Client'), { type: 'object', required: ['clientSecret'], properties: { clientSecret: { type: 'string' } } }],
        },
      },
      400: problem('The name is not a non-empty string of at most 100 characters, or expiresInDays is not 1 to 365.'),
      409: problem(`Provisioning is disabled, or ${MAX_TOKENS} clients exist already.`),
      ...SIGNED_IN,
    },
  },
  listClients: {
    summary: 'The SCIM clients (never their secrets)',
    responses: {
      200: {
        description: 'The clients.',
        schema: { type: 'object', required: ['clients'], properties: { clients: { type: 'array', items: ref('Client') } } },
      },
      ...SIGNED_IN_READ,
    },
  },
  setClientFederation: {
    summary: "Trust an identity provider's assertions for a SCIM client (RFC 7523)",
    description:
      'With it, POST /api/oauth2/token with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and assertion=<a JWT of that issuer, ' +
      'with its iss, sub and aud, expiring within an hour> returns an access token for the client; anything else is invalid_grant. Replaces any earlier federation.',
    requestBody: ref('Federation'),
    responses: {
      200: { description: 'The client, with its federation.', schema: ref('Client') },
      400: problem('A missing or unknown field, an http or private jwksUrl, or keys that are not public JWKs.'),
      404: problem('No such client.'),
      ...SIGNED_IN,
    },
  },
  removeClientFederation: {
    summary: "Stop trusting the identity provider's assertions for a SCIM client",
    responses: {
      200: { description: 'The client, without federation.', schema: ref('Client') },
      404: problem('No such client.'),
      ...SIGNED_IN,
    },
  },
  deleteClient: {
    summary: 'Delete a SCIM client',
    description: 'Takes effect for the next request: its secret is refused.',
    responses: { 204: { description: 'Deleted.' }, 404: problem('No such client.'), ...SIGNED_IN },
  },
  listAudit: {
    summary: 'The audit log, newest first',
    query: {
      limit: { description: 'Events per page.', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
      cursor: { description: "Where to go on: the previous answer's nextCursor.", schema: { type: 'string' } },
      since: { description: 'Only events at or after this instant.', schema: { type: 'string', format: 'date-time' } },
    },
    responses: {
      200: {
        description: 'A page of events; nextCursor is null on the last page.',
        schema: {
          type: 'object',
          required: ['events', 'nextCursor'],
          properties: { events: { type: 'array', items: ref('AuditEvent') }, nextCursor: { type: ['string', 'null'] } },
        },
      },
      400: problem('An unknown query parameter, a limit out of range, a bad since, or a cursor this API did not return.'),
      ...SIGNED_IN_READ,
    },
  },
  listProvisionedUsers: {
    summary: 'The provisioned users (searched and paged as SCIM does)',
    query: SCIM_SEARCH,
    responses: {
      200: { description: 'A page of users.', schema: pageOf('users', 'UserSummary') },
      400: problem(
        'An unknown query parameter, a filter that does not parse or names an unknown attribute, a count out of range, or a cursor this API did not return.',
      ),
      ...SIGNED_IN_READ,
    },
  },
  getProvisionedUser: {
    summary: 'A provisioned user, with its groups',
    responses: {
      200: { description: 'The user as SCIM returns it (groups included).', schema: ref('ScimResource') },
      404: problem('No such user.'),
      ...SIGNED_IN_READ,
    },
  },
  listProvisionedGroups: {
    summary: 'The provisioned groups, with their member counts (searched and paged as SCIM does)',
    query: SCIM_SEARCH,
    responses: {
      200: { description: 'A page of groups.', schema: pageOf('groups', 'GroupSummary') },
      400: problem(
        'An unknown query parameter, a filter that does not parse or names an unknown attribute, a count out of range, or a cursor this API did not return.',
      ),
      ...SIGNED_IN_READ,
    },
  },
  getProvisionedGroup: {
    summary: 'A provisioned group, with its members and their count',
    description: 'The members come while the group has at most 10,000 (the bound SCIM answers with); memberCount always.',
    responses: {
      200: {
        description: 'The group as SCIM returns it, and memberCount.',
        schema: {
          allOf: [ref('ScimResource'), { type: 'object', required: ['memberCount'], properties: { memberCount: { type: 'integer' } } }],
        },
      },
      404: problem('No such group.'),
      ...SIGNED_IN_READ,
    },
  },
  erasePersonalData: {
    summary: "Erase a deleted user's record (and its personal data) now",
    description:
      'A deleted user is kept, personal data included, for a restore by the same identity during the retention window ' +
      '(deletedRetentionDays, default 30), then erased. This erases it at once; audited as user.erase.',
    responses: {
      204: { description: 'Erased.' },
      404: problem('No deleted user with this id is kept.'),
      409: problem('The user is still provisioned: delete it over SCIM (or in the identity provider) first.'),
      ...SIGNED_IN,
    },
  },
  listEvents: {
    summary: 'The change events, oldest first (a replayable log)',
    description:
      'Every committed change of a user or group, once, from any point within the retention (eventRetentionDays, default 30). ' +
      'Store nextCursor and call again with it: a consumer that does never misses or repeats an event. nextCursor is always present ' +
      '(new events come after it); the newest seconds of the log (the settle window, EVENT_LOG_SETTLE_SECONDS) are left for the next call, ' +
      'so that no event logged late can fall behind a cursor.',
    query: {
      cursor: { description: "Where to go on: the previous answer's nextCursor.", schema: { type: 'string' } },
      limit: {
        description: 'Events per page.',
        schema: { type: 'integer', minimum: 1, maximum: EVENT_PAGE.max, default: EVENT_PAGE.default },
      },
      types: { description: 'Comma-separated event types: only these.', schema: { type: 'string' } },
      resourceId: { description: "Only this user's or group's events, in order of sequence.", schema: { type: 'string' } },
    },
    responses: {
      200: {
        description: 'A page of events (maybe empty) and where to go on.',
        schema: {
          type: 'object',
          required: ['events', 'nextCursor'],
          properties: { events: { type: 'array', items: ref('ChangeEvent') }, nextCursor: { type: 'string' } },
        },
      },
      400: problem('An unknown query parameter or event type, a limit out of range, or a cursor this API did not return (for this query).'),
      ...SIGNED_IN_READ,
    },
  },
  registerWebhook: {
    summary: 'Register a webhook (its signing secret is shown once)',
    description:
      `At most ${MAX_WEBHOOKS}. Deliveries follow the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature: ` +
      `HMAC-SHA256 with the secret), are retried with backoff for 31.7 hours (${MAX_DELIVERY_ATTEMPTS} attempts), and an endpoint that keeps ` +
      'failing (every attempt for 24 hours, at least as many attempts in a row) is disabled.',
    requestBody: {
      type: 'object',
      required: ['url'],
      properties: {
        url: { type: 'string', format: 'uri', description: 'https (plain http only to localhost, and only locally).' },
        types: { type: 'array', items: { enum: [...EVENT_TYPES] }, description: 'Only these event types (default: all).' },
      },
      additionalProperties: false,
    },
    responses: {
      201: {
        description: 'The webhook, with its signing secret.',
        schema: { allOf: [ref('Webhook'), { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } }] },
      },
      400: problem('Not an https URL to a public host, or an unknown event type.'),
      409: problem(`${MAX_WEBHOOKS} webhooks exist already.`),
      ...SIGNED_IN,
    },
  },
  listWebhooks: {
    summary: 'The webhooks (never their secrets)',
    responses: {
      200: {
        description: 'The webhooks.',
        schema: { type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: ref('Webhook') } } },
      },
      ...SIGNED_IN_READ,
    },
  },
  deleteWebhook: {
    summary: 'Delete a webhook',
    description: 'Its queued deliveries are dropped.',
    responses: { 204: { description: 'Deleted.' }, 404: problem('No such webhook.'), ...SIGNED_IN },
  },
  listDeliveries: {
    summary: "A webhook's deliveries, newest first",
    query: {
      cursor: { description: "Where to go on: the previous answer's nextCursor.", schema: { type: 'string' } },
      limit: {
        description: 'Deliveries per page.',
        schema: { type: 'integer', minimum: 1, maximum: DELIVERY_PAGE.max, default: DELIVERY_PAGE.default },
      },
    },
    responses: {
      200: {
        description: 'A page of deliveries; nextCursor is null on the last page.',
        schema: {
          type: 'object',
          required: ['deliveries', 'nextCursor'],
          properties: { deliveries: { type: 'array', items: ref('Delivery') }, nextCursor: { type: ['string', 'null'] } },
        },
      },
      400: problem('An unknown query parameter, a limit out of range, or a cursor this API did not return.'),
      404: problem('No such webhook.'),
      ...SIGNED_IN_READ,
    },
  },
  getOpenApi: {
    summary: 'This description of the admin API (OpenAPI 3.1)',
    responses: { 200: { description: 'The OpenAPI document.', schema: { type: 'object' } } },
  },
} as const satisfies Record<Exclude<AdminOperation, 'methodNotAllowed'>, OperationDoc>;

export type DocumentedOperation = keyof typeof ADMIN_OPERATIONS;
