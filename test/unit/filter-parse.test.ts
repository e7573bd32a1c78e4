import { ScimError } from '../../shared/scim/messages/error';
import type { CompValue, Filter } from '../../shared/scim/filter/ast';
import { formatFilter, formatPatchPath } from '../../shared/scim/filter/format';
import { MAX_FILTER_LENGTH, parseAttrPath, parseFilter, parsePatchPath } from '../../shared/scim/filter/parse';
import { indexableEquality, memberEquality } from '../../shared/scim/filter/plan';
import { buildRegistry } from '../../shared/scim/schemas/registry';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const eq = (name: string, value: CompValue, sub?: string): Filter => ({
  kind: 'compare',
  path: sub === undefined ? { name } : { name, sub },
  op: 'eq',
  value,
});

function errorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw new Error(`expected a ScimError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an error');
}

describe('parseFilter: RFC 7644 section 3.4.2.2 examples', () => {
  it.each<[string, Filter]>([
    ['userName eq "bjensen"', eq('userName', 'bjensen')],
    ['name.familyName co "O\'Malley"', { kind: 'compare', path: { name: 'name', sub: 'familyName' }, op: 'co', value: "O'Malley" }],
    ['userName sw "J"', { kind: 'compare', path: { name: 'userName' }, op: 'sw', value: 'J' }],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
      { kind: 'compare', path: { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'userName' }, op: 'sw', value: 'J' },
    ],
    ['title pr', { kind: 'present', path: { name: 'title' } }],
    [
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
      { kind: 'compare', path: { name: 'meta', sub: 'lastModified' }, op: 'gt', value: '2011-05-13T04:42:34Z' },
    ],
    [
      'title pr and userType eq "Employee"',
      { kind: 'and', left: { kind: 'present', path: { name: 'title' } }, right: eq('userType', 'Employee') },
    ],
    [
      'title pr or userType eq "Intern"',
      { kind: 'or', left: { kind: 'present', path: { name: 'title' } }, right: eq('userType', 'Intern') },
    ],
    ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', eq('schemas', ENTERPRISE)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      {
        kind: 'and',
        left: eq('userType', 'Employee'),
        right: {
          kind: 'or',
          left: { kind: 'compare', path: { name: 'emails' }, op: 'co', value: 'example.com' },
          right: { kind: 'compare', path: { name: 'emails', sub: 'value' }, op: 'co', value: 'example.org' },
        },
      },
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      {
        kind: 'and',
        left: { kind: 'compare', path: { name: 'userType' }, op: 'ne', value: 'Employee' },
        right: {
          kind: 'not',
          filter: {
            kind: 'or',
            left: { kind: 'compare', path: { name: 'emails' }, op: 'co', value: 'example.com' },
            right: { kind: 'compare', path: { name: 'emails', sub: 'value' }, op: 'co', value: 'example.org' },
          },
        },
      },
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      {
        kind: 'and',
        left: eq('userType', 'Employee'),
        right: {
          kind: 'valuePath',
          path: { name: 'emails' },
          filter: {
            kind: 'and',
            left: eq('type', 'work'),
            right: { kind: 'compare', path: { name: 'value' }, op: 'co', value: '@example.com' },
          },
        },
      },
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      {
        kind: 'or',
        left: {
          kind: 'valuePath',
          path: { name: 'emails' },
          filter: {
            kind: 'and',
            left: eq('type', 'work'),
            right: { kind: 'compare', path: { name: 'value' }, op: 'co', value: '@example.com' },
          },
        },
        right: {
          kind: 'valuePath',
          path: { name: 'ims' },
          filter: {
            kind: 'and',
            left: eq('type', 'xmpp'),
            right: { kind: 'compare', path: { name: 'value' }, op: 'co', value: '@foo.com' },
          },
        },
      },
    ],
  ])('%s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
    expect(parseFilter(formatFilter(ast))).toStrictEqual(ast);
  });
});

describe('parseFilter: what identity providers send', () => {
  it('reads unquoted values as strings (Entra)', () => {
    expect(parseFilter('externalId eq jyoung')).toStrictEqual(eq('externalId', 'jyoung'));
    expect(parseFilter('userName eq Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee')).toStrictEqual(
      eq('userName', 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee'),
    );
    expect(parseFilter('userName eq jyoung@contoso.com and active eq TRUE')).toStrictEqual({
      kind: 'and',
      left: eq('userName', 'jyoung@contoso.com'),
      right: eq('active', true),
    });
  });

  it('reads true/false/null in any case and JSON numbers; other bare words stay strings', () => {
    expect(parseFilter('active eq False')).toStrictEqual(eq('active', false));
    expect(parseFilter('title eq NULL')).toStrictEqual(eq('title', null));
    expect(parseFilter('x eq -1.5e3')).toStrictEqual(eq('x', -1500));
    expect(parseFilter('x eq 0042')).toStrictEqual(eq('x', '0042'));
    expect(parseFilter('x eq truthy')).toStrictEqual(eq('x', 'truthy'));
    expect(parseFilter('x eq 12345678901234567890')).toStrictEqual(eq('x', '12345678901234567890'));
    expect(parseFilter('x eq -0')).toStrictEqual(eq('x', 0));
  });

  it('takes operators and keywords in any case, and extra whitespace', () => {
    const expected: Filter = {
      kind: 'or',
      left: eq('userName', 'a'),
      right: { kind: 'not', filter: { kind: 'present', path: { name: 'title' } } },
    };
    expect(parseFilter('  userName   EQ  "a"\tOR\nNOT(title PR)  ')).toStrictEqual(expected);
    expect(parseFilter('userName Eq "a" or not ( title pR )')).toStrictEqual(expected);
  });

  it('decodes JSON string escapes (Okta userName)', () => {
    expect(parseFilter('userName eq "TEST.USER@okta.local"')).toStrictEqual(eq('userName', 'TEST.USER@okta.local'));
    expect(parseFilter('displayName eq "a \\"b\\" \\\\ \\u00e9\\/\\n"')).toStrictEqual(eq('displayName', 'a "b" \\ é/\n'));
  });

  it('gives not > and > or precedence, left-associative', () => {
    const [a, b, c] = [eq('a', 1), eq('b', 2), eq('c', 3)];
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toStrictEqual({ kind: 'or', left: a, right: { kind: 'and', left: b, right: c } });
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toStrictEqual({ kind: 'or', left: { kind: 'and', left: a, right: b }, right: c });
    expect(parseFilter('a eq 1 and b eq 2 and c eq 3')).toStrictEqual({ kind: 'and', left: { kind: 'and', left: a, right: b }, right: c });
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toStrictEqual({ kind: 'and', left: { kind: 'or', left: a, right: b }, right: c });
    expect(formatFilter(parseFilter('a eq 1 and (b eq 2 and c eq 3)'))).toBe('a eq 1 and (b eq 2 and c eq 3)');
    expect(formatFilter(parseFilter('((a eq 1))'))).toBe('a eq 1');
  });

  it('splits URN-qualified paths at the last colon', () => {
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toStrictEqual({
      kind: 'compare',
      path: { uri: ENTERPRISE, name: 'manager', sub: 'value' },
      op: 'eq',
      value: '26118915-6090-4610-87e4-49d8ca9f808d',
    });
    expect(parseFilter('members.$ref pr')).toStrictEqual({ kind: 'present', path: { name: 'members', sub: '$ref' } });
  });

  it('reads `attr[filter].sub op value` as a condition on one element', () => {
    expect(formatFilter(parseFilter('emails[type eq "work"].value co "@x"'))).toBe('emails[type eq "work" and value co "@x"]');
  });
});

describe('parseFilter: errors are 400 invalidFilter with the position', () => {
  it.each<[string, RegExp]>([
    ['', /empty/],
    ['   ', /empty/],
    ['(userName eq "a"', /expected "\)" to close "\(" at position 1, found end of input/],
    ['userName eq "a")', /unexpected "\)".*position 16/],
    ['emails[type eq "work"', /expected "\]" to close "\["/],
    ['userName eq "abc', /unterminated string/],
    ['userName eq "a\\x"', /invalid escape/],
    ['userName eq "a\\u00g1"', /invalid escape/],
    ['userName xx "a"', /unknown operator "xx" at position 10/],
    ['userName eq', /expected a value after "eq", found end of input/],
    ['userName eq (', /expected a value after "eq", found "\("/],
    ['userName', /expected an operator after "userName"/],
    ['userName eq "a" "b"', /unexpected "\\"b\\""/],
    ['userName eq "a" and', /found end of input/],
    ['and userName eq "a"', /unknown operator "userName"/],
    ['emails[type[value pr]]', /nested "\["/],
    ['emails[type eq "a" and ims[value pr]]', /nested "\["/],
    ['name.familyName[value pr]', /cannot follow the sub-attribute/],
    ['name.familyName.x pr', /invalid attribute path "name.familyName.x"/],
    ['1abc pr', /invalid attribute path/],
    ['a:b pr', /invalid schema URI/],
    ['title gt null', /cannot compare with null/],
    ['x eq 1e999', /out of range/],
    ['"userName" eq "a"', /expected an attribute path/],
    [')', /expected an attribute path, "\(" or "not", found "\)"/],
    ['emails[type eq "work"] eq "x"', /unexpected "eq"/],
    ['emails[type eq "work"].1 eq "x"', /invalid sub-attribute/],
  ])('%j', (text, detail) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    expect(e.message).toMatch(detail);
  });

  it('caps the length and the nesting depth', () => {
    const long = `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`;
    expect(errorOf(() => parseFilter(long)).message).toMatch(/longer than 4096/);
    expect(errorOf(() => parseFilter(`${'('.repeat(51)}a pr${')'.repeat(51)}`)).message).toMatch(/nesting deeper than 50/);
    expect(errorOf(() => parseFilter(`${'not ('.repeat(60)}a pr${')'.repeat(60)}`)).scimType).toBe('invalidFilter');
    expect(parseFilter(`${'('.repeat(50)}a pr${')'.repeat(50)}`)).toStrictEqual({ kind: 'present', path: { name: 'a' } });
    const chain = Array.from({ length: 300 }, (_, i) => `a eq ${i}`).join(' or ');
    expect(formatFilter(parseFilter(chain))).toBe(chain);
  });

  it('refuses a value that is not a string', () => {
    expect(errorOf(() => parseFilter(undefined as unknown as string)).scimType).toBe('invalidFilter');
  });
});

describe('parsePatchPath', () => {
  it.each([
    ['name.givenName', { attr: { name: 'name', sub: 'givenName' } }],
    ['members', { attr: { name: 'members' } }],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
      { attr: { name: 'members' }, filter: eq('value', '2819c223-7f76-453a-919d-413861904646') },
    ],
    ['emails[type eq "work"].value', { attr: { name: 'emails' }, filter: eq('type', 'work'), subAfterFilter: 'value' }],
    ['addresses[type eq work].streetAddress', { attr: { name: 'addresses' }, filter: eq('type', 'work'), subAfterFilter: 'streetAddress' }],
    [`${ENTERPRISE}:manager`, { attr: { uri: ENTERPRISE, name: 'manager' } }],
    [`${ENTERPRISE}:manager.value`, { attr: { uri: ENTERPRISE, name: 'manager', sub: 'value' } }],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toStrictEqual(expected);
    expect(parsePatchPath(formatPatchPath(parsePatchPath(text)))).toStrictEqual(expected);
  });

  it.each([
    '',
    'emails[type eq "work"',
    'emails[type eq "work"]]',
    'emails[type eq "work"].value.display',
    'emails[type eq "work"] x',
    'emails[type eq "work"][value pr]',
    'name.givenName[value pr]',
    'emails[type[value pr]]',
    'emails[type xx "work"]',
    'userName eq "a"',
    '(userName)',
    'a.b.c',
  ])('refuses %j with 400 invalidPath', (text) => {
    const e = errorOf(() => parsePatchPath(text));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidPath');
    expect(e.message).toMatch(/^Invalid path: /);
  });
});

describe('parseAttrPath', () => {
  it('parses attribute paths and refuses value filters', () => {
    expect(parseAttrPath(' name.familyName ')).toStrictEqual({ name: 'name', sub: 'familyName' });
    expect(parseAttrPath(`${ENTERPRISE}:department`)).toStrictEqual({ uri: ENTERPRISE, name: 'department' });
    expect(errorOf(() => parseAttrPath('emails[type eq "work"]')).message).toMatch(/value filter is not allowed/);
    expect(errorOf(() => parseAttrPath('user name')).scimType).toBe('invalidFilter');
    expect(errorOf(() => parseAttrPath('x y', 'invalidValue')).scimType).toBe('invalidValue');
  });
});

describe('query planning', () => {
  const { user, group } = buildRegistry([]);
  const names = ['id', 'userName', 'externalId'];

  it('finds an indexable equality, preferring id, then userName, then externalId', () => {
    expect(indexableEquality(parseFilter('userName eq "bjensen"'), user, names)).toEqual({
      attribute: 'userName',
      value: 'bjensen',
      caseExact: false,
    });
    expect(indexableEquality(parseFilter('USERNAME Eq Bjensen'), user, names)).toMatchObject({ attribute: 'userName', value: 'Bjensen' });
    expect(indexableEquality(parseFilter('externalId eq 42 and title pr'), user, names)).toMatchObject({
      attribute: 'externalId',
      value: '42',
    });
    expect(indexableEquality(parseFilter('externalId eq "e" and userName eq "u" and id eq "i"'), user, names)).toMatchObject({
      attribute: 'id',
      value: 'i',
    });
    expect(indexableEquality(parseFilter('externalId eq "e" and (userName eq "u")'), user, names)).toMatchObject({ attribute: 'userName' });
    expect(indexableEquality(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "u"'), user, names)).toMatchObject({
      value: 'u',
    });
    expect(indexableEquality(parseFilter('displayName eq "g"'), group, ['id', 'displayName', 'externalId'])).toMatchObject({
      attribute: 'displayName',
    });
  });

  it('finds none when the filter does not pin an indexed attribute down', () => {
    for (const text of [
      'userName eq "a" or id eq "b"',
      'not (userName eq "a")',
      'userName ne "a"',
      'userName co "a"',
      'userName eq null',
      'userName eq true',
      'displayName eq "a"',
      'emails.value eq "a"',
      `${ENTERPRISE}:employeeNumber eq "1"`,
    ]) {
      expect(indexableEquality(parseFilter(text), user, names)).toBeUndefined();
    }
  });

  it('finds the member id of a Group filter', () => {
    expect(memberEquality(parseFilter('members[value eq "m1"]'))).toBe('m1');
    expect(memberEquality(parseFilter('members.value eq "m2"'))).toBe('m2');
    expect(memberEquality(parseFilter('displayName pr and Members[type eq "User" and VALUE eq "m3"]'))).toBe('m3');
    expect(memberEquality(parseFilter('urn:ietf:params:scim:schemas:core:2.0:Group:members.value eq "m4"'))).toBe('m4');
    expect(memberEquality(parseFilter('members[value ne "m1"]'))).toBeUndefined();
    expect(memberEquality(parseFilter('members[value eq "m1"] or displayName pr'))).toBeUndefined();
    expect(memberEquality(parseFilter('members.display eq "m1"'))).toBeUndefined();
  });
});
