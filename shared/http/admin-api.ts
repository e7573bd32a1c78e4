/**
 * What each admin API operation takes and answers: its query parameters, request body and
 * responses as JSON Schema (2020-12, as OpenAPI 3.1 uses it). The admin function refuses query
 * parameters an operation does not list here, and the OpenAPI description (shared/http/openapi.ts)
 * is generated from the route table with these, so the two cannot disagree.
 */
import { MAX_TOKEN_NAME_LENGTH, MAX_TOKENS } from '../tokens/provisioning';
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

/** The shapes the operations answer with, referenced from the operation docs. */
export const ADMIN_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
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
  Token: {
    type: 'object',
    description: 'A SCIM token, without its value (only a hash is kept).',
    required: ['id', 'name', 'hint', 'createdAt', 'expiresAt', 'expiresOn', 'status', 'lastUsedAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      hint: { type: 'string', description: 'The last characters of the value, to tell tokens apart.' },
      createdAt: { type: 'string', format: 'date-time' },
      expiresAt: { type: 'string', format: 'date-time' },
      expiresOn: { type: 'string', format: 'date', description: 'The expiry day, yyyy-MM-dd (UTC).' },
      status: { enum: ['Active', 'Expired'] },
      lastUsedAt: { type: ['string', 'null'], format: 'date-time', description: 'Last SCIM request with it (to the minute).' },
    },
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
          type: { enum: ['admin', 'scimToken', 'anonymous', 'system'] },
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

const problem = (description: string): OperationResponse => ({ description, schema: ref('Problem') });
/** The refusals every signed-in operation may answer. */
const SIGNED_IN: Readonly<Record<number, OperationResponse>> = {
  401: problem('No valid admin sign-in token.'),
  403: problem('Signed in, but not as Owner or System Admin.'),
};

export const ADMIN_OPERATIONS = {
  getProvisioning: {
    summary: 'Whether provisioning is on, the SCIM endpoint, and the tokens',
    responses: { 200: { description: 'The provisioning settings.', schema: ref('Provisioning') }, ...SIGNED_IN },
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
      properties: { name: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_NAME_LENGTH } },
      additionalProperties: false,
    },
    responses: {
      201: {
        description: 'The token, with its value.',
        schema: { allOf: [ref('Token'), { type: 'object', required: ['token'], properties: { token: { type: 'string' } } }] },
      },
      400: problem('The name is not a non-empty string of at most 100 characters.'),
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
      ...SIGNED_IN,
    },
  },
  deleteToken: {
    summary: 'Delete a SCIM token',
    description: 'Takes effect for the next SCIM request.',
    responses: { 204: { description: 'Deleted.' }, 404: problem('No such token.'), ...SIGNED_IN },
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
      ...SIGNED_IN,
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
  getOpenApi: {
    summary: 'This description of the admin API (OpenAPI 3.1)',
    responses: { 200: { description: 'The OpenAPI document.', schema: { type: 'object' } } },
  },
} as const satisfies Record<Exclude<AdminOperation, 'methodNotAllowed'>, OperationDoc>;

export type DocumentedOperation = keyof typeof ADMIN_OPERATIONS;
