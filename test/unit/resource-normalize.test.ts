import { ScimError } from '../../shared/scim/messages/error';
import { coerceValue, normalizeResource } from '../../shared/scim/resource';
import { ENTERPRISE_USER, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER, USER_SCHEMA } from '../../shared/scim/schemas/core';
import { buildRegistry, findAttribute } from '../../shared/scim/schemas/registry';
import type { AttributeDefinition } from '../../shared/scim/schemas/types';
import entraCreateUser from '../fixtures/idp/entra-create-user-e1.json';
import entraCreateUserNulls from '../fixtures/idp/entra-create-user-nulls-e1.json';
import oktaCreateUser from '../fixtures/idp/okta-create-user-o1.json';

const registry = buildRegistry();
const PROFILE = 'urn:ietf:params:scim:schemas:extension:example:2.0:Profile';

const attribute = (list: readonly AttributeDefinition[], name: string): AttributeDefinition => {
  const found = findAttribute(list, name);
  if (!found) throw new Error(`no attribute ${name}`);
  return found;
};

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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const user = (body: unknown): ReturnType<typeof normalizeResource> => normalizeResource(body, registry.user);

describe('normalizeResource: identity provider create bodies', () => {
  it('normalises Entra ID POST /Users (E1): meta dropped, empty roles absent, no extension left', () => {
    expect(user(entraCreateUser)).toEqual({
      resource: {
        schemas: [USER_SCHEMA],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      },
    });
  });

  it('tolerates the Entra create with nulls and the typo URN (E1)', () => {
    const { resource, password } = user(entraCreateUserNulls);
    expect(password).toBeUndefined();
    expect(resource).toEqual({
      schemas: [USER_SCHEMA],
      externalId: 'jyoung',
      userName: 'jyoung',
      active: true,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      name: { familyName: 'Young', givenName: 'Joy' },
    });
  });

  it('normalises Okta POST /Users (O1): password split out, readOnly groups dropped', () => {
    expect(user(oktaCreateUser)).toEqual({
      resource: {
        schemas: [USER_SCHEMA],
        userName: 'test.user@okta.local',
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
        displayName: 'Test User',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        active: true,
      },
      password: '1mz050nq',
    });
  });

  it('never mutates its input', () => {
    const body = deepFreeze(structuredClone(oktaCreateUser));
    const before = structuredClone(body);
    user(body);
    expect(body).toEqual(before);
  });

  it('lists schemas first, then core attributes, then extensions', () => {
    const { resource } = user({ userName: 'a', [`${ENTERPRISE_USER_SCHEMA}:department`]: 'D' });
    expect(Object.keys(resource)).toEqual(['schemas', 'userName', ENTERPRISE_USER_SCHEMA]);
  });
});

describe('normalizeResource: names', () => {
  it('matches keys case-insensitively and writes canonical names', () => {
    const { resource } = user({
      SCHEMAS: ['whatever'],
      USERNAME: 'bjensen',
      NAME: { GIVENNAME: 'Barbara', familyname: 'Jensen' },
      Emails: [{ VALUE: 'b@example.com', Primary: 'True' }],
      'urn:IETF:params:scim:schemas:extension:ENTERPRISE:2.0:user': {
        EMPLOYEENUMBER: '701984',
        Manager: { VALUE: 'm1', $REF: '../Users/m1' },
      },
    });
    expect(resource).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ value: 'b@example.com', primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', manager: { value: 'm1', $ref: '../Users/m1' } },
    });
  });

  it('puts flattened extension attribute keys under the extension, core URN keys at the top', () => {
    const { resource } = user({
      'urn:ietf:params:scim:schemas:core:2.0:User:userName': 'bjensen',
      'urn:ietf:params:scim:schemas:core:2.0:user:NAME.givenName': 'Barbara',
      [`${ENTERPRISE_USER_SCHEMA}:department`]: 'Tour Operations',
      [`${ENTERPRISE_USER_SCHEMA.toUpperCase()}:manager.value`]: 'm1',
      [`${PROFILE}:postalAddress`]: { locality: 'Paris' },
    });
    expect(resource).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, PROFILE],
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
      [ENTERPRISE_USER_SCHEMA]: { department: 'Tour Operations', manager: { value: 'm1' } },
      [PROFILE]: { postalAddress: { locality: 'Paris' } },
    });
  });

  it('puts unqualified extension attribute names under the extension; the core schema wins', () => {
    const { resource } = user({ userName: 'a', department: 'D', manager: 'myuser', displayName: 'core', secondEmail: 'b@x' });
    expect(resource).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, PROFILE],
      userName: 'a',
      displayName: 'core',
      [ENTERPRISE_USER_SCHEMA]: { department: 'D', manager: { value: 'myuser' } },
      [PROFILE]: { secondEmail: 'b@x' },
    });
  });

  it('merges a flattened key into the object sent for the same extension', () => {
    const { resource } = user({
      userName: 'a',
      [ENTERPRISE_USER_SCHEMA]: { department: 'D' },
      [`${ENTERPRISE_USER_SCHEMA}:costCenter`]: 'C',
    });
    expect(resource[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'D', costCenter: 'C' });
  });

  it('drops unknown attributes, unknown sub-attributes and unknown schema URNs', () => {
    const { resource } = user({
      userName: 'a',
      favouriteColour: 'blue',
      name: { givenName: 'A', nickname: 'x' },
      'urn:example:unknown:2.0:Thing': { foo: 1 },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:department': 'D',
      [`${ENTERPRISE_USER_SCHEMA}:nope`]: 'x',
    });
    expect(resource).toEqual({ schemas: [USER_SCHEMA], userName: 'a', name: { givenName: 'A' } });
  });

  it('drops an extension that ends up empty', () => {
    const { resource } = user({ userName: 'a', [ENTERPRISE_USER_SCHEMA]: { department: null, manager: { displayName: 'Boss' } } });
    expect(resource).toEqual({ schemas: [USER_SCHEMA], userName: 'a' });
  });
});

describe('normalizeResource: readOnly, null and empty values', () => {
  it('drops readOnly attributes and sub-attributes', () => {
    const { resource } = user({
      id: 'client-chosen',
      meta: { resourceType: 'User', created: '2020-01-01T00:00:00Z' },
      userName: 'a',
      groups: [{ value: 'g1' }],
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm1', displayName: 'Boss' } },
    });
    expect(resource).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'a',
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm1' } },
    });
  });

  it('drops Group members.display (readOnly) and keeps value', () => {
    const { resource } = normalizeResource(
      {
        schemas: [GROUP_SCHEMA],
        displayName: 'Test SCIMv2',
        members: [{ value: 'u1', display: 'test.user@okta.local' }, { display: 'x' }],
      },
      registry.group,
    );
    expect(resource).toEqual({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [{ value: 'u1' }] });
  });

  it('treats an empty members list as absent (Okta push group)', () => {
    const { resource } = normalizeResource({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] }, registry.group);
    expect(resource).toEqual({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2' });
  });

  it('keeps empty strings as sent, drops nulls and empty lists, and null elements and sub-attributes', () => {
    const { resource } = user({
      userName: 'a',
      nickName: '',
      title: null,
      phoneNumbers: [],
      emails: [null, { value: 'a@x', type: null }, { type: null }],
      members: [{ $ref: null, value: 'x' }],
    });
    expect(resource).toEqual({ schemas: [USER_SCHEMA], userName: 'a', nickName: '', emails: [{ value: 'a@x' }] });
  });

  it('lets a later key differing only in case win', () => {
    expect(user({ userName: 'a', title: 'x', TITLE: null }).resource).toEqual({ schemas: [USER_SCHEMA], userName: 'a' });
  });
});

describe('normalizeResource: coercion', () => {
  it('accepts "True"/"False" and booleans for boolean attributes', () => {
    expect(user({ userName: 'a', active: 'False' }).resource.active).toBe(false);
    expect(user({ userName: 'a', active: 'TRUE' }).resource.active).toBe(true);
    expect(user({ userName: 'a', active: false }).resource.active).toBe(false);
  });

  it('turns numbers and booleans into strings for string attributes', () => {
    const { resource } = user({ userName: 12345, [ENTERPRISE_USER_SCHEMA]: { employeeNumber: 701984, costCenter: true } });
    expect(resource.userName).toBe('12345');
    expect(resource[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '701984', costCenter: 'true' });
  });

  it('accepts a string manager as { value }', () => {
    const { resource } = user({ userName: 'a', [ENTERPRISE_USER_SCHEMA]: { manager: 'myuser' } });
    expect(resource[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'myuser' } });
  });

  it('unwraps a one-element array sent for the single-valued manager (Entra PATCH shape)', () => {
    const { resource } = user({ userName: 'a', [ENTERPRISE_USER_SCHEMA]: { manager: [{ $ref: 'http://x/Users/m', value: 'm' }] } });
    expect(resource[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { $ref: 'http://x/Users/m', value: 'm' } });
  });

  it('wraps a single value sent for a multi-valued attribute', () => {
    expect(user({ userName: 'a', emails: { value: 'a@x', primary: 'true' } }).resource.emails).toEqual([{ value: 'a@x', primary: true }]);
  });

  it('rejects two primary values with invalidValue', () => {
    const error = scimErrorOf(() =>
      user({
        userName: 'a',
        emails: [
          { value: 'a@x', primary: true },
          { value: 'b@x', primary: 'True' },
        ],
      }),
    );
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error.message).toMatch(/emails/);
  });

  it('allows one primary among several values', () => {
    const emails = [
      { value: 'a@x', primary: true },
      { value: 'b@x', primary: false },
    ];
    expect(user({ userName: 'a', emails }).resource.emails).toEqual(emails);
  });

  it.each([
    [{ userName: 'a', active: 'yes' }, 'active'],
    [{ userName: 'a', displayName: { text: 'x' } }, 'displayName'],
    [{ userName: 'a', name: 'Barbara Jensen' }, 'name'],
    [{ userName: 'a', name: { givenName: ['B'] } }, 'name.givenName'],
    [{ userName: 'a', emails: ['a@x'] }, 'emails'],
    [{ userName: 'a', emails: [{ value: { address: 'a@x' } }] }, 'emails.value'],
    [{ userName: 'a', title: ['x'] }, 'title'],
    [{ userName: 'a', [ENTERPRISE_USER_SCHEMA]: { department: { name: 'x' } } }, `${ENTERPRISE_USER_SCHEMA}:department`],
    [{ userName: 'a', [ENTERPRISE_USER_SCHEMA]: 'x' }, ENTERPRISE_USER_SCHEMA],
  ])('rejects a type mismatch with invalidValue naming the path (%#)', (body, path) => {
    const error = scimErrorOf(() => user(body));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error.message).toContain(path);
  });

  it('coerces integers, decimals and dateTimes (used by the PATCH engine and configured extensions)', () => {
    const int: AttributeDefinition = { ...attribute(USER.attributes, 'userName'), name: 'n', type: 'integer', required: false };
    const dec: AttributeDefinition = { ...int, type: 'decimal' };
    const when: AttributeDefinition = { ...int, type: 'dateTime' };
    expect(coerceValue('42', int, 'n')).toBe(42);
    expect(coerceValue(-7, int, 'n')).toBe(-7);
    expect(coerceValue(' 1.5e2 ', dec, 'n')).toBe(150);
    expect(coerceValue(0.25, dec, 'n')).toBe(0.25);
    expect(coerceValue('2011-08-01T21:32:44.882Z', when, 'n')).toBe('2011-08-01T21:32:44.882Z');
    expect(coerceValue('2011-08-01T18:32:44+03:00', when, 'n')).toBe('2011-08-01T18:32:44+03:00');
    for (const [value, def] of [
      ['4.2', int],
      [4.2, int],
      ['x', dec],
      [true, int],
      ['yesterday', when],
      ['2011-13-45T99:00:00Z', when],
      [1312233164, when],
    ] as const) {
      expect(scimErrorOf(() => coerceValue(value, def, 'n'))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    }
  });

  it('coerceValue returns undefined for absent values and handles complex attributes alone', () => {
    const manager = attribute(ENTERPRISE_USER.attributes, 'manager');
    const emails = attribute(USER.attributes, 'emails');
    expect(coerceValue(null, manager, 'manager')).toBeUndefined();
    expect(coerceValue([], emails, 'emails')).toBeUndefined();
    expect(coerceValue({ displayName: 'x' }, manager, 'manager')).toBeUndefined();
    expect(coerceValue({ VALUE: 'a@x', TYPE: 'work' }, emails, 'emails')).toEqual([{ value: 'a@x', type: 'work' }]);
    expect(coerceValue('m', manager, 'manager')).toEqual({ value: 'm' });
  });

  it('does not enforce canonicalValues', () => {
    expect(user({ userName: 'a', emails: [{ value: 'a@x', type: 'Work Email' }] }).resource.emails).toEqual([
      { value: 'a@x', type: 'Work Email' },
    ]);
  });
});

describe('normalizeResource: required attributes and syntax', () => {
  it.each([null, 'text', 42, [{ userName: 'a' }]])('rejects a body that is not an object (%p) with invalidSyntax', (body) => {
    expect(scimErrorOf(() => user(body))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
  });

  it.each([{}, { userName: null }, { userName: '' }, { userName: '  ' }, { username: [] }])('requires userName (%p)', (body) => {
    const error = scimErrorOf(() => user({ name: { givenName: 'x' }, ...body }));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue', message: 'userName is required' });
  });

  it('requires Group displayName', () => {
    const error = scimErrorOf(() => normalizeResource({ schemas: [GROUP_SCHEMA], members: [] }, registry.group));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue', message: 'displayName is required' });
  });

  it('returns a password sent as a number as a string, and nothing when it is null', () => {
    expect(user({ userName: 'a', PASSWORD: 1234 })).toEqual({ resource: { schemas: [USER_SCHEMA], userName: 'a' }, password: '1234' });
    expect(user({ userName: 'a', password: null })).toEqual({ resource: { schemas: [USER_SCHEMA], userName: 'a' } });
  });
});
