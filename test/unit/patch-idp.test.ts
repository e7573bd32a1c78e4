/**
 * The PATCH engine on the request bodies identity providers publish, one test per body
 * (test/fixtures/idp/*-patch-user-*.json; sources in /shared/IDP-NOTES.md: E1, E2 = Microsoft
 * Entra docs, O1 = Okta's SCIM 2.0 reference; scimsdk686 = Captain-P-Goldfish/SCIM-SDK#686,
 * scimpatch453 = thomaspoignant/scim-patch#453). Each is applied to the user the same provider
 * created, in stored form, and the whole resulting resource is checked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePatchOp, PATCH_OP_SCHEMA } from '../../shared/scim/messages/patch-op';
import { applyPatch } from '../../shared/scim/patch/apply';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../shared/scim/schemas/core';
import { buildRegistry } from '../../shared/scim/schemas/registry';

const rs = buildRegistry().user;
const ENT = ENTERPRISE_USER_SCHEMA;

type Json = Record<string, unknown>;

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../fixtures/idp', `${name}.json`), 'utf8'));

const FIXTURES = [
  'entra-patch-user-multivalued-e1',
  'entra-patch-user-username-e1',
  'entra-patch-user-disable-bool-e1',
  'entra-patch-user-disable-string-e2',
  'entra-patch-user-disable-bool-e2',
  'entra-patch-user-add-nickname-e2',
  'entra-patch-user-add-nickname-flag-e2',
  'entra-patch-user-replace-multiple-e2',
  'entra-patch-user-pathless-e2',
  'entra-patch-user-manager-e1',
  'entra-patch-user-manager-urn-e1',
  'entra-patch-user-manager-string-scimsdk686',
  'entra-patch-user-remove-manager-scimpatch453',
  'entra-patch-user-address-e1',
  'okta-patch-user-deactivate-o1',
];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Applies a fixture to a frozen copy of `resource` (any mutation of the input fails the test). */
const replay = (resource: Json, name: string, currentId?: string): ReturnType<typeof applyPatch> =>
  applyPatch(deepFreeze(structuredClone(resource)), parsePatchOp(fixture(name)), rs, currentId);

/** The user Entra's POST /Users (E1) leaves in the store. */
function entraUser(): Json {
  return {
    schemas: [USER_SCHEMA],
    externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
    active: true,
    emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  };
}

/** entraUser() with some top-level keys replaced. */
const entraUserWith = (changes: Json): Json => ({ ...entraUser(), ...changes });

/** The user Okta's POST /Users (O1) leaves in the store (password hashed apart, groups readOnly). */
function oktaUser(): Json {
  return {
    schemas: [USER_SCHEMA],
    userName: 'test.user@okta.local',
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    active: true,
  };
}

const MANAGER_ID = '00aa00aa-bb11-cc22-dd33-44ee44ee44ee';
const MANAGER_REF = 'http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee';

describe('PATCH fixtures', () => {
  it.each(FIXTURES)('%s is a PatchOp body', (name) => {
    const body = fixture(name) as { schemas?: unknown; Operations?: unknown };
    expect(body.schemas).toEqual([PATCH_OP_SCHEMA]);
    expect(Array.isArray(body.Operations) && body.Operations.length > 0).toBe(true);
  });
});

describe('Microsoft Entra ID PATCH bodies', () => {
  it('entra-patch-user-multivalued-e1: replaces the work email value and the family name', () => {
    expect(replay(entraUser(), 'entra-patch-user-multivalued-e1')).toStrictEqual({
      resource: entraUserWith({
        emails: [{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }],
        name: { formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' },
      }),
      changed: true,
    });
  });

  it('entra-patch-user-multivalued-e1: adds the work email when the user has none', () => {
    const start = entraUserWith({ emails: [{ type: 'home', value: 'home@testuser.com' }] });
    expect(replay(start, 'entra-patch-user-multivalued-e1')).toStrictEqual({
      resource: entraUserWith({
        emails: [
          { type: 'home', value: 'home@testuser.com' },
          { type: 'work', value: 'updatedEmail@microsoft.com' },
        ],
        name: { formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' },
      }),
      changed: true,
    });
  });

  it('entra-patch-user-username-e1: replaces userName', () => {
    expect(replay(entraUser(), 'entra-patch-user-username-e1')).toStrictEqual({
      resource: entraUserWith({ userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }),
      changed: true,
    });
  });

  it.each(['entra-patch-user-disable-bool-e1', 'entra-patch-user-disable-string-e2', 'entra-patch-user-disable-bool-e2'])(
    '%s: deactivates the user',
    (name) => {
      expect(replay(entraUser(), name)).toStrictEqual({ resource: entraUserWith({ active: false }), changed: true });
    },
  );

  it.each(['entra-patch-user-disable-bool-e1', 'entra-patch-user-disable-string-e2', 'entra-patch-user-disable-bool-e2'])(
    '%s: changes nothing on a user already inactive',
    (name) => {
      const inactive = entraUserWith({ active: false });
      expect(replay(inactive, name)).toStrictEqual({ resource: inactive, changed: false });
    },
  );

  it.each(['entra-patch-user-add-nickname-e2', 'entra-patch-user-add-nickname-flag-e2'])('%s: adds nickName', (name) => {
    expect(replay(entraUser(), name)).toStrictEqual({ resource: entraUserWith({ nickName: 'Babs' }), changed: true });
  });

  it('entra-patch-user-replace-multiple-e2: applies the six operations, the last into the enterprise extension', () => {
    expect(replay(entraUser(), 'entra-patch-user-replace-multiple-e2')).toStrictEqual({
      resource: entraUserWith({
        schemas: [USER_SCHEMA, ENT],
        displayName: 'Pvlo',
        emails: [{ primary: true, type: 'work', value: 'TestBcwqnm@test.microsoft.com' }],
        name: { formatted: 'givenName familyName', familyName: 'Pkqf', givenName: 'Gtfd' },
        externalId: 'Eqpj',
        [ENT]: { employeeNumber: 'Eqpj' },
      }),
      changed: true,
    });
  });

  it('entra-patch-user-pathless-e2: filtered replace, then path-less replace with dotted and URN keys', () => {
    expect(replay(entraUser(), 'entra-patch-user-pathless-e2')).toStrictEqual({
      resource: entraUserWith({
        schemas: [USER_SCHEMA, ENT],
        displayName: 'Bjfe',
        emails: [{ primary: true, type: 'work', value: 'TestMhvaes@test.microsoft.com' }],
        name: { formatted: 'givenName familyName', familyName: 'Unua', givenName: 'Kkom' },
        [ENT]: { employeeNumber: 'Aklq' },
      }),
      changed: true,
    });
  });

  it.each(['entra-patch-user-manager-e1', 'entra-patch-user-manager-urn-e1'])('%s: sets the manager from a one-element list', (name) => {
    expect(replay(entraUser(), name)).toStrictEqual({
      resource: entraUserWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { manager: { value: MANAGER_ID, $ref: MANAGER_REF } } }),
      changed: true,
    });
  });

  it.each(['entra-patch-user-manager-e1', 'entra-patch-user-manager-urn-e1'])(
    '%s: replaces a previous manager, keeping the other enterprise attributes',
    (name) => {
      const start = entraUserWith({
        schemas: [USER_SCHEMA, ENT],
        [ENT]: { department: 'Sales', manager: { value: 'old-manager', $ref: 'http://.../scim/Users/old-manager' } },
      });
      expect(replay(start, name)).toStrictEqual({
        resource: entraUserWith({
          schemas: [USER_SCHEMA, ENT],
          [ENT]: { department: 'Sales', manager: { value: MANAGER_ID, $ref: MANAGER_REF } },
        }),
        changed: true,
      });
    },
  );

  it('entra-patch-user-manager-string-scimsdk686: sets the manager from a plain id', () => {
    expect(replay(entraUser(), 'entra-patch-user-manager-string-scimsdk686')).toStrictEqual({
      resource: entraUserWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { manager: { value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' } } }),
      changed: true,
    });
  });

  it('entra-patch-user-remove-manager-scimpatch453: removes the manager it names', () => {
    const start = entraUserWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'Sales', manager: { value: 'manager-id' } } });
    expect(replay(start, 'entra-patch-user-remove-manager-scimpatch453')).toStrictEqual({
      resource: entraUserWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'Sales' } }),
      changed: true,
    });
  });

  it('entra-patch-user-remove-manager-scimpatch453: drops the extension when the manager was all it held', () => {
    const start = entraUserWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { manager: { value: 'manager-id' } } });
    expect(replay(start, 'entra-patch-user-remove-manager-scimpatch453')).toStrictEqual({ resource: entraUser(), changed: true });
  });

  it('entra-patch-user-remove-manager-scimpatch453: changes nothing when the user has another manager or none', () => {
    const other = entraUserWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { manager: { value: 'someone-else' } } });
    expect(replay(other, 'entra-patch-user-remove-manager-scimpatch453')).toStrictEqual({ resource: other, changed: false });
    expect(replay(entraUser(), 'entra-patch-user-remove-manager-scimpatch453')).toStrictEqual({ resource: entraUser(), changed: false });
  });

  it('entra-patch-user-address-e1: sets the street of the work address, keeping its other sub-attributes', () => {
    // The address the user in E1's "Disable User" response holds.
    const start = entraUserWith({ addresses: [{ country: 'ML', type: 'work', primary: true }] });
    expect(replay(start, 'entra-patch-user-address-e1')).toStrictEqual({
      resource: entraUserWith({ addresses: [{ country: 'ML', type: 'work', primary: true, streetAddress: '1 Microsoft Way' }] }),
      changed: true,
    });
  });

  it('entra-patch-user-address-e1: adds a work address when the user has none', () => {
    expect(replay(entraUser(), 'entra-patch-user-address-e1')).toStrictEqual({
      resource: entraUserWith({ addresses: [{ type: 'work', streetAddress: '1 Microsoft Way' }] }),
      changed: true,
    });
  });
});

describe('Okta PATCH bodies', () => {
  it('okta-patch-user-deactivate-o1: deactivates the user', () => {
    expect(replay(oktaUser(), 'okta-patch-user-deactivate-o1', '23a35c27-23d3-4c03-b4c5-6443c09e7173')).toStrictEqual({
      resource: { ...oktaUser(), active: false },
      changed: true,
    });
  });

  it('okta-patch-user-deactivate-o1: changes nothing on a user already inactive', () => {
    const inactive = { ...oktaUser(), active: false };
    expect(replay(inactive, 'okta-patch-user-deactivate-o1')).toStrictEqual({ resource: inactive, changed: false });
  });
});
