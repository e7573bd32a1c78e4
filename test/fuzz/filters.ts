/**
 * SCIM filters (RFC 7644 section 3.4.2.2) from a small grammar, then mutated: unbalanced brackets,
 * deep nesting of parentheses and `not`, 10 KB strings, every operator with values of the wrong
 * type, unknown attributes, URN-qualified paths, `members[...]`, `groups.value`. Also PATCH paths
 * (section 3.5.2), which share the attribute-path grammar.
 */
import type { Rng } from './prng';
import { hostileNumberText, hostileString, UNICODE, uuid } from './values';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PROFILE = 'urn:ietf:params:scim:schemas:extension:example:2.0:Profile';

export type ResourceKind = 'User' | 'Group' | 'any';

const USER_ATTRS = [
  'userName',
  'name',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'displayName',
  'nickName',
  'title',
  'active',
  'externalId',
  'id',
  'password',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'phoneNumbers.value',
  'addresses.locality',
  'addresses',
  'x509Certificates.value',
  'roles.value',
  'groups',
  'groups.value',
  'groups.type',
  'groups.display',
  'meta.created',
  'meta.lastModified',
  'meta.resourceType',
  'meta.version',
  'meta.location',
  'meta',
  'schemas',
  `${CORE_USER}:userName`,
  `${CORE_USER}:name.givenName`,
  `${CORE_USER}:emails.value`,
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:manager`,
  `${PROFILE}:mobilePhone`,
  `${PROFILE}:postalAddress.locality`,
];
const GROUP_ATTRS = [
  'displayName',
  'members',
  'members.value',
  'members.type',
  'members.display',
  'members.$ref',
  'externalId',
  'id',
  'meta.created',
  'meta.lastModified',
  'meta.version',
  `${CORE_GROUP}:displayName`,
  `${CORE_GROUP}:members.value`,
];
const UNKNOWN_ATTRS = [
  'foo',
  'userNam',
  'emails.foo',
  'name.x',
  'a.b.c',
  'urn:bogus:x',
  'urn:ietf:params:scim:schemas:core:2.0:Nope:userName',
  `${CORE_GROUP}:displayName`,
  `${CORE_USER}:members`,
  '$ref',
  '__proto__',
  'constructor',
  'constructor.prototype',
  'toString',
  'hasOwnProperty',
  'Ünïcode',
  '1abc',
  '-x',
  'x-y_z',
  'emails[type eq "work"]',
  'emails..value',
  '.value',
  'value.',
  ':userName',
  'urn:',
];

export const COMPARE_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const BAD_OPS = ['EQ', 'Eq', '==', '=', 'like', 'in', 'regex', 'between', 'ex', '', 'eqq', 'and', 'or', 'not', 'pr'];

/** Attribute paths a filter or sortBy of this resource type may name (and some it may not). */
export function attrPath(rng: Rng, kind: ResourceKind): string {
  const known = kind === 'User' ? USER_ATTRS : kind === 'Group' ? GROUP_ATTRS : [...USER_ATTRS, ...GROUP_ATTRS];
  const name = rng.chance(0.2) ? rng.pick(UNKNOWN_ATTRS) : rng.pick(known);
  if (rng.chance(0.08)) return name.toUpperCase();
  return name;
}

/** A comparison value: of the right type, of the wrong type, or not a value at all. */
export function compValue(rng: Rng, ids: readonly string[]): string {
  return rng.weighted<() => string>([
    [4, () => JSON.stringify(rng.pick(['work', 'home', 'fz', 'example.com', '@', 'User', 'Group', 'direct', 'indirect', '']))],
    [2, () => JSON.stringify(ids.length ? rng.pick(ids) : uuid(rng))],
    [2, () => hostileNumberText(rng)],
    [2, () => rng.pick(['true', 'false', 'null', 'True', 'FALSE', 'Null'])],
    [2, () => JSON.stringify(rng.pick(['2020-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z', '2999-12-31T23:59:59Z']))],
    [1, () => JSON.stringify(rng.pick(['2020-13-45T99:99:99Z', 'not a date', '0000-00-00', '+275760-09-13T00:00:00.000Z']))],
    [2, () => JSON.stringify(hostileString(rng))],
    [1, () => `"${'x'.repeat(rng.pick([4096, 10_240]))}"`],
    [1, () => rng.pick(['jyoung', 'a@b.c', 'x/y', '~x', 'a-b', 'bare word', "'single'", '{', '}', ',', '\\u0000'])],
    [1, () => rng.pick(['"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"\\x41"', '"\\', '"unterminated', '"a\\"', '"\\u12"'])],
    [1, () => `"${rng.pick(UNICODE)}"`],
    [1, () => rng.pick(['[]', '{}', '[1,2]', '{"a":1}', '()', '[', ']'])],
  ])();
}

/** A filter expression of the grammar, up to `depth` levels of logical operators. */
export function filterExpr(rng: Rng, kind: ResourceKind, ids: readonly string[], depth = 3): string {
  const leaf = (): string =>
    rng.weighted<() => string>([
      [6, () => `${attrPath(rng, kind)} ${rng.pick(COMPARE_OPS)} ${compValue(rng, ids)}`],
      [2, () => `${attrPath(rng, kind)} pr`],
      [1, () => `${attrPath(rng, kind)} ${rng.pick(BAD_OPS)} ${compValue(rng, ids)}`],
      [1, () => `${attrPath(rng, kind)} ${rng.pick(COMPARE_OPS)}`],
      [2, () => membership(rng, kind, ids)],
      [2, () => `${rng.pick(kind === 'Group' ? ['members'] : ['emails', 'phoneNumbers', 'addresses', 'groups'])}[${leafInner(rng, ids)}]`],
      [1, () => `emails[type eq "work"].value ${rng.pick(COMPARE_OPS)} ${compValue(rng, ids)}`],
      [1, () => `${rng.pick(['userName', 'id', 'externalId'])} eq ${JSON.stringify(ids.length ? rng.pick(ids) : 'x')}`],
    ])();
  if (depth <= 0) return leaf();
  return rng.weighted<() => string>([
    [5, leaf],
    [2, () => `${filterExpr(rng, kind, ids, depth - 1)} and ${filterExpr(rng, kind, ids, depth - 1)}`],
    [2, () => `${filterExpr(rng, kind, ids, depth - 1)} or ${filterExpr(rng, kind, ids, depth - 1)}`],
    [1, () => `not (${filterExpr(rng, kind, ids, depth - 1)})`],
    [1, () => `not ${filterExpr(rng, kind, ids, depth - 1)}`],
    [1, () => `(${filterExpr(rng, kind, ids, depth - 1)})`],
    [1, () => `${rng.pick(['AND', 'Or', 'NOT'])} ${filterExpr(rng, kind, ids, depth - 1)}`],
  ])();
}

function leafInner(rng: Rng, ids: readonly string[]): string {
  return rng.pick([
    `value eq ${compValue(rng, ids)}`,
    `type eq ${compValue(rng, ids)}`,
    `value eq ${compValue(rng, ids)} and type eq "User"`,
    `primary eq true`,
    `display co "a"`,
    `value pr`,
    `not (value pr)`,
    `foo eq "x"`,
    `value eq "x"] and [type eq "y"`,
    `emails[value eq "x"]`,
    ``,
  ]);
}

/** The membership filters the README lists, and look-alikes it refuses. */
function membership(rng: Rng, kind: ResourceKind, ids: readonly string[]): string {
  const id = JSON.stringify(ids.length ? rng.pick(ids) : uuid(rng));
  const group = [
    `members pr`,
    `not (members pr)`,
    `members.value eq ${id}`,
    `members[value eq ${id}]`,
    `members[value eq ${id} and type eq "User"]`,
    `members[value eq ${id} and type eq "Group"]`,
    `members[value eq ${id} or type eq "User"]`,
    `members.value ne ${id}`,
    `members.display eq "x"`,
    `members[type eq "User"]`,
    `members eq ${id}`,
  ];
  const user = [
    `groups.value eq ${id}`,
    `groups[value eq ${id}]`,
    `groups[value eq ${id} and type eq "direct"]`,
    `groups[value eq ${id} and type eq "indirect"]`,
    `groups.value co ${id}`,
    `groups[display eq "x"]`,
    `groups pr`,
    `not (groups.value eq ${id})`,
  ];
  return rng.pick(kind === 'Group' ? group : kind === 'User' ? user : [...group, ...user]);
}

/** Mutates a filter text: what a buggy or hostile client sends. */
export function mutateFilter(rng: Rng, text: string): { text: string; shape: string } {
  const at = (): number => rng.int(0, text.length);
  return rng.weighted<() => { text: string; shape: string }>([
    [4, () => ({ text, shape: 'filter:grammar' })],
    [
      2,
      () => {
        const i = at();
        return {
          text: text.slice(0, i) + rng.pick(['(', ')', '[', ']', '"', '\\', ' ', 'not ', ' and ', '.', ':']) + text.slice(i),
          shape: 'filter:insert',
        };
      },
    ],
    [
      1,
      () => {
        const i = at();
        return { text: text.slice(0, i) + text.slice(i + rng.int(1, 5)), shape: 'filter:delete' };
      },
    ],
    [1, () => ({ text: text.slice(0, at()), shape: 'filter:truncated' })],
    [1, () => ({ text: `${'('.repeat(rng.int(1, 4))}${text}`, shape: 'filter:unbalanced-open' })],
    [1, () => ({ text: `${text}${')'.repeat(rng.int(1, 4))}`, shape: 'filter:unbalanced-close' })],
    [1, () => ({ text: `${text}]`, shape: 'filter:unbalanced-bracket' })],
    [
      1,
      () => ({ text: text.replace(/\b(eq|ne|co|sw|ew|gt|ge|lt|le)\b/, rng.pick(['EQ', 'eQ', 'eqx', '='])), shape: 'filter:operator-case' }),
    ],
    [
      1,
      () => {
        const n = rng.pick([49, 50, 51, 100, 1000, 5000]);
        return { text: `${'('.repeat(n)}${text}${')'.repeat(n)}`, shape: `filter:nested-parens(${n})` };
      },
    ],
    [
      1,
      () => {
        const n = rng.pick([49, 50, 51, 200, 2000]);
        return { text: `${'not ('.repeat(n)}${text}${')'.repeat(n)}`, shape: `filter:nested-not(${n})` };
      },
    ],
    [
      1,
      () => {
        const n = rng.pick([10, 50, 51, 500]);
        return { text: `${'emails['.repeat(n)}value pr${']'.repeat(n)}`, shape: `filter:nested-brackets(${n})` };
      },
    ],
    [
      1,
      () => {
        const n = rng.pick([60, 300, 1000]);
        return { text: Array.from({ length: n }, () => text).join(rng.pick([' and ', ' or '])), shape: `filter:long-chain(${n})` };
      },
    ],
    [1, () => ({ text: `userName eq "${'x'.repeat(rng.pick([4095, 4096, 10_240]))}"`, shape: 'filter:10KB-string' })],
    [1, () => ({ text: text.replace(/ /g, rng.pick(['\t', '\n', '\r\n', '  ', '\u00a0', '\u3000'])), shape: 'filter:odd-whitespace' })],
    [1, () => ({ text: `${text}\u0000`, shape: 'filter:nul' })],
  ])();
}

/** A filter for a list of this resource type, grammar-made then mutated. */
export function hostileFilter(rng: Rng, kind: ResourceKind, ids: readonly string[]): { text: string; shape: string } {
  return mutateFilter(rng, filterExpr(rng, kind, ids, rng.int(0, 3)));
}

/** A PATCH path: valid ones of the resource type, value filters, and garbage. */
export function patchPath(rng: Rng, kind: 'User' | 'Group', ids: readonly string[]): string {
  const id = JSON.stringify(ids.length ? rng.pick(ids) : uuid(rng));
  return rng.weighted<() => string>([
    [5, () => attrPath(rng, kind)],
    [
      3,
      () =>
        rng.pick(
          kind === 'Group'
            ? [
                `members[value eq ${id}]`,
                `members[value eq ${id}].display`,
                `members[type eq "User"]`,
                `members[value pr]`,
                'members',
                'members.value',
              ]
            : [
                'emails[type eq "work"].value',
                'emails[type eq "work"]',
                'emails[primary eq true].value',
                'emails[value eq "a@b.c"].type',
                'phoneNumbers[type eq "mobile"].value',
                'addresses[type eq "work"].locality',
                `${ENTERPRISE}:manager`,
                `${ENTERPRISE}:manager.value`,
                ENTERPRISE,
                PROFILE,
                `${PROFILE}:postalAddress.country`,
                'groups',
                `groups[value eq ${id}]`,
              ],
        ),
    ],
    [1, () => mutateFilter(rng, attrPath(rng, kind)).text],
    [
      2,
      () =>
        rng.pick([
          '',
          ' ',
          '[',
          ']',
          'emails[',
          'emails[type eq "work"',
          'emails]',
          'emails[].value',
          'emails[type eq "work"].value.x',
          'emails[type eq "work"][value eq "x"]',
          'name..givenName',
          'name.givenName.x',
          '.',
          ':',
          'urn:ietf:params:scim:schemas:core:2.0:User:',
          `${ENTERPRISE}:`,
          `${ENTERPRISE}:nope`,
          'meta.created',
          'meta',
          'id',
          'schemas',
          '__proto__',
          '__proto__.polluted',
          'constructor.prototype.polluted',
          'toString',
          'x'.repeat(10_240),
          `emails[${'('.repeat(200)}value pr${')'.repeat(200)}]`,
          'emails[value eq "\\ud800"].value',
          'members[value eq "a"] or members[value eq "b"]',
          '$ref',
          '"userName"',
          'userName eq "x"',
        ]),
    ],
  ])();
}
