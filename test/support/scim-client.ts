/**
 * What the end-to-end tests share when they speak SCIM over HTTP to the local stack: the URNs and
 * media type of SCIM messages, the shapes of their JSON bodies, the identity providers' recorded
 * requests of test/fixtures/idp, and small request helpers that send the bearer token and read
 * SCIM JSON bodies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** The media type of every SCIM response (RFC 7644 section 3.1). */
export const SCIM_JSON = 'application/scim+json';

/** A resource id as the service makes them. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** meta.created and meta.lastModified: an ISO 8601 date-time in UTC. */
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A JSON object: a resource, a request body, a complex attribute. */
export type Json = Record<string, unknown>;

/** The body of a ListResponse (RFC 7644 section 3.4.2; startIndex may be absent with cursors, RFC 9865). */
export interface ListBody {
  schemas: string[];
  totalResults: number;
  startIndex?: number;
  itemsPerPage: number;
  Resources?: Json[];
  nextCursor?: string;
}

/** The answer to a query that matches nothing. */
export const EMPTY_LIST: Readonly<ListBody> = { schemas: [LIST_SCHEMA], totalResults: 0, Resources: [], startIndex: 1, itemsPerPage: 0 };

const FIXTURES = join(__dirname, '..', 'fixtures', 'idp');

/**
 * A fixture of test/fixtures/idp as text (to be sent as is), its placeholder ids (USER_ID_1, USER_ID_2,
 * …, GROUP_ID) replaced by the real ones given.
 */
export const fixture = (name: string, ids: Readonly<Record<string, string>> = {}): string =>
  readFileSync(join(FIXTURES, name), 'utf8').replace(/\b(USER_ID_\d+|GROUP_ID)\b/g, (placeholder) => ids[placeholder] ?? placeholder);

/** Where the SCIM endpoints are, and the bearer token to send them. */
export interface ScimConnection {
  readonly baseUrl: string;
  readonly token: string;
}

export interface ScimRequestOptions {
  /** The request body: a string is sent as is, anything else as JSON. */
  readonly body?: unknown;
  /** The Content-Type of the body; application/scim+json when not given. */
  readonly contentType?: string;
  /** More headers, sent after (and so over) the others. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One request with the bearer token, and a Content-Type when there is a body. */
export const scimRequest = async (
  connection: ScimConnection,
  method: string,
  path: string,
  options: ScimRequestOptions = {},
): Promise<Response> => {
  const { body } = options;
  return fetch(`${connection.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${connection.token}`,
      ...(body === undefined ? {} : { 'Content-Type': options.contentType ?? SCIM_JSON }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
};

/** How an identity provider's SCIM client sends its requests. */
export interface ScimClientProfile {
  /** Headers it sends with every request. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Content-Type it gives its bodies. */
  readonly contentType: string;
}

/** Okta's SCIM client: its User-Agent, and SCIM JSON with a charset. */
export const OKTA_CLIENT: ScimClientProfile = {
  headers: { Accept: SCIM_JSON, 'User-Agent': 'Okta SCIM Client 1.0.0' },
  contentType: 'application/scim+json; charset=utf-8',
};

/** Microsoft Entra ID's SCIM client. */
export const ENTRA_CLIENT: ScimClientProfile = { headers: { Accept: SCIM_JSON }, contentType: SCIM_JSON };

/** Sends one request as a client would: the body (a string as is, anything else as JSON) and extra headers are optional. */
export type ScimClient = (method: string, path: string, body?: unknown, headers?: Readonly<Record<string, string>>) => Promise<Response>;

/**
 * A client that sends its requests as the profile says. The connection is asked for at each request,
 * so that the client can be made before the stack starts (in beforeAll).
 */
export const scimClient =
  (connection: () => ScimConnection, profile: ScimClientProfile): ScimClient =>
  async (method, path, body, headers = {}) =>
    scimRequest(connection(), method, path, { body, contentType: profile.contentType, headers: { ...profile.headers, ...headers } });

/** The JSON body of a response, after checking that it is application/scim+json. */
export const scimJson = async <T = Json>(res: Response): Promise<T> => {
  expect(res.headers.get('content-type')).toBe(SCIM_JSON);
  return (await res.json()) as T;
};

/** The JSON body of a response, after checking its status and that it is application/scim+json. */
export const expectScimJson = async <T = Json>(res: Response, status: number): Promise<T> => {
  expect(res.status).toBe(status);
  return scimJson<T>(res);
};

/** Checks that a response is 204 No Content with an empty body. */
export const expectNoContent = async (res: Response): Promise<void> => {
  expect(res.status).toBe(204);
  expect(await res.text()).toBe('');
};

/** POSTs a user and returns it as the 201 answered it. */
export const createUser = async (client: ScimClient, user: Json): Promise<Json> =>
  expectScimJson(await client('POST', '/Users', user), 201);

/** The member ids of a group, sorted. */
export const memberValuesOf = (group: Json): string[] => (group.members as Json[]).map((m) => String(m.value)).sort();

/** Ids (possibly taken from an array by destructuring) as sorted strings. */
export const sorted = (ids: readonly (string | undefined)[]): string[] => ids.map(String).sort();
