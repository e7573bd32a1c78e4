import { parseAttributeList, projectResource, type ScimResource } from '../../shared/scim/resource';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../shared/scim/schemas/core';
import { buildRegistry } from '../../shared/scim/schemas/registry';

const registry = buildRegistry();
const PROFILE = 'urn:ietf:params:scim:schemas:extension:example:2.0:Profile';

const meta = {
  resourceType: 'User',
  created: '2026-01-01T10:00:00.000Z',
  lastModified: '2026-01-02T10:00:00.000Z',
  location: 'https://scim.example.com/scim/v2/Users/2819c223',
  version: 'W/"3"',
};

const stored: ScimResource = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, PROFILE],
  id: '2819c223',
  externalId: 'bjensen-ext',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  password: 'must never leave',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  groups: [{ value: 'g1', display: 'Tour Guides', type: 'direct', $ref: 'https://scim.example.com/scim/v2/Groups/g1' }],
  meta,
  [ENTERPRISE_USER_SCHEMA]: {
    employeeNumber: '701984',
    department: 'Tour Operations',
    manager: { value: 'm1', displayName: 'John Smith' },
  },
  [PROFILE]: { secondEmail: 'b2@example.com' },
};

const user = (options: Parameters<typeof projectResource>[2] = {}): ScimResource => projectResource(stored, registry.user, options);

describe('projectResource: defaults', () => {
  it('returns every default attribute, always attributes and schemas, never the password', () => {
    const { password: _password, ...expected } = stored;
    expect(user()).toEqual(expected);
    expect(user()).not.toHaveProperty('password');
  });

  it('returns the readOnly groups attribute by default', () => {
    expect(user().groups).toEqual(stored.groups);
  });

  it('never returns the password, even when asked for', () => {
    expect(user({ attributes: ['password', 'userName'] })).toEqual({ schemas: [USER_SCHEMA], id: '2819c223', userName: 'bjensen' });
  });

  it('never mutates its input and shares no nested objects with it', () => {
    const before = structuredClone(stored);
    const out = user();
    (out.emails as { value: string }[])[0]!.value = 'changed';
    (out.name as Record<string, unknown>).givenName = 'changed';
    expect(stored).toEqual(before);
  });

  it('drops keys that no schema defines and recomputes schemas', () => {
    const out = projectResource({ ...stored, schemas: ['bogus'], internalVersion: 7, 'urn:example:unknown': { a: 1 } }, registry.user, {});
    expect(out).not.toHaveProperty('internalVersion');
    expect(out).not.toHaveProperty(['urn:example:unknown']);
    expect(out.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, PROFILE]);
  });
});

describe('projectResource: attributes', () => {
  it('attributes=userName returns id, schemas and userName only', () => {
    expect(user({ attributes: ['userName'] })).toEqual({ schemas: [USER_SCHEMA], id: '2819c223', userName: 'bjensen' });
  });

  it('matches names case-insensitively and ignores unknown ones', () => {
    expect(user({ attributes: ['USERNAME', 'nope', 'name.nope', 'a.b.c'] })).toEqual({
      schemas: [USER_SCHEMA],
      id: '2819c223',
      userName: 'bjensen',
    });
  });

  it('returns the defaults when attributes names nothing known', () => {
    expect(user({ attributes: ['nope'] })).toEqual(user());
  });

  it('emails.value keeps only value in each email', () => {
    expect(user({ attributes: ['emails.value'] })).toEqual({
      schemas: [USER_SCHEMA],
      id: '2819c223',
      emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
    });
  });

  it('name.givenName and meta.lastModified keep those sub-attributes', () => {
    expect(user({ attributes: ['Name.GivenName', 'meta.lastModified'] })).toEqual({
      schemas: [USER_SCHEMA],
      id: '2819c223',
      name: { givenName: 'Barbara' },
      meta: { lastModified: meta.lastModified },
    });
  });

  it('accepts URN-qualified core and extension attributes', () => {
    expect(
      user({
        attributes: [`${USER_SCHEMA}:userName`, `${ENTERPRISE_USER_SCHEMA}:manager`, `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:department`],
      }),
    ).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: '2819c223',
      userName: 'bjensen',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Tour Operations', manager: { value: 'm1', displayName: 'John Smith' } },
    });
    expect(user({ attributes: [`${ENTERPRISE_USER_SCHEMA}:manager.value`] })).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: '2819c223',
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm1' } },
    });
  });

  it('an extension URN alone names the whole extension', () => {
    expect(user({ attributes: [ENTERPRISE_USER_SCHEMA] })).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: '2819c223',
      [ENTERPRISE_USER_SCHEMA]: stored[ENTERPRISE_USER_SCHEMA],
    });
  });

  it('resolves an unqualified name the core schema lacks in the extensions (registry tolerance)', () => {
    expect(user({ attributes: ['department', 'manager.value'] })).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: '2819c223',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Tour Operations', manager: { value: 'm1' } },
    });
  });
});

describe('projectResource: excludedAttributes', () => {
  it('excludedAttributes=emails leaves out emails only', () => {
    const { password: _password, emails: _emails, ...expected } = stored;
    expect(user({ excludedAttributes: ['emails'] })).toEqual(expected);
  });

  it('cannot exclude always attributes (id)', () => {
    expect(user({ excludedAttributes: ['id', 'schemas'] })).toMatchObject({ id: '2819c223', schemas: stored.schemas });
  });

  it('excludes sub-attributes, extension attributes and whole extensions', () => {
    const out = user({ excludedAttributes: ['emails.type', 'meta', `${ENTERPRISE_USER_SCHEMA}:manager`, PROFILE] });
    expect(out.emails).toEqual([{ value: 'bjensen@example.com', primary: true }, { value: 'babs@jensen.org' }]);
    expect(out).not.toHaveProperty('meta');
    expect(out[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '701984', department: 'Tour Operations' });
    expect(out).not.toHaveProperty([PROFILE]);
    expect(out.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  it('excludedAttributes=members on a Group (Entra)', () => {
    const group = { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Tour Guides', members: [{ value: 'u1', display: 'bjensen' }], meta };
    expect(projectResource(group, registry.group, { excludedAttributes: ['members'] })).toEqual({
      schemas: [GROUP_SCHEMA],
      id: 'g1',
      displayName: 'Tour Guides',
      meta,
    });
  });

  it('omits an empty members list (an empty multi-valued attribute is unassigned, RFC 7643 section 2.5)', () => {
    const group = { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Tour Guides', members: [] };
    expect(projectResource(group, registry.group, {})).toEqual({ schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Tour Guides' });
  });

  it('applies excludedAttributes after attributes when both are given', () => {
    expect(user({ attributes: ['name'], excludedAttributes: ['name.familyName'] })).toEqual({
      schemas: [USER_SCHEMA],
      id: '2819c223',
      name: { givenName: 'Barbara' },
    });
  });
});

describe('parseAttributeList', () => {
  it('splits on commas and trims', () => {
    expect(parseAttributeList(' userName, emails.value ,, name ')).toEqual(['userName', 'emails.value', 'name']);
    expect(parseAttributeList(`${ENTERPRISE_USER_SCHEMA}:manager`)).toEqual([`${ENTERPRISE_USER_SCHEMA}:manager`]);
  });

  it.each([undefined, '', ' ', ' , '])('gives undefined for %p', (raw) => {
    expect(parseAttributeList(raw)).toBeUndefined();
  });
});
