import { ScimError } from '../../shared/scim/messages/error';
import { compileFilter, matchesFilter, parseDateTime } from '../../shared/scim/filter/evaluate';
import { parseFilter } from '../../shared/scim/filter/parse';
import { buildRegistry } from '../../shared/scim/schemas/registry';

const { user, group } = buildRegistry();
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PROFILE = 'urn:ietf:params:scim:schemas:extension:example:2.0:Profile';

/** Adapted from RFC 7643 section 8.3 (full User representation with the enterprise extension). */
const bjensen = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'BJensen-701984',
  userName: 'bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen, III', familyName: "O'Malley", givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw' }],
  [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
  [PROFILE]: { postalAddress: { locality: 'Hollywood' } },
  meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z', version: 'W/"a330bc54f0671c9"' },
};

const intern = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'c75ad752-64ae-4823-840d-ffa80929976c',
  userName: 'jsmith',
  userType: 'Intern',
  emails: [{ value: 'jsmith@example.org', type: 'work' }],
  ims: [{ value: 'jsmith@foo.com', type: 'xmpp' }],
  meta: { resourceType: 'User', created: '2011-05-13T04:42:34Z', lastModified: '2011-05-13T06:42:34+02:00' },
};

const matches = (text: string, resource: Record<string, unknown> = bjensen): boolean => matchesFilter(parseFilter(text), resource, user);

function errorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw new Error(`expected a ScimError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an error');
}

describe('matchesFilter: RFC 7644 section 3.4.2.2 examples', () => {
  it.each<[string, boolean, boolean]>([
    ['userName eq "bjensen@example.com"', true, false],
    ['name.familyName co "O\'Malley"', true, false],
    ['userName sw "J"', false, true],
    ['userName sw "B"', true, false],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', false, true],
    ['title pr', true, false],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false, false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true, true],
    ['meta.created lt "2011-01-01T00:00:00Z"', true, false],
    ['title pr and userType eq "Employee"', true, false],
    ['title pr or userType eq "Intern"', true, true],
    ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', true, false],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true, false],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false, false],
    ['userType ne "Employee" and not (emails co "example.com")', false, true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true, false],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', true, true],
  ])('%s', (text, forBjensen, forIntern) => {
    expect(matches(text, bjensen)).toBe(forBjensen);
    expect(matches(text, intern)).toBe(forIntern);
  });
});

describe('matchesFilter: strings', () => {
  it('honours caseExact: userName is case-insensitive (Okta), id and externalId are case-exact', () => {
    const okta = { userName: 'test.user@okta.local', externalId: 'AbC', id: 'Id-1' };
    expect(matches('userName eq "TEST.USER@okta.local"', okta)).toBe(true);
    expect(matches('externalId eq "abc"', okta)).toBe(false);
    expect(matches('externalId eq "AbC"', okta)).toBe(true);
    expect(matches('id eq "id-1"', okta)).toBe(false);
    expect(matches('id sw "Id"', okta)).toBe(true);
    expect(matches('userName gt "TEST"', okta)).toBe(true);
    expect(matches('userName lt "TEST.USER@OKTA.LOCAM"', okta)).toBe(true);
    expect(matches('userName le "TEST.USER@OKTA.LOCAL"', okta)).toBe(true);
    expect(matches('userName ew "@OKTA.local"', okta)).toBe(true);
  });

  it('matches unquoted (Entra) values and coerces numbers for string attributes', () => {
    expect(matches('externalId eq BJensen-701984')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq 701984')).toBe(true);
    expect(
      matches('userName eq Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee', { userName: 'test_user_00aa00aa-bb11-cc22-dd33-44ee44ee44ee' }),
    ).toBe(true);
  });

  it('matches attribute names, URNs and resource keys case-insensitively', () => {
    expect(matches('USERNAME EQ "BJENSEN@EXAMPLE.COM"')).toBe(true);
    expect(matches('NAME.FAMILYNAME eq "o\'malley"')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DEPARTMENT eq "tour operations"')).toBe(true);
    expect(matches('userName eq "x"', { UserName: 'X' })).toBe(true);
    expect(matches(`${ENTERPRISE}:department pr`, { [ENTERPRISE.toLowerCase()]: { Department: 'x' } })).toBe(true);
  });

  it('reads extension attributes under their URN key only', () => {
    expect(matches(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(true);
    expect(matches(`${ENTERPRISE}:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(true);
    expect(matches(`${PROFILE}:postalAddress.locality eq "hollywood"`)).toBe(true);
    // The registry resolves unqualified extension names (core first); the top-level key is not read.
    expect(matches('department eq "Tour Operations"')).toBe(true);
    expect(matches('department eq "Tour Operations"', { department: 'Tour Operations' })).toBe(false);
    expect(matches(`${ENTERPRISE}:department eq "Tour Operations"`, { department: 'Tour Operations' })).toBe(false);
  });
});

describe('matchesFilter: multi-valued and complex attributes', () => {
  it('matches when any value does; without a sub-attribute it compares `value`', () => {
    expect(matches('emails eq "babs@jensen.org"')).toBe(true);
    expect(matches('emails.value eq "BABS@jensen.org"')).toBe(true);
    expect(matches('emails.type eq "home"')).toBe(true);
    expect(matches('emails.primary eq true')).toBe(true);
    expect(matches('emails.primary eq false')).toBe(false);
  });

  it('requires one element to satisfy the whole value filter', () => {
    expect(matches('emails[type eq "home" and value co "@example.com"]')).toBe(false);
    expect(matches('emails[type eq "home" and value co "@jensen.org"]')).toBe(true);
    expect(matches('emails[type eq "work"].value eq "bjensen@example.com"')).toBe(true);
    expect(matches('emails[type eq "home"].value eq "bjensen@example.com"')).toBe(false);
    expect(matches('emails[not (type eq "work")]')).toBe(true);
    expect(matches('emails[display pr]')).toBe(false);
    expect(matches('name[givenName eq "barbara"]')).toBe(true);
    expect(matches('emails[type eq "work"]', { emails: ['not an object', null] })).toBe(false);
  });

  it('treats schemas as a multi-valued, case-insensitive string', () => {
    expect(matches(`schemas eq "${ENTERPRISE.toUpperCase()}"`)).toBe(true);
    expect(matches('schemas ew ":User"', intern)).toBe(true);
    expect(matches(`schemas eq "${ENTERPRISE}"`, intern)).toBe(false);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:schemas pr', intern)).toBe(true);
  });

  it('compares binary values exactly, with eq and ne only', () => {
    expect(matches('x509Certificates.value eq "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw"')).toBe(true);
    expect(matches('x509Certificates eq "miidqzccaqygawibagiceaawdqyjkozihvcnaqefbqaw"')).toBe(false);
    expect(matches('x509Certificates ne "x"')).toBe(true);
    expect(errorOf(() => matches('x509Certificates.value co "MII"')).scimType).toBe('invalidFilter');
  });
});

describe('matchesFilter: pr, ne and null', () => {
  const sparse = { userName: 'u', title: '', nickName: null, emails: [], ims: [{ value: '' }], name: {}, addresses: [{ type: 'work' }] };

  it('treats undefined, null, "", [] and {} (and arrays/objects of those) as absent', () => {
    for (const a of ['title', 'nickName', 'emails', 'ims', 'name', 'displayName', 'ims.value'])
      expect(matches(`${a} pr`, sparse)).toBe(false);
    expect(matches('userName pr', sparse)).toBe(true);
    expect(matches('addresses pr', sparse)).toBe(true);
    expect(matches('addresses.type pr', sparse)).toBe(true);
    expect(matches('active pr', { active: false })).toBe(true);
  });

  it('reads ne as not eq, and eq null as absent', () => {
    expect(matches('title ne "x"', sparse)).toBe(true);
    expect(matches('title eq null', sparse)).toBe(true);
    expect(matches('title ne null', sparse)).toBe(false);
    expect(matches('userName eq null', sparse)).toBe(false);
    expect(matches('userName ne null', sparse)).toBe(true);
    expect(matches('emails.type ne "work"')).toBe(false);
    expect(matches('emails.type ne "other"')).toBe(true);
    expect(matches('active ne false')).toBe(true);
  });

  it('refuses attributes the schema does not define with 400 invalidFilter (whatever the operator), never an empty answer', () => {
    const r = { ...bjensen, nosuch: 'x' };
    for (const t of [
      'nosuch eq "x"',
      'nosuch pr',
      'nosuch ne "y"',
      'nosuch eq null',
      'name.nosuch pr',
      'nosuch[value pr]',
      'emails[nosuch eq "x"]',
      'urn:example:Nope:userName pr',
      'not (nosuch eq "x")',
      'userName eq "bjensen" or nosuch gt 3',
    ]) {
      expect(() => matches(t, r)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter' }));
    }
  });

  it('treats them as absent when searching several resource types (the other type defines them)', () => {
    const r = { ...bjensen, nosuch: 'x' };
    const absent = (t: string): boolean => compileFilter(parseFilter(t), user, { unknownAttributes: 'absent' })(r);
    for (const t of ['nosuch eq "x"', 'nosuch pr', 'nosuch ne null', 'name.nosuch pr', 'urn:example:Nope:userName pr', 'nosuch[value pr]'])
      expect({ t, matches: absent(t) }).toEqual({ t, matches: false });
    // Absent as an attribute the resource simply lacks: `ne` is `not eq`, `eq null` is `not pr`.
    for (const t of ['not (nosuch eq "x")', 'nosuch ne "y"', 'nosuch eq null', 'name.nosuch ne "y"', 'not (nosuch pr)'])
      expect({ t, matches: absent(t) }).toEqual({ t, matches: true });
    expect(absent('nosuch gt 3')).toBe(false);
    // The same answers as for a defined attribute the resource lacks.
    const lacking = (t: string): boolean => matches(t, { ...bjensen, nickName: undefined });
    for (const [a, b] of [
      ['nosuch ne "y"', 'nickName ne "y"'],
      ['nosuch eq null', 'nickName eq null'],
      ['nosuch pr', 'nickName pr'],
    ] as const)
      expect(absent(a)).toBe(lacking(b));
  });
});

describe('matchesFilter: dates, booleans and type errors', () => {
  it('compares dateTime chronologically, across offsets', () => {
    expect(matches('meta.lastModified eq "2011-05-13T04:42:34.000Z"', intern)).toBe(true);
    expect(matches('meta.lastModified eq "2011-05-13T04:42:34Z"', intern)).toBe(true);
    expect(matches('meta.lastModified lt "2011-05-13T06:00:00+01:00"', intern)).toBe(true);
    expect(matches('meta.created gt "2010-01-23"')).toBe(true);
    expect(matches('meta.created sw "2010-01"')).toBe(true);
    expect(matches('meta.created gt "2000-01-01T00:00:00Z"', { meta: { created: 'yesterday' } })).toBe(false);
  });

  it('parses ISO 8601 strictly', () => {
    expect(parseDateTime('2011-05-13T04:42:34Z')).toBe(Date.parse('2011-05-13T04:42:34Z'));
    expect(parseDateTime('2012-02-29T10:00:00.5-05:30')).toBe(Date.parse('2012-02-29T10:00:00.500-05:30'));
    expect(parseDateTime('0099-12-31T23:59:59Z')).toBe(Date.parse('0099-12-31T23:59:59Z'));
    for (const bad of ['2011-02-29', '2011-13-01', '2011-05-13T24:00:00Z', 'May 13, 2011', '2011-05-13T04:42:34+25:00', '']) {
      expect(parseDateTime(bad)).toBeUndefined();
    }
  });

  it('accepts booleans (and "true"/"false") for boolean attributes', () => {
    expect(matches('active eq true')).toBe(true);
    expect(matches('active eq "TRUE"')).toBe(true);
    expect(matches('active eq false', intern)).toBe(false);
    expect(matches('active ne true', intern)).toBe(true);
  });

  it.each([
    'active gt 3',
    'active eq 3',
    'active co "t"',
    'active gt true',
    'active eq "yes"',
    'meta.created gt "yesterday"',
    'meta.created eq 5',
    'meta.created co 5',
    'name eq "x"',
    'meta gt "x"',
    'userName[value eq "x"]',
    'emails.primary lt true',
  ])('refuses %j with 400 invalidFilter, whatever the resource', (text) => {
    const filter = parseFilter(text);
    for (const r of [bjensen, {}]) {
      const e = errorOf(() => matchesFilter(filter, r, user));
      expect(e.status).toBe(400);
      expect(e.scimType).toBe('invalidFilter');
    }
    expect(
      errorOf(() => compileFilter({ kind: 'or', left: { kind: 'present', path: { name: 'id' } }, right: filter }, user)).scimType,
    ).toBe('invalidFilter');
  });
});

describe('matchesFilter: Groups and purity', () => {
  it('evaluates Group filters', () => {
    const g = { displayName: 'Admins', members: [{ value: 'Abc', type: 'User' }] };
    expect(matchesFilter(parseFilter('members[value eq "Abc"]'), g, group)).toBe(true);
    expect(matchesFilter(parseFilter('members[value eq "abc"]'), g, group)).toBe(false);
    expect(matchesFilter(parseFilter('members.value eq "Abc" and displayName eq "admins"'), g, group)).toBe(true);
    expect(() => matchesFilter(parseFilter('userName pr'), g, group)).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
  });

  it('never changes the filter or the resource', () => {
    const deepFreeze = <T>(v: T): T => {
      if (typeof v === 'object' && v !== null) {
        Object.values(v).forEach(deepFreeze);
        Object.freeze(v);
      }
      return v;
    };
    const resource = deepFreeze(structuredClone(bjensen));
    const filter = deepFreeze(parseFilter('emails[type eq "work"] and not (title pr) or meta.created gt "2000-01-01"'));
    const before = JSON.stringify([resource, filter]);
    expect(matchesFilter(filter, resource, user)).toBe(true);
    expect(JSON.stringify([resource, filter])).toBe(before);
  });
});
