/**
 * The PATCH engine (RFC 7644 section 3.5.2) on the User resource type: add, replace and remove with
 * and without a path, value filters, URN-qualified paths and keys, the dialects identity providers
 * send (op in any case, booleans as strings, manager as a string or a list), atomicity and errors.
 * Every success case checks the whole result: the resource in stored form, `changed`, and `password`.
 */
import { ScimError, type ScimType } from '../../shared/scim/messages/error';
import { parsePatchOp, PATCH_OP_SCHEMA } from '../../shared/scim/messages/patch-op';
import { applyPatch as applyParsed } from '../../shared/scim/patch/apply';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../shared/scim/schemas/core';
import { buildRegistry } from '../../shared/scim/schemas/registry';

const rs = buildRegistry().user;
const ENT = ENTERPRISE_USER_SCHEMA;
const PROFILE = 'urn:ietf:params:scim:schemas:extension:example:2.0:Profile';

type Json = Record<string, unknown>;

/** A PatchOp body holding the given operations. */
const body = (...operations: unknown[]): Json => ({ schemas: [PATCH_OP_SCHEMA], Operations: operations });

/** A stored user (the form applyPatch receives: no id, no meta). */
function storedUser(): Json {
  return {
    schemas: [USER_SCHEMA, ENT],
    userName: 'bjensen@example.com',
    externalId: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Barbara Jensen' },
    displayName: 'Babs Jensen',
    nickName: 'Babs',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', country: 'USA', primary: true }],
    [ENT]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'm-1' } },
  };
}

/** A minimal stored user, without extension. */
const plainUser = (extra: Json = {}): Json => ({ schemas: [USER_SCHEMA], userName: 'plain', ...extra });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Parses a PatchOp body (as the SCIM function does) and applies it. */
const applyPatch = (resource: Json, patchBody: unknown, schema = rs, currentId?: string): ReturnType<typeof applyParsed> =>
  applyParsed(resource, parsePatchOp(patchBody), schema, currentId);

/** Applies a patch to a frozen copy of `resource` (so any mutation of the input fails the test). */
const patch = (resource: Json, patchBody: unknown, currentId?: string): ReturnType<typeof applyPatch> =>
  applyPatch(deepFreeze(structuredClone(resource)), patchBody, rs, currentId);

/** The ScimError a call throws (fails the test when it throws nothing or something else). */
function scimErrorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

const errorOf = (resource: Json, patchBody: unknown, currentId?: string): { status: number; scimType: ScimType | undefined } => {
  const error = scimErrorOf(() => patch(resource, patchBody, currentId));
  return { status: error.status, scimType: error.scimType };
};

/** storedUser() with some top-level keys replaced (undefined deletes) and the enterprise object replaced. */
function expectedUser(changes: Json, enterprise?: Json | null): Json {
  const user = storedUser();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete user[key];
    else user[key] = value;
  }
  if (enterprise === null) {
    delete user[ENT];
    user.schemas = [USER_SCHEMA];
  } else if (enterprise !== undefined) {
    user[ENT] = enterprise;
  }
  return user;
}

describe('applyPatch: add', () => {
  it('adds a single-valued attribute with a path', () => {
    expect(patch(plainUser(), body({ op: 'add', path: 'nickName', value: 'Babs' }))).toStrictEqual({
      resource: plainUser({ nickName: 'Babs' }),
      changed: true,
    });
  });

  it('replaces the value of a single-valued attribute that exists', () => {
    expect(patch(storedUser(), body({ op: 'add', path: 'nickName', value: 'Barb' }))).toStrictEqual({
      resource: expectedUser({ nickName: 'Barb' }),
      changed: true,
    });
  });

  it('appends a value to a multi-valued attribute', () => {
    expect(patch(storedUser(), body({ op: 'add', path: 'emails', value: [{ value: 'b@other.org', type: 'other' }] }))).toStrictEqual({
      resource: expectedUser({
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'babs@jensen.org', type: 'home' },
          { value: 'b@other.org', type: 'other' },
        ],
      }),
      changed: true,
    });
  });

  it('wraps a single object added to a multi-valued attribute', () => {
    expect(patch(plainUser(), body({ op: 'add', path: 'phoneNumbers', value: { value: '555-555-8377', type: 'work' } }))).toStrictEqual({
      resource: plainUser({ phoneNumbers: [{ value: '555-555-8377', type: 'work' }] }),
      changed: true,
    });
  });

  it('merges the sub-attributes given for a single-valued complex attribute', () => {
    expect(patch(storedUser(), body({ op: 'add', path: 'name', value: { middleName: 'Jane' } }))).toStrictEqual({
      resource: expectedUser({ name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Barbara Jensen', middleName: 'Jane' } }),
      changed: true,
    });
  });

  it('adds a sub-attribute by a dotted path', () => {
    expect(patch(plainUser(), body({ op: 'add', path: 'name.givenName', value: 'Barbara' }))).toStrictEqual({
      resource: plainUser({ name: { givenName: 'Barbara' } }),
      changed: true,
    });
  });

  it('adds without a path: each key of the value is an attribute (plain, dotted, URN-qualified)', () => {
    const result = patch(
      plainUser(),
      body({ op: 'add', value: { title: 'Tour Guide', 'name.familyName': 'Jensen', [`${ENT}:costCenter`]: '4130' } }),
    );
    expect(result).toStrictEqual({
      resource: {
        schemas: [USER_SCHEMA, ENT],
        userName: 'plain',
        title: 'Tour Guide',
        name: { familyName: 'Jensen' },
        [ENT]: { costCenter: '4130' },
      },
      changed: true,
    });
  });

  it('adds to an extension that the resource did not have yet (URN-qualified path)', () => {
    expect(patch(plainUser(), body({ op: 'add', path: `${PROFILE}:mobilePhone`, value: '+1 555 0100' }))).toStrictEqual({
      resource: { schemas: [USER_SCHEMA, PROFILE], userName: 'plain', [PROFILE]: { mobilePhone: '+1 555 0100' } },
      changed: true,
    });
  });

  it('treats the add of an email that already exists as a no-op', () => {
    const result = patch(
      storedUser(),
      body({ op: 'add', path: 'emails', value: [{ value: 'bjensen@example.com', type: 'work', primary: true }] }),
    );
    expect(result).toStrictEqual({ resource: storedUser(), changed: false });
  });

  it('clears the old primary when a new primary email is added', () => {
    const result = patch(
      storedUser(),
      body({ op: 'add', path: 'emails', value: [{ value: 'barbara@new.example', type: 'other', primary: true }] }),
    );
    expect(result).toStrictEqual({
      resource: expectedUser({
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: false },
          { value: 'babs@jensen.org', type: 'home' },
          { value: 'barbara@new.example', type: 'other', primary: true },
        ],
      }),
      changed: true,
    });
  });

  it('accepts op in upper case ("ADD")', () => {
    expect(patch(plainUser(), body({ op: 'ADD', path: 'title', value: 'Tour Guide' }))).toStrictEqual({
      resource: plainUser({ title: 'Tour Guide' }),
      changed: true,
    });
  });
});

describe('applyPatch: replace', () => {
  it('replaces a single-valued attribute with a path', () => {
    expect(patch(storedUser(), body({ op: 'replace', path: 'displayName', value: 'Barbara J.' }))).toStrictEqual({
      resource: expectedUser({ displayName: 'Barbara J.' }),
      changed: true,
    });
  });

  it('accepts op in mixed case ("Replace", as Entra sends it)', () => {
    expect(patch(storedUser(), body({ op: 'Replace', path: 'title', value: 'Tour Lead' }))).toStrictEqual({
      resource: expectedUser({ title: 'Tour Lead' }),
      changed: true,
    });
  });

  it('replaces all values of a multi-valued attribute when no filter is given', () => {
    expect(
      patch(storedUser(), body({ op: 'replace', path: 'emails', value: [{ value: 'only@example.com', type: 'work' }] })),
    ).toStrictEqual({
      resource: expectedUser({ emails: [{ value: 'only@example.com', type: 'work' }] }),
      changed: true,
    });
  });

  it('replaces a sub-attribute by a dotted path', () => {
    expect(patch(storedUser(), body({ op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' }))).toStrictEqual({
      resource: expectedUser({ name: { givenName: 'Barbara', familyName: 'Jensen-Smith', formatted: 'Barbara Jensen' } }),
      changed: true,
    });
  });

  // RFC 7644 section 3.5.2.3: "If the target location specifies a complex attribute, a set of
  // sub-attributes SHALL be specified in the "value" parameter, which replaces any existing values or
  // adds where an attribute did not previously exist. Sub-attributes that are not specified in the
  // "value" parameter are left unchanged."
  it.each([
    ['with path "name"', { op: 'replace', path: 'name', value: { givenName: 'Babs' } }],
    ['without a path', { op: 'replace', value: { name: { givenName: 'Babs' } } }],
  ])('leaves the sub-attributes not given unchanged when replacing a complex attribute %s (RFC 7644 3.5.2.3)', (_label, operation) => {
    expect(patch(storedUser(), body(operation))).toStrictEqual({
      resource: expectedUser({ name: { givenName: 'Babs', familyName: 'Jensen', formatted: 'Barbara Jensen' } }),
      changed: true,
    });
  });

  it('replaces a path qualified with the core schema URN', () => {
    expect(patch(storedUser(), body({ op: 'replace', path: `${USER_SCHEMA}:name.givenName`, value: 'Babs' }))).toStrictEqual({
      resource: expectedUser({ name: { givenName: 'Babs', familyName: 'Jensen', formatted: 'Barbara Jensen' } }),
      changed: true,
    });
  });

  it('treats the replace of an attribute that has no value as an add', () => {
    expect(patch(plainUser(), body({ op: 'replace', path: 'title', value: 'Tour Guide' }))).toStrictEqual({
      resource: plainUser({ title: 'Tour Guide' }),
      changed: true,
    });
  });

  it('replaces without a path, with dotted keys and URN-qualified keys', () => {
    const result = patch(
      storedUser(),
      body({
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          [`${ENT}:employeeNumber`]: 'Aklq',
          [`${ENT}:department`]: 'Finance',
        },
      }),
    );
    expect(result).toStrictEqual({
      resource: expectedUser(
        { displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua', formatted: 'Barbara Jensen' } },
        { employeeNumber: 'Aklq', department: 'Finance', manager: { value: 'm-1' } },
      ),
      changed: true,
    });
  });

  it('replaces without a path, with an extension URN as the key of an object value', () => {
    const result = patch(storedUser(), body({ op: 'replace', value: { [ENT]: { department: 'Finance', costCenter: '4130' } } }));
    expect(result).toStrictEqual({
      resource: expectedUser({}, { employeeNumber: '701984', department: 'Finance', costCenter: '4130', manager: { value: 'm-1' } }),
      changed: true,
    });
  });

  it('creates the extension from an extension URN key when the resource had none', () => {
    expect(patch(plainUser(), body({ op: 'replace', value: { [ENT]: { department: 'Finance' } } }))).toStrictEqual({
      resource: { schemas: [USER_SCHEMA, ENT], userName: 'plain', [ENT]: { department: 'Finance' } },
      changed: true,
    });
  });

  it('replaces a URN-qualified extension attribute (department)', () => {
    expect(patch(storedUser(), body({ op: 'replace', path: `${ENT}:department`, value: 'Finance' }))).toStrictEqual({
      resource: expectedUser({}, { employeeNumber: '701984', department: 'Finance', manager: { value: 'm-1' } }),
      changed: true,
    });
  });

  it('reads an unqualified extension attribute name as the extension attribute (department)', () => {
    expect(patch(plainUser(), body({ op: 'replace', path: 'department', value: 'Finance' }))).toStrictEqual({
      resource: { schemas: [USER_SCHEMA, ENT], userName: 'plain', [ENT]: { department: 'Finance' } },
      changed: true,
    });
  });

  it.each([
    ['False', false],
    ['false', false],
    ['True', true],
    ['TRUE', true],
  ])('reads the string %j as the boolean %j', (text, bool) => {
    const start = storedUser();
    start.active = !bool;
    expect(patch(start, body({ op: 'Replace', path: 'active', value: text }))).toStrictEqual({
      resource: expectedUser({ active: bool }),
      changed: true,
    });
  });

  it('reads a string boolean in a path-less value', () => {
    expect(patch(storedUser(), body({ op: 'replace', value: { active: 'False' } }))).toStrictEqual({
      resource: expectedUser({ active: false }),
      changed: true,
    });
  });

  it("applies Okta's deactivate (path-less replace of active)", () => {
    expect(patch(storedUser(), body({ op: 'replace', value: { active: false } }))).toStrictEqual({
      resource: expectedUser({ active: false }),
      changed: true,
    });
  });

  it('accepts the resource id in a path-less value when it is the current id', () => {
    expect(patch(storedUser(), body({ op: 'replace', value: { id: 'user-1', displayName: 'B' } }), 'user-1')).toStrictEqual({
      resource: expectedUser({ displayName: 'B' }),
      changed: true,
    });
  });
});

describe('applyPatch: value-filtered paths', () => {
  it('replaces emails[type eq "work"].value when a work email exists, keeping its other sub-attributes', () => {
    expect(patch(storedUser(), body({ op: 'replace', path: 'emails[type eq "work"].value', value: 'b.jensen@example.com' }))).toStrictEqual(
      {
        resource: expectedUser({
          emails: [
            { value: 'b.jensen@example.com', type: 'work', primary: true },
            { value: 'babs@jensen.org', type: 'home' },
          ],
        }),
        changed: true,
      },
    );
  });

  it('adds {type: "work", value} for emails[type eq "work"].value when no work email exists', () => {
    const start = plainUser({ emails: [{ value: 'babs@jensen.org', type: 'home' }] });
    expect(patch(start, body({ op: 'replace', path: 'emails[type eq "work"].value', value: 'bjensen@example.com' }))).toStrictEqual({
      resource: plainUser({
        emails: [
          { value: 'babs@jensen.org', type: 'home' },
          { type: 'work', value: 'bjensen@example.com' },
        ],
      }),
      changed: true,
    });
  });

  it('adds the work email to a user without any email', () => {
    expect(patch(plainUser(), body({ op: 'add', path: 'emails[type eq "work"].value', value: 'bjensen@example.com' }))).toStrictEqual({
      resource: plainUser({ emails: [{ type: 'work', value: 'bjensen@example.com' }] }),
      changed: true,
    });
  });

  it('matches attribute names and caseExact=false values of the filter case-insensitively', () => {
    expect(patch(storedUser(), body({ op: 'Replace', path: 'Emails[Type eq "WORK"].Value', value: 'b.jensen@example.com' }))).toStrictEqual(
      {
        resource: expectedUser({
          emails: [
            { value: 'b.jensen@example.com', type: 'work', primary: true },
            { value: 'babs@jensen.org', type: 'home' },
          ],
        }),
        changed: true,
      },
    );
  });

  it('replaces addresses[type eq "work"].streetAddress, keeping the other sub-attributes', () => {
    expect(
      patch(storedUser(), body({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1 Microsoft Way' })),
    ).toStrictEqual({
      resource: expectedUser({
        addresses: [{ type: 'work', streetAddress: '1 Microsoft Way', locality: 'Hollywood', country: 'USA', primary: true }],
      }),
      changed: true,
    });
  });

  it('adds a work address for addresses[type eq "work"].streetAddress when none exists', () => {
    expect(
      patch(plainUser(), body({ op: 'Replace', path: 'addresses[type eq "work"].streetAddress', value: '1 Microsoft Way' })),
    ).toStrictEqual({
      resource: plainUser({ addresses: [{ type: 'work', streetAddress: '1 Microsoft Way' }] }),
      changed: true,
    });
  });

  // RFC 7644 section 3.5.2: "For multi-valued attributes, a PATCH operation that sets a value's
  // "primary" sub-attribute to "true" SHALL cause the server to automatically set "primary" to
  // "false" for any other values in the array."
  it.each(['replace', 'add'])('%s of emails[type eq "home"].primary = true clears the old primary (RFC 7644 3.5.2)', (op) => {
    expect(patch(storedUser(), body({ op, path: 'emails[type eq "home"].primary', value: true }))).toStrictEqual({
      resource: expectedUser({
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: false },
          { value: 'babs@jensen.org', type: 'home', primary: true },
        ],
      }),
      changed: true,
    });
  });
});

describe('applyPatch: manager', () => {
  const MANAGER_ID = '00aa00aa-bb11-cc22-dd33-44ee44ee44ee';
  const MANAGER_REF = `https://example.com/scim/Users/${MANAGER_ID}`;

  it('sets the manager from an object', () => {
    expect(patch(plainUser(), body({ op: 'add', path: 'manager', value: { value: MANAGER_ID, $ref: MANAGER_REF } }))).toStrictEqual({
      resource: { schemas: [USER_SCHEMA, ENT], userName: 'plain', [ENT]: { manager: { value: MANAGER_ID, $ref: MANAGER_REF } } },
      changed: true,
    });
  });

  it('sets the manager from a one-element list (URN-qualified path)', () => {
    const result = patch(plainUser(), body({ op: 'Add', path: `${ENT}:manager`, value: [{ $ref: MANAGER_REF, value: MANAGER_ID }] }));
    expect(result).toStrictEqual({
      resource: { schemas: [USER_SCHEMA, ENT], userName: 'plain', [ENT]: { manager: { value: MANAGER_ID, $ref: MANAGER_REF } } },
      changed: true,
    });
  });

  it('sets the manager from a plain id string', () => {
    expect(patch(plainUser(), body({ op: 'add', path: `${ENT}:manager`, value: MANAGER_ID }))).toStrictEqual({
      resource: { schemas: [USER_SCHEMA, ENT], userName: 'plain', [ENT]: { manager: { value: MANAGER_ID } } },
      changed: true,
    });
  });

  it('replaces the current manager by a plain id string', () => {
    expect(patch(storedUser(), body({ op: 'replace', path: 'manager', value: MANAGER_ID }))).toStrictEqual({
      resource: expectedUser({}, { employeeNumber: '701984', department: 'Tour Operations', manager: { value: MANAGER_ID } }),
      changed: true,
    });
  });

  it('replaces the current manager and its $ref by the list Entra sends', () => {
    const start = storedUser();
    start[ENT] = { manager: { value: 'm-1', $ref: 'https://example.com/scim/Users/m-1' } };
    expect(patch(start, body({ op: 'Add', path: 'manager', value: [{ $ref: MANAGER_REF, value: MANAGER_ID }] }))).toStrictEqual({
      resource: expectedUser({}, { manager: { value: MANAGER_ID, $ref: MANAGER_REF } }),
      changed: true,
    });
  });

  it('sets the manager id through a URN-qualified dotted key in a path-less value', () => {
    expect(patch(storedUser(), body({ op: 'replace', value: { [`${ENT}:manager.value`]: MANAGER_ID } }))).toStrictEqual({
      resource: expectedUser({}, { employeeNumber: '701984', department: 'Tour Operations', manager: { value: MANAGER_ID } }),
      changed: true,
    });
  });

  it('removes manager[value eq "m-1"]', () => {
    expect(patch(storedUser(), body({ op: 'remove', path: 'manager[value eq "m-1"]' }))).toStrictEqual({
      resource: expectedUser({}, { employeeNumber: '701984', department: 'Tour Operations' }),
      changed: true,
    });
  });

  it('removes the extension from the resource when the manager was its only attribute', () => {
    const start = plainUser({ schemas: [USER_SCHEMA, ENT], [ENT]: { manager: { value: 'm-1' } } });
    expect(patch(start, body({ op: 'remove', path: `${ENT}:manager[value eq "m-1"]` }))).toStrictEqual({
      resource: plainUser(),
      changed: true,
    });
  });

  it('leaves the manager alone when manager[value eq "x"] does not match', () => {
    expect(patch(storedUser(), body({ op: 'remove', path: 'manager[value eq "someone-else"]' }))).toStrictEqual({
      resource: storedUser(),
      changed: false,
    });
  });
});

describe('applyPatch: remove', () => {
  it('removes a single-valued attribute', () => {
    expect(patch(storedUser(), body({ op: 'remove', path: 'nickName' }))).toStrictEqual({
      resource: expectedUser({ nickName: undefined }),
      changed: true,
    });
  });

  it('removes a sub-attribute', () => {
    expect(patch(storedUser(), body({ op: 'Remove', path: 'name.formatted' }))).toStrictEqual({
      resource: expectedUser({ name: { givenName: 'Barbara', familyName: 'Jensen' } }),
      changed: true,
    });
  });

  it('removes every value of a multi-valued attribute', () => {
    expect(patch(storedUser(), body({ op: 'remove', path: 'emails' }))).toStrictEqual({
      resource: expectedUser({ emails: undefined }),
      changed: true,
    });
  });

  it('removes emails[type eq "home"]', () => {
    expect(patch(storedUser(), body({ op: 'remove', path: 'emails[type eq "home"]' }))).toStrictEqual({
      resource: expectedUser({ emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }] }),
      changed: true,
    });
  });

  it('leaves the attribute unassigned when a filtered remove takes its last value', () => {
    const start = plainUser({ emails: [{ value: 'babs@jensen.org', type: 'home' }] });
    expect(patch(start, body({ op: 'remove', path: 'emails[type eq "home"]' }))).toStrictEqual({ resource: plainUser(), changed: true });
  });

  it('is not an error, and changes nothing, when a filtered path matches nothing', () => {
    expect(patch(storedUser(), body({ op: 'remove', path: 'emails[type eq "other"]' }))).toStrictEqual({
      resource: storedUser(),
      changed: false,
    });
    expect(patch(plainUser(), body({ op: 'remove', path: 'phoneNumbers[type eq "fax"]' }))).toStrictEqual({
      resource: plainUser(),
      changed: false,
    });
  });

  it('is not an error to remove an attribute that has no value', () => {
    expect(patch(plainUser(), body({ op: 'remove', path: 'title' }))).toStrictEqual({ resource: plainUser(), changed: false });
  });

  it('removes a URN-qualified extension attribute (department)', () => {
    expect(patch(storedUser(), body({ op: 'remove', path: `${ENT}:department` }))).toStrictEqual({
      resource: expectedUser({}, { employeeNumber: '701984', manager: { value: 'm-1' } }),
      changed: true,
    });
  });

  it('removes exactly the values listed when remove has a value (Entra legacy form)', () => {
    expect(patch(storedUser(), body({ op: 'Remove', path: 'emails', value: [{ value: 'babs@jensen.org' }] }))).toStrictEqual({
      resource: expectedUser({ emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }] }),
      changed: true,
    });
  });
});

describe('applyPatch: several operations, atomicity, password', () => {
  it('applies the operations in order', () => {
    const result = patch(
      storedUser(),
      body(
        { op: 'replace', path: 'displayName', value: 'Temporary' },
        { op: 'remove', path: 'displayName' },
        { op: 'add', path: 'emails', value: [{ value: 'b@other.org', type: 'other' }] },
        { op: 'replace', path: 'emails[type eq "other"].value', value: 'barbara@other.org' },
        { op: 'remove', path: 'emails[type eq "home"]' },
        { op: 'add', path: 'displayName', value: 'Final' },
      ),
    );
    expect(result).toStrictEqual({
      resource: expectedUser({
        displayName: 'Final',
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'barbara@other.org', type: 'other' },
        ],
      }),
      changed: true,
    });
  });

  it('reports changed: false when the operations leave the resource as it was', () => {
    const result = patch(
      storedUser(),
      body({ op: 'replace', path: 'nickName', value: 'Other' }, { op: 'replace', path: 'nickName', value: 'Babs' }),
    );
    expect(result).toStrictEqual({ resource: storedUser(), changed: false });
  });

  it('throws and leaves the input untouched when a later operation fails', () => {
    const input = storedUser();
    const before = structuredClone(input);
    const error = scimErrorOf(() =>
      applyPatch(
        input,
        body(
          { op: 'replace', path: 'emails[type eq "work"].value', value: 'changed@example.com' },
          { op: 'replace', path: `${ENT}:department`, value: 'Changed' },
          { op: 'remove', path: 'name.givenName' },
          { op: 'replace', path: 'groups', value: [{ value: 'g-1' }] },
        ),
        rs,
      ),
    );
    expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: 'mutability' });
    expect(input).toStrictEqual(before);
  });

  it('throws and leaves the input untouched when normalisation of the result fails', () => {
    const input = storedUser();
    const before = structuredClone(input);
    const error = scimErrorOf(() =>
      applyPatch(input, body({ op: 'replace', path: 'nickName', value: 'Changed' }, { op: 'replace', path: 'userName', value: null }), rs),
    );
    expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: 'invalidValue' });
    expect(input).toStrictEqual(before);
  });

  it('returns a password set by PATCH apart from the resource', () => {
    expect(patch(storedUser(), body({ op: 'replace', path: 'password', value: 'x' }))).toStrictEqual({
      resource: storedUser(),
      password: 'x',
      changed: true,
    });
  });
});

describe('applyPatch: errors', () => {
  const expectError = (patchBody: unknown, scimType: ScimType, currentId?: string): void => {
    expect(errorOf(storedUser(), patchBody, currentId)).toEqual({ status: 400, scimType });
  };

  it.each([
    ['replace id', { op: 'replace', path: 'id', value: 'another-id' }],
    ['path-less id of another resource', { op: 'replace', value: { id: 'another-id', displayName: 'x' } }],
    ['replace meta', { op: 'replace', path: 'meta', value: { resourceType: 'Group' } }],
    ['replace meta.lastModified', { op: 'replace', path: 'meta.lastModified', value: '2024-01-01T00:00:00Z' }],
    ['remove meta', { op: 'remove', path: 'meta' }],
    ['add groups', { op: 'add', path: 'groups', value: [{ value: 'g-1' }] }],
    ['remove groups', { op: 'remove', path: 'groups' }],
    ['replace manager.displayName', { op: 'replace', path: 'manager.displayName', value: 'Boss' }],
    ['replace URN-qualified manager.displayName', { op: 'replace', path: `${ENT}:manager.displayName`, value: 'Boss' }],
  ])('rejects a change to a readOnly attribute (%s) with 400 mutability', (_label, operation) => {
    expectError(body(operation), 'mutability', 'user-1');
  });

  it.each([
    ['copy', { op: 'copy', from: 'nickName', path: 'displayName' }],
    ['move', { op: 'move', from: 'nickName', path: 'displayName' }],
    ['test', { op: 'test', path: 'nickName', value: 'Babs' }],
    ['missing op', { path: 'nickName', value: 'Babs' }],
  ])('rejects an unsupported op (%s) with 400 invalidValue', (_label, operation) => {
    expectError(body(operation), 'invalidValue');
  });

  it.each([
    ['no Operations', { schemas: [PATCH_OP_SCHEMA] }],
    ['an empty Operations list', { schemas: [PATCH_OP_SCHEMA], Operations: [] }],
    ['Operations not a list', { schemas: [PATCH_OP_SCHEMA], Operations: { op: 'add', path: 'nickName', value: 'x' } }],
    ['an operation that is not an object', { schemas: [PATCH_OP_SCHEMA], Operations: ['add'] }],
    ['a body that is null', null],
    ['a body that is a string', 'Operations'],
    ['a body that is a list', [{ op: 'add', path: 'nickName', value: 'x' }]],
    ['schemas without PatchOp', { schemas: [USER_SCHEMA], Operations: [{ op: 'add', path: 'nickName', value: 'x' }] }],
  ])('rejects %s with 400 invalidSyntax', (_label, patchBody) => {
    expectError(patchBody, 'invalidSyntax');
  });

  it.each(['foo', 'name.foo', 'emails[type eq "work"].foo', `${ENT}:foo`, 'urn:example:unknown:2.0:User:userName', USER_SCHEMA])(
    'rejects the unknown attribute path %j with 400 invalidPath',
    (path) => {
      expectError(body({ op: 'replace', path, value: 'x' }), 'invalidPath');
    },
  );

  it.each(['emails[type eq "work"', 'emails[type eq "work"]]', 'emails[type zz "work"]', 'emails[]', 'name..givenName', 'a b', ''])(
    'rejects the unparseable path %j with 400 invalidPath',
    (path) => {
      expectError(body({ op: 'replace', path, value: 'x' }), 'invalidPath');
    },
  );

  it('rejects a filtered replace that matches nothing and does not describe a new value with 400 noTarget', () => {
    expectError(body({ op: 'replace', path: 'emails[value co "@nowhere.example"].value', value: 'x@nowhere.example' }), 'noTarget');
  });

  it('rejects a filter on a single-valued complex attribute whose value does not match with 400 noTarget', () => {
    // name is single-valued: a non-matching filter names no value, and must not pass for a change.
    expectError(body({ op: 'replace', path: 'name[givenName eq "Other"].familyName', value: 'X' }), 'noTarget');
    expectError(body({ op: 'add', path: 'name[familyName eq "Smith"].middleName', value: 'X' }), 'noTarget');
    // A matching filter applies to the one value.
    const { resource } = patch(storedUser(), body({ op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'J' }));
    expect(resource.name).toEqual({ givenName: 'Barbara', familyName: 'J', formatted: 'Barbara Jensen' });
  });

  it('rejects a remove without a path with 400 noTarget', () => {
    expectError(body({ op: 'remove' }), 'noTarget');
    expectError(body({ op: 'Remove', value: { nickName: 'Babs' } }), 'noTarget');
  });

  it.each([
    ['an object for a boolean', { op: 'replace', path: 'active', value: { a: 1 } }],
    ['a word for a boolean', { op: 'replace', path: 'active', value: 'maybe' }],
    ['an object for a string', { op: 'replace', path: 'nickName', value: { a: 1 } }],
    ['a list for a single string', { op: 'replace', path: 'nickName', value: ['a', 'b'] }],
    ['a string for a complex attribute', { op: 'replace', path: 'name', value: 'Barbara Jensen' }],
    ['a non-object path-less value', { op: 'replace', value: 'Barbara' }],
    [
      'two primary emails',
      {
        op: 'replace',
        path: 'emails',
        value: [
          { value: 'a@x.org', primary: true },
          { value: 'b@x.org', primary: true },
        ],
      },
    ],
    ['an add without a value', { op: 'add', path: 'nickName' }],
  ])('rejects %s with 400 invalidValue', (_label, operation) => {
    expectError(body(operation), 'invalidValue');
  });

  it('refuses the removal of the required userName with 400 mutability (RFC 7644 3.5.2.2), and an empty one with 400 invalidValue', () => {
    expectError(body({ op: 'remove', path: 'userName' }), 'mutability');
    expectError(body({ op: 'remove', path: 'USERNAME' }), 'mutability');
    expectError(body({ op: 'replace', path: 'userName', value: '' }), 'invalidValue');
  });

  it('refuses a whole extension as the path with a value that is not an object of its attributes (400 invalidValue)', () => {
    expectError(body({ op: 'replace', path: ENT, value: 'x' }), 'invalidValue');
  });
});
