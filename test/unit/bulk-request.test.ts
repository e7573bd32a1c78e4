/**
 * The BulkRequest message (RFC 7644 section 3.7) as the parser reads it: the RFC's own examples,
 * the tolerances the other messages have (keys and methods in any case, paths in any case, no
 * `schemas`), and every way a message is refused as a whole (400 naming the operation, 413 over
 * maxOperations), before any operation runs.
 */
import { ScimError } from '../../shared/scim/messages/error';
import { parseBulkRequest, type BulkRequest } from '../../shared/scim/messages/bulk';
import { MAX_BULK_OPERATIONS } from '../../shared/scim/limits';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Json = Record<string, unknown>;

const bulk = (Operations: unknown[], extra: Json = {}): Json => ({ schemas: [BULK_REQUEST], Operations, ...extra });

/** The error a body is refused with: its status, scimType and detail. */
function refusal(body: unknown): { status: number; scimType?: string; detail: string } {
  try {
    parseBulkRequest(body);
  } catch (e: unknown) {
    if (!(e instanceof ScimError)) throw e;
    return { status: e.status, ...(e.scimType ? { scimType: e.scimType } : {}), detail: e.message };
  }
  throw new Error('the body was accepted');
}

describe('parseBulkRequest: the RFC 7644 examples', () => {
  it('reads section 3.7.2: a user and a group referring to it by bulkId', () => {
    const user = { schemas: [USER], userName: 'Alice' };
    const group = { schemas: [GROUP], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] };
    const parsed: BulkRequest = parseBulkRequest(
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: user },
        { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: group },
      ]),
    );
    expect(parsed).toEqual({
      operations: [
        { index: 0, method: 'POST', endpoint: 'Users', bulkId: 'qwerty', data: user },
        { index: 1, method: 'POST', endpoint: 'Groups', bulkId: 'ytrewq', data: group },
      ],
    });
  });

  it('reads section 3.7.3: POST, PUT, PATCH and DELETE with versions and failOnErrors', () => {
    const patch = {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'remove', path: 'nickName' },
        { op: 'replace', path: 'userName', value: 'Dave' },
      ],
    };
    const parsed = parseBulkRequest(
      bulk(
        [
          { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER], userName: 'Alice' } },
          {
            method: 'PUT',
            path: '/Users/b7c14771-226c-4d05-8860-134711653041',
            version: 'W/"3694e05e9dff591"',
            data: { schemas: [USER], id: 'b7c14771-226c-4d05-8860-134711653041', userName: 'Bob' },
          },
          { method: 'PATCH', path: '/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc', version: 'W/"edac3253e2c0ef2"', data: patch },
          { method: 'DELETE', path: '/Users/e9025315-6bea-44e1-899c-1e07454e468b', version: 'W/"0ee8add0a938e1a"' },
        ],
        { failOnErrors: 1 },
      ),
    );
    expect(parsed.failOnErrors).toBe(1);
    expect(parsed.operations.map(({ data: _data, ...op }) => op)).toEqual([
      { index: 0, method: 'POST', endpoint: 'Users', bulkId: 'qwerty' },
      { index: 1, method: 'PUT', endpoint: 'Users', id: 'b7c14771-226c-4d05-8860-134711653041', version: 'W/"3694e05e9dff591"' },
      { index: 2, method: 'PATCH', endpoint: 'Users', id: '5d8d29d3-342c-4b5f-8683-a3cb6763ffcc', version: 'W/"edac3253e2c0ef2"' },
      { index: 3, method: 'DELETE', endpoint: 'Users', id: 'e9025315-6bea-44e1-899c-1e07454e468b', version: 'W/"0ee8add0a938e1a"' },
    ]);
    expect(parsed.operations[2]?.data).toEqual(patch);
  });

  it('reads a path that refers to a bulkId (section 3.7.2: /Groups/bulkId:ytrewq)', () => {
    const parsed = parseBulkRequest(bulk([{ method: 'DELETE', path: '/Groups/bulkId:ytrewq' }]));
    expect(parsed.operations[0]).toEqual({ index: 0, method: 'DELETE', endpoint: 'Groups', id: 'bulkId:ytrewq' });
  });
});

describe('parseBulkRequest: the tolerances of the other messages', () => {
  it('takes keys, methods and resource types in any case, no schemas, a path without its slash or with a trailing one', () => {
    const parsed = parseBulkRequest({
      operations: [
        { Method: 'post', PATH: 'users', BulkId: 'a', DATA: { userName: 'x' } },
        { METHOD: 'Patch', path: '/GROUPS/g1/', data: { Operations: [] } },
        { method: ' delete ', path: '/Users/u%2F1' },
      ],
      FAILONERRORS: 3,
    });
    expect(parsed).toEqual({
      failOnErrors: 3,
      operations: [
        { index: 0, method: 'POST', endpoint: 'Users', bulkId: 'a', data: { userName: 'x' } },
        { index: 1, method: 'PATCH', endpoint: 'Groups', id: 'g1', data: { Operations: [] } },
        { index: 2, method: 'DELETE', endpoint: 'Users', id: 'u/1' },
      ],
    });
  });

  it('reads null as absent (failOnErrors, bulkId and version of a PATCH) and drops the data of a DELETE', () => {
    const parsed = parseBulkRequest(
      bulk(
        [
          { method: 'PATCH', path: '/Users/1', bulkId: null, version: null, data: {} },
          { method: 'DELETE', path: '/Users/2', data: { ignored: true } },
        ],
        { failOnErrors: null },
      ),
    );
    expect(parsed).toEqual({
      operations: [
        { index: 0, method: 'PATCH', endpoint: 'Users', id: '1', data: {} },
        { index: 1, method: 'DELETE', endpoint: 'Users', id: '2' },
      ],
    });
  });
});

describe('parseBulkRequest: a message refused as a whole', () => {
  it.each([
    ['not an object', [], 'invalidSyntax', /JSON object/],
    ['another message', { schemas: [PATCH_OP], Operations: [{}] }, 'invalidSyntax', /BulkRequest/],
    ['no Operations', { schemas: [BULK_REQUEST] }, 'invalidSyntax', /non-empty "Operations"/],
    ['empty Operations', bulk([]), 'invalidSyntax', /non-empty "Operations"/],
    ['an operation that is not an object', bulk(['POST']), 'invalidSyntax', /Operations\[0\] must be an object/],
  ])('%s: 400', (_label, body, scimType, detail) => {
    const got = refusal(body);
    expect(got).toMatchObject({ status: 400, scimType });
    expect(got.detail).toMatch(detail);
  });

  it('refuses more than maxOperations operations with 413 naming the limit (section 3.7.4)', () => {
    // The limit is the one /ServiceProviderConfig advertises; the e2e test checks the two agree.
    const ops = Array.from({ length: MAX_BULK_OPERATIONS + 1 }, (_, i) => ({ method: 'DELETE', path: `/Users/${i}` }));
    const got = refusal(bulk(ops));
    expect(got.status).toBe(413);
    expect(got.scimType).toBeUndefined();
    expect(got.detail).toContain(`${MAX_BULK_OPERATIONS + 1} operations`);
    expect(got.detail).toContain(`maxOperations (${MAX_BULK_OPERATIONS})`);
    expect(() => parseBulkRequest(bulk(ops.slice(0, MAX_BULK_OPERATIONS)))).not.toThrow();
  });

  it.each([
    ['GET', { method: 'GET', path: '/Users/1' }, /Operations\[1\]\.method "GET" must be POST, PUT, PATCH or DELETE/],
    ['no method', { path: '/Users/1' }, /Operations\[1\]\.method is missing/],
    ['a method that is not a string', { method: ['POST'], path: '/Users', bulkId: 'b', data: {} }, /Operations\[1\]\.method/],
    ['a POST without bulkId', { method: 'POST', path: '/Users', data: {} }, /Operations\[1\] is a POST without a bulkId/],
    ['an empty bulkId', { method: 'POST', path: '/Users', bulkId: ' ', data: {} }, /Operations\[1\]\.bulkId must be a non-empty string/],
    ['a numeric bulkId', { method: 'POST', path: '/Users', bulkId: 7, data: {} }, /Operations\[1\]\.bulkId/],
    ['a version that is not a string', { method: 'DELETE', path: '/Users/1', version: 3 }, /Operations\[1\]\.version must be an ETag/],
    ['a POST without data', { method: 'POST', path: '/Users', bulkId: 'b' }, /Operations\[1\] \(POST\) needs data: the resource/],
    ['a PUT with null data', { method: 'PUT', path: '/Users/1', data: null }, /Operations\[1\] \(PUT\) needs data/],
    ['a PATCH without data', { method: 'PATCH', path: '/Users/1' }, /Operations\[1\] \(PATCH\) needs data: the PatchOp/],
    ['no path', { method: 'DELETE' }, /Operations\[1\]\.path must be "\/Users\/\{id\}" or "\/Groups\/\{id\}"/],
    ['a POST to a resource', { method: 'POST', path: '/Users/1', bulkId: 'b', data: {} }, /not a path a POST takes/],
    ['a PUT to an endpoint', { method: 'PUT', path: '/Users', data: {} }, /not a path a PUT takes/],
    ['a DELETE of an empty id', { method: 'DELETE', path: '/Users//' }, /not a path a DELETE takes/],
    ['another resource type', { method: 'DELETE', path: '/Schemas/1' }, /not a path a DELETE takes/],
    ['a deeper path', { method: 'DELETE', path: '/Users/1/groups' }, /not a path a DELETE takes/],
    ['the prototype as a type', { method: 'DELETE', path: '/constructor/1' }, /not a path a DELETE takes/],
    ['a query', { method: 'DELETE', path: '/Users/1?attributes=id' }, /may not have a query or fragment/],
    ['a malformed escape', { method: 'DELETE', path: '/Users/%E0%A4%A' }, /malformed percent-encoding/],
  ])('%s: 400 invalidValue naming the operation', (_label, op, detail) => {
    const got = refusal(bulk([{ method: 'DELETE', path: '/Users/0' }, op]));
    expect(got).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(got.detail).toMatch(detail);
  });

  it('refuses a bulkId used twice, naming both operations (a reference to it would be ambiguous)', () => {
    const got = refusal(
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { userName: 'a' } },
        { method: 'DELETE', path: '/Users/1' },
        { method: 'PATCH', path: '/Users/2', bulkId: 'qwerty', data: {} },
      ]),
    );
    expect(got).toEqual({
      status: 400,
      scimType: 'invalidValue',
      detail: 'Operations[2].bulkId "qwerty" is Operations[0]\'s too: a bulkId must be unique within a bulk request.',
    });
  });

  it.each([0, -1, 1.5, '1', true, {}])('refuses failOnErrors %j (a whole number of 1 or more)', (failOnErrors) => {
    const got = refusal(bulk([{ method: 'DELETE', path: '/Users/1' }], { failOnErrors }));
    expect(got).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(got.detail).toMatch(/^failOnErrors must be a whole number of 1 or more/);
  });
});
