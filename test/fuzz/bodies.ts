/**
 * Request bodies: users, groups, PatchOps and SearchRequests that start plausible and are then
 * broken (wrong types, missing required attributes, readOnly attributes, prototype keys, 1e400,
 * lone surrogates, huge arrays, deep nesting, every PATCH dialect of Entra ID and Okta), and raw
 * bodies that are not JSON or not an object at all.
 */
import type { Rng } from './prng';
import { hostileFilter, patchPath, type ResourceKind } from './filters';
import { hostileString, jsonText, obj, Raw, UNICODE, uuid } from './values';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export interface Body {
  readonly text: string | Buffer;
  readonly shape: string;
}

const deepArray = (n: number): Raw => new Raw(`${'['.repeat(n)}${']'.repeat(n)}`);
const deepObject = (n: number): Raw => new Raw(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);
const hugeArray = (n: number, item: string): Raw => new Raw(`[${Array.from({ length: n }, () => item).join(',')}]`);

/** A JSON value of the wrong type, or of no sane type at all. */
export function hostileValue(rng: Rng, ids: readonly string[]): unknown {
  return rng.weighted<() => unknown>([
    [3, () => rng.pick([null, true, false, 'False', 'True', 'false', 0, -1, 1.5, '', ' ', 'x'])],
    [
      2,
      () =>
        rng.pick([
          new Raw('1e400'),
          new Raw('-1e400'),
          new Raw('-0'),
          new Raw('1e-400'),
          new Raw('9007199254740993'),
          new Raw('123456789012345678901234567890'),
        ]),
    ],
    [3, () => hostileString(rng)],
    [2, () => rng.pick([[], [null], [[]], [{}], {}, [1, 'a', null], { value: null }, { value: {} }, { value: [] }])],
    [
      1,
      () => ({
        value: ids.length ? rng.pick(ids) : uuid(rng),
        type: rng.pick(['work', 'User', 'Group', 1, null]),
        primary: rng.pick([true, 'true', 1]),
      }),
    ],
    [
      2,
      () =>
        rng.pick([
          obj(['__proto__', { polluted: true }]),
          obj(['constructor', { prototype: { polluted: true } }]),
          obj(['toString', 1]),
          obj(['valueOf', 'x']),
          obj(['hasOwnProperty', null]),
          obj(['__proto__', null]),
          obj(['value', obj(['toString', {}])]),
          [obj(['__proto__', { value: 'x' }])],
        ]),
    ],
    [1, () => rng.pick([deepArray(10_000), deepObject(10_000), deepArray(1000), deepObject(200)])],
    [1, () => rng.pick([hugeArray(100_000, '0'), hugeArray(100_000, '"a"'), hugeArray(20_000, '{}'), hugeArray(5000, '{"value":"x"}')])],
    [1, () => new Raw(JSON.stringify(rng.pick(UNICODE)))],
  ])();
}

/** A user that the service should accept (before mutation). */
function plainUser(rng: Rng, ids: readonly string[]): Record<string, unknown> {
  const n = `${rng.u32().toString(36)}${rng.u32().toString(36)}`;
  return {
    schemas: rng.chance(0.5) ? [USER_SCHEMA, ENTERPRISE] : [USER_SCHEMA],
    userName: `fz-${n}@example.com`,
    externalId: `fz-x-${n}`,
    name: { givenName: 'Fuzz', familyName: n },
    displayName: `Fuzz ${n}`,
    active: rng.pick([true, false]),
    emails: [{ value: `fz-${n}@example.com`, type: 'work', primary: true }],
    ...(rng.chance(0.5)
      ? { [ENTERPRISE]: { employeeNumber: n, department: 'QA', ...(ids.length ? { manager: { value: rng.pick(ids) } } : {}) } }
      : {}),
  };
}

const USER_KEYS = [
  'userName',
  'name',
  'displayName',
  'active',
  'externalId',
  'emails',
  'phoneNumbers',
  'addresses',
  'x509Certificates',
  'password',
  'title',
  'roles',
  'schemas',
  ENTERPRISE,
  'urn:ietf:params:scim:schemas:extension:example:2.0:Profile',
  'groups',
  'meta',
  'id',
  'nickName',
  'profileUrl',
  'locale',
  'timezone',
];

/** Sets an own, enumerable property, whatever its name (`__proto__` included). */
function own(r: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(r, key, { value, enumerable: true, configurable: true, writable: true });
}

/** Breaks a resource in one of many ways; returns what it did. */
function mutateResource(rng: Rng, r: Record<string, unknown>, keys: readonly string[], ids: readonly string[]): string {
  return rng.weighted<() => string>([
    [6, () => ((r[rng.pick(keys)] = hostileValue(rng, ids)), 'wrong-type')],
    [
      2,
      () => {
        const key = rng.pick(['userName', 'displayName', 'schemas']);
        delete r[key];
        return `missing-${key}`;
      },
    ],
    [2, () => ((r[rng.pick(['userName', 'displayName', 'externalId'])] = hostileString(rng)), 'hostile-string')],
    [
      2,
      () =>
        rng.pick([
          () => (
            (r.schemas = rng.pick([
              [],
              ['urn:bogus'],
              'urn:x',
              [1],
              [null],
              [GROUP_SCHEMA],
              [USER_SCHEMA.toUpperCase()],
              [{}],
              [obj(['toString', 1])],
            ])),
            'schemas'
          ),
          () => ((r.id = rng.pick([uuid(rng), '', 1, null, 'x'.repeat(2000)])), 'readOnly-id'),
          () => ((r.meta = rng.pick([{ created: 'x', resourceType: 'Group' }, 'meta', { version: 'W/"1"' }, null])), 'readOnly-meta'),
          () => ((r.groups = [{ value: ids.length ? rng.pick(ids) : uuid(rng), display: 'x' }]), 'readOnly-groups'),
          () => ((r[`${USER_SCHEMA}:userName`] = hostileString(rng)), 'urn-key'),
          () => ((r[rng.pick(['USERNAME', 'UserName', 'Emails', 'SCHEMAS'])] = hostileValue(rng, ids)), 'key-case'),
          () => ((r[ENTERPRISE.toUpperCase()] = { department: 'x' }), 'extension-case'),
          () => ((r['urn:ietf:params:scim:schemas:extension:unknown:2.0:User'] = { a: 1 }), 'unknown-extension'),
        ])(),
    ],
    [
      2,
      () =>
        rng.pick([
          () => (own(r, '__proto__', { polluted: true }), 'proto-key'),
          () => (own(r, 'constructor', { prototype: { polluted: true } }), 'constructor-key'),
          () => (own(r, 'toString', 1), 'toString-key'),
          () => (own(r, 'hasOwnProperty', 'x'), 'hasOwnProperty-key'),
          () => ((r.name = obj(['__proto__', { givenName: 'x' }])), 'nested-proto-key'),
        ])(),
    ],
    [
      1,
      () => (
        (r.emails = rng.pick([hugeArray(100_000, '{}'), hugeArray(20_000, '{"value":"a@b.c"}'), hugeArray(100_000, '0')])),
        'huge-array'
      ),
    ],
    [1, () => ((r.name = rng.pick([deepObject(10_000), deepArray(10_000), deepObject(100)])), 'deep-nesting')],
    [1, () => ((r.active = rng.pick(['False', 'True', 'false', 'yes', 0, 1])), 'entra-string-boolean')],
    [1, () => ((r.userName = new Raw(rng.pick(['"\\ud800"', '"\\udfff"', '"a\\u0000b"', '"\\ud83d\\ude00"', '1e400']))), 'escapes')],
    [1, () => ((r.extra = Array.from({ length: rng.int(1, 5) }, () => hostileValue(rng, ids))), 'unknown-attribute')],
  ])();
}

export function userBody(rng: Rng, ids: readonly string[]): Body {
  const r = plainUser(rng, ids);
  const shapes: string[] = [];
  const n = rng.weighted([
    [2, 0],
    [5, 1],
    [2, 2],
    [1, 4],
  ] as const);
  for (let i = 0; i < n; i++) shapes.push(mutateResource(rng, r, USER_KEYS, ids));
  return { text: jsonText(r), shape: `user:${shapes.join('+') || 'plain'}` };
}

export function groupBody(rng: Rng, ids: readonly string[], userIds: readonly string[]): Body {
  const n = `${rng.u32().toString(36)}${rng.u32().toString(36)}`;
  const r: Record<string, unknown> = {
    schemas: [GROUP_SCHEMA],
    displayName: `fz-g-${n}`,
    ...(rng.chance(0.3) ? { externalId: `fz-gx-${n}` } : {}),
    members: rng.some(userIds, 0, 3).map((value) => ({ value })),
  };
  const shapes: string[] = [];
  const mutations = rng.weighted([
    [2, 0],
    [5, 1],
    [2, 2],
  ] as const);
  for (let i = 0; i < mutations; i++) {
    shapes.push(
      rng.weighted<() => string>([
        [5, () => mutateResource(rng, r, ['displayName', 'members', 'externalId', 'schemas', 'id', 'meta'], ids)],
        [
          3,
          () =>
            rng.pick([
              () => ((r.members = [{ value: uuid(rng) }]), 'members:unknown-id'),
              () => (
                (r.members = [{ value: ids.length ? rng.pick(ids) : uuid(rng), type: rng.pick(['User', 'Group', 'Robot', 1]) }]),
                'members:type'
              ),
              () => ((r.members = [{ value: hostileString(rng) }]), 'members:hostile-value'),
              () => ((r.members = [{ display: 'no value' }, { $ref: 'http://x/Users/1' }]), 'members:no-value'),
              () => (
                (r.members = rng.pick(ids.length ? [Array.from({ length: 300 }, () => ({ value: rng.pick(ids) }))] : [[]])),
                'members:duplicates'
              ),
              () => ((r.members = hugeArray(rng.pick([100_000, 60_000]), '{"value":"x"}')), 'members:huge'),
              () => ((r.members = { value: ids.length ? rng.pick(ids) : 'x' }), 'members:object'),
              () => ((r.members = [ids.length ? rng.pick(ids) : 'x']), 'members:bare-string'),
            ])(),
        ],
      ])(),
    );
  }
  return { text: jsonText(r), shape: `group:${shapes.join('+') || 'plain'}` };
}

/** A PUT body for an owned resource: the resource as it could be, with readOnly attributes and breakage. */
export function replaceBody(rng: Rng, kind: 'User' | 'Group', selfId: string, ids: readonly string[], userIds: readonly string[]): Body {
  const base = kind === 'User' ? userBody(rng, ids) : groupBody(rng, ids, userIds);
  if (!rng.chance(0.5) || Buffer.isBuffer(base.text) || !base.text.startsWith('{') || !base.text.endsWith('}')) return base;
  const extra = rng.pick([
    { id: rng.pick([selfId, uuid(rng), selfId.toUpperCase()]), shape: 'readOnly:id' },
    {
      meta: { resourceType: kind === 'User' ? 'Group' : 'User', created: '1970-01-01T00:00:00Z', version: 'W/"0"' },
      shape: 'readOnly:meta',
    },
    { groups: [{ value: ids.length ? rng.pick(ids) : uuid(rng), type: 'direct' }], shape: 'readOnly:groups' },
    { members: [{ value: selfId }], shape: 'members:self' },
    { members: [{ value: selfId, type: 'Group' }], shape: 'members:self-typed' },
    { password: rng.pick(['x', '', 'p'.repeat(100_000), null, 1]), shape: 'password' },
  ]);
  const { shape, ...attrs } = extra;
  // Appended as text (the body may be 10,000 levels deep): a key the body already has is sent twice.
  const added = jsonText(attrs).slice(1, -1);
  const text = base.text === '{}' ? `{${added}}` : `${base.text.slice(0, -1)},${added}}`;
  return { text, shape: `${base.shape}+${shape}` };
}

const OP_NAMES: readonly unknown[] = [
  'add',
  'replace',
  'remove',
  'Add',
  'Replace',
  'Remove',
  'ADD',
  'REPLACE',
  'delete',
  'move',
  'copy',
  'test',
  '',
  null,
  1,
  {},
  [],
  ['add'],
  obj(['toString', 1]),
  ' add',
];

/** One PATCH operation, in any dialect, valid or broken. */
function patchOperation(rng: Rng, kind: 'User' | 'Group', ids: readonly string[], userIds: readonly string[]): unknown {
  const member = (): string => (userIds.length && rng.chance(0.7) ? rng.pick(userIds) : ids.length ? rng.pick(ids) : uuid(rng));
  const dialects: (() => unknown)[] =
    kind === 'Group'
      ? [
          () => ({ op: rng.pick(['add', 'Add']), path: 'members', value: rng.some(userIds, 1, 3).map((value) => ({ value })) }),
          () => ({ op: rng.pick(['remove', 'Remove']), path: 'members', value: [{ value: member() }] }),
          () => ({ op: 'remove', path: `members[value eq "${member()}"]` }),
          () => ({ op: 'replace', path: 'members', value: rng.some(userIds, 0, 3).map((value) => ({ value })) }),
          () => ({ op: 'replace', value: { id: rng.pick([uuid(rng), member()]), displayName: `fz-g-${rng.u32().toString(36)}` } }),
          () => ({ op: 'replace', value: { members: [{ value: member() }] } }),
          () => ({ op: 'Replace', path: 'displayName', value: hostileString(rng) }),
          () => ({ op: 'add', path: 'members', value: [{ value: ids.length ? rng.pick(ids) : uuid(rng), type: 'Group' }] }),
          () => ({
            op: rng.pick(['replace', 'Replace', 'add']),
            value: { [rng.pick(['displayName', 'members', 'externalId', 'id', 'meta', 'schemas'])]: hostileValue(rng, ids) },
          }),
          () => ({ op: 'remove', path: 'members' }),
        ]
      : [
          () => ({ op: 'Replace', path: 'active', value: rng.pick(['False', 'True', false, true, 'false', 'no']) }),
          () => ({ op: rng.pick(['replace', 'Replace']), value: { active: rng.pick([false, 'False']) } }),
          () => ({ op: 'Add', path: 'emails[type eq "work"].value', value: `${rng.u32().toString(36)}@example.com` }),
          () => ({ op: 'replace', path: 'emails[type eq "work"].value', value: hostileString(rng) }),
          () => ({ op: 'remove', path: 'emails[type eq "work"]' }),
          () => ({ op: 'replace', path: 'name.familyName', value: hostileString(rng) }),
          () => ({
            op: 'replace',
            value: { 'name.givenName': 'x', [`${ENTERPRISE}:department`]: 'y', 'emails[type eq "work"].value': 'z@example.com' },
          }),
          () => ({ op: 'add', path: `${ENTERPRISE}:manager`, value: { value: member() } }),
          () => ({ op: 'replace', path: ENTERPRISE, value: { department: hostileString(rng) } }),
          () => ({ op: 'remove', path: 'userName' }),
          () => ({ op: 'replace', path: 'userName', value: `fz-${rng.u32().toString(36)}@example.com` }),
          () => ({ op: 'add', value: { userName: hostileValue(rng, ids) } }),
          () => ({
            op: rng.pick(['replace', 'Replace', 'add']),
            value: { [rng.pick(['active', 'displayName', 'name', 'emails', 'userName', ENTERPRISE, 'groups'])]: hostileValue(rng, ids) },
          }),
        ];
  return rng.weighted<() => unknown>([
    [5, () => rng.pick(dialects)()],
    [
      5,
      () => {
        const op: Record<string, unknown> = { op: rng.pick(OP_NAMES) };
        if (rng.chance(0.85))
          op[rng.pick(['path', 'path', 'Path', 'PATH'])] = rng.chance(0.9) ? patchPath(rng, kind, ids) : hostileValue(rng, ids);
        if (rng.chance(0.85)) op[rng.pick(['value', 'value', 'Value'])] = hostileValue(rng, ids);
        return op;
      },
    ],
    [1, () => hostileValue(rng, ids)],
    [1, () => obj(['op', 'add'], ['op', 'remove'], ['path', 'x'])],
  ])();
}

export function patchBody(rng: Rng, kind: 'User' | 'Group', ids: readonly string[], userIds: readonly string[]): Body {
  return rng.weighted<() => Body>([
    [
      10,
      () => {
        const n = rng.weighted([
          [6, 1],
          [3, 2],
          [2, 4],
          [1, 10],
        ] as const);
        const ops = Array.from({ length: n }, () => patchOperation(rng, kind, ids, userIds));
        const body: Record<string, unknown> = { schemas: [PATCH_OP], Operations: ops };
        if (rng.chance(0.1)) body.schemas = rng.pick([[], ['urn:bogus'], PATCH_OP, [PATCH_OP.toUpperCase()], null, [obj(['toString', 1])]]);
        if (rng.chance(0.05)) delete body.schemas;
        if (rng.chance(0.08)) {
          body[rng.pick(['operations', 'OPERATIONS'])] = body.Operations;
          delete body.Operations;
        }
        return { text: jsonText(body), shape: `patch:${n}-ops` };
      },
    ],
    [
      1,
      () =>
        rng.pick([
          { text: jsonText({ schemas: [PATCH_OP], Operations: [] }), shape: 'patch:empty' },
          { text: jsonText({ schemas: [PATCH_OP] }), shape: 'patch:no-operations' },
          { text: jsonText({ schemas: [PATCH_OP], Operations: hostileValue(rng, ids) }), shape: 'patch:operations-wrong-type' },
          {
            text: jsonText({
              schemas: [PATCH_OP],
              Operations: Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'displayName', value: 'x' })),
            }),
            shape: 'patch:1001-ops',
          },
          {
            text: jsonText({
              schemas: [PATCH_OP],
              Operations: Array.from({ length: 1000 }, () => ({ op: 'add', path: 'emails', value: [{ value: 'a@b.c' }] })),
            }),
            shape: 'patch:1000-ops',
          },
          {
            text: jsonText({
              schemas: [PATCH_OP],
              Operations: [{ op: 'add', path: 'members', value: hugeArray(60_000, '{"value":"x"}') }],
            }),
            shape: 'patch:huge-members',
          },
          {
            text: jsonText({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: deepObject(10_000) }] }),
            shape: 'patch:deep-value',
          },
        ]),
    ],
  ])();
}

/** A SearchRequest body (POST …/.search), valid or broken. */
export function searchBody(rng: Rng, kind: ResourceKind, ids: readonly string[], cursors: readonly string[]): Body {
  const body: Record<string, unknown> = {};
  const shapes: string[] = [];
  if (rng.chance(0.85)) {
    body.schemas = rng.weighted<() => unknown>([
      [18, () => [SEARCH_REQUEST]],
      [1, () => hostileValue(rng, ids)],
      [
        1,
        () =>
          rng.pick<unknown[]>([
            [obj(['toString', 1])],
            [{}],
            [null],
            [[]],
            [SEARCH_REQUEST.toUpperCase()],
            [SEARCH_REQUEST, obj(['valueOf', {}])],
          ]),
      ],
    ])();
  }
  if (rng.chance(0.7)) {
    const f = hostileFilter(rng, kind, ids);
    body.filter = rng.chance(0.92) ? f.text : hostileValue(rng, ids);
    shapes.push(f.shape);
  }
  const intLike = (): unknown =>
    rng.pick([
      -1,
      0,
      1,
      2,
      10,
      1000,
      1001,
      new Raw('1e309'),
      new Raw('1e400'),
      1.5,
      '10',
      '',
      null,
      true,
      [],
      {},
      new Raw('9007199254740993'),
    ]);
  if (rng.chance(0.4)) body.startIndex = intLike();
  if (rng.chance(0.5)) body.count = intLike();
  if (rng.chance(0.2))
    body.sortBy = rng.chance(0.8)
      ? rng.pick(['userName', 'displayName', 'meta.created', 'emails.value', 'nope', '', 'a'.repeat(5000)])
      : hostileValue(rng, ids);
  if (rng.chance(0.15)) body.sortOrder = rng.pick(['ascending', 'descending', 'DESCENDING', 'up', '', 1, null]);
  if (rng.chance(0.25)) body.attributes = attributeList(rng, kind);
  if (rng.chance(0.2)) body.excludedAttributes = attributeList(rng, kind);
  if (rng.chance(0.15)) body.cursor = rng.chance(0.6) && cursors.length ? rng.pick(cursors) : rng.pick(['', 'x', 1, null, {}]);
  if (rng.chance(0.05)) body[rng.pick(['FILTER', 'Count', 'startindex'])] = hostileValue(rng, ids);
  return { text: jsonText(body), shape: `search:${shapes.join('+') || 'no-filter'}` };
}

/** attributes / excludedAttributes as a SearchRequest sends them: a list, or something that is not one. */
export function attributeList(rng: Rng, kind: ResourceKind): unknown {
  return rng.weighted<() => unknown>([
    [
      4,
      () =>
        rng.some(
          kind === 'Group'
            ? ['displayName', 'members', 'members.value', 'meta', 'id']
            : ['userName', 'emails', 'name.givenName', 'groups', 'meta', ENTERPRISE],
          1,
          3,
        ),
    ],
    [1, () => Array.from({ length: rng.pick([1000, 5000]) }, (_, i) => `attr${i}`)],
    [1, () => rng.pick(['userName,emails', '', ',,,', 'a'.repeat(10_000)])],
    [1, () => rng.pick([[1, 2], [null], [{}], [[]], {}, 1, true])],
    [
      1,
      () =>
        rng.pick([['__proto__'], ['constructor.prototype'], ['emails[type eq "work"]'], ['urn:bogus:x'], [`${ENTERPRISE}:manager.value`]]),
    ],
  ])();
}

/** A body that is not JSON, JSON of the wrong type, too deep, too wide, or bytes that are not UTF-8. */
export function rawBody(rng: Rng): Body {
  const user = (extra: string): string =>
    `{"schemas":["${USER_SCHEMA}"],"userName":"fz-raw-${rng.u32().toString(36)}@example.com"${extra}}`;
  return rng.weighted<() => Body>([
    [
      3,
      () =>
        rng.pick([
          { text: '{', shape: 'body:not-json' },
          { text: 'abc', shape: 'body:not-json' },
          { text: '<user><userName>x</userName></user>', shape: 'body:xml' },
          { text: 'userName=x&active=true', shape: 'body:form' },
          { text: ' ', shape: 'body:whitespace' },
          { text: '\ufeff{}', shape: 'body:bom' },
          { text: `\ufeff${user('')}`, shape: 'body:bom' },
          { text: `${user('')}garbage`, shape: 'body:trailing-garbage' },
          { text: `${user('')}${user('')}`, shape: 'body:two-documents' },
          { text: "{'userName':'x'}", shape: 'body:single-quotes' },
          { text: '{"a":NaN}', shape: 'body:nan' },
          { text: '{"a":undefined}', shape: 'body:undefined' },
          { text: '{"a":1,}', shape: 'body:trailing-comma' },
          { text: '\u0000', shape: 'body:nul' },
          { text: '{"a":"\u0000"}', shape: 'body:raw-nul-in-string' },
          { text: '{"a":"line\nbreak"}', shape: 'body:raw-control-in-string' },
        ]),
    ],
    [
      2,
      () =>
        rng.pick(
          ['[]', '"str"', 'null', '1', 'true', '[{}]', '[[]]', '{}', '-0', '1e400'].map((t) => ({ text: t, shape: 'body:wrong-type' })),
        ),
    ],
    [
      2,
      () =>
        rng.pick([
          { text: `${'['.repeat(10_000)}${']'.repeat(10_000)}`, shape: 'body:nested-array(10000)' },
          { text: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, shape: 'body:nested-object(10000)' },
          { text: user(`,"name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`), shape: 'body:user-nested(10000)' },
          { text: user(`,"emails":${'['.repeat(10_000)}${']'.repeat(10_000)}`), shape: 'body:user-nested-array(10000)' },
          { text: user(`,"urn:x:y":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`), shape: 'body:unknown-attr-nested(10000)' },
        ]),
    ],
    [
      2,
      () =>
        rng.pick([
          { text: hugeArray(100_000, '0').text, shape: 'body:array(100000)' },
          { text: user(`,"emails":${hugeArray(100_000, '{}').text}`), shape: 'body:user-emails(100000)' },
          { text: user(`,"phoneNumbers":${hugeArray(30_000, '{"value":"1"}').text}`), shape: 'body:user-phones(30000)' },
          { text: user(`,"x":${hugeArray(100_000, '"a"').text}`), shape: 'body:user-unknown-array(100000)' },
          {
            text: user(`,"emails":[${Array.from({ length: 2000 }, (_, i) => `{"value":"e${i}@example.com","primary":true}`).join(',')}]`),
            shape: 'body:user-emails(2000)-all-primary',
          },
        ]),
    ],
    [
      2,
      () =>
        rng.pick([
          { text: user(',"__proto__":{"polluted":true}'), shape: 'body:__proto__' },
          { text: '{"__proto__":{"schemas":["x"]}}', shape: 'body:__proto__-only' },
          { text: user(',"constructor":{"prototype":{"polluted":true}}'), shape: 'body:constructor' },
          { text: user(',"name":{"__proto__":{"givenName":"x"}}'), shape: 'body:nested-__proto__' },
          { text: user(',"emails":[{"__proto__":{"value":"x"}}]'), shape: 'body:element-__proto__' },
          { text: user(',"toString":"x","valueOf":1,"hasOwnProperty":null'), shape: 'body:object-method-keys' },
          { text: user(',"userName":"dup@example.com"'), shape: 'body:duplicate-key' },
        ]),
    ],
    [
      2,
      () =>
        rng.pick([
          { text: user(',"active":1e400'), shape: 'body:1e400' },
          { text: user(',"x":1e400,"y":-1e400'), shape: 'body:1e400-unknown-attr' },
          {
            text: user(',"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":1e400}'),
            shape: 'body:1e400-extension',
          },
          { text: user(',"displayName":123456789012345678901234567890'), shape: 'body:big-integer' },
          { text: user(',"name":{"givenName":-0}'), shape: 'body:minus-zero' },
        ]),
    ],
    [
      2,
      () =>
        rng.pick([
          { text: `{"schemas":["${USER_SCHEMA}"],"userName":"\\ud800"}`, shape: 'body:lone-surrogate' },
          { text: `{"schemas":["${USER_SCHEMA}"],"userName":"fz-\\udfff\\ud800@example.com"}`, shape: 'body:lone-surrogate' },
          { text: user(',"displayName":"\\ud800","name":{"givenName":"\\udc00"}'), shape: 'body:lone-surrogate' },
          { text: user(',"emails":[{"value":"\\ud800@example.com"}]'), shape: 'body:lone-surrogate' },
          { text: `{"schemas":["${USER_SCHEMA}"],"userName":"fz-\\u0000@example.com"}`, shape: 'body:nul-escape' },
          {
            text: Buffer.concat([
              Buffer.from(`{"schemas":["${USER_SCHEMA}"],"userName":"fz-`),
              Buffer.from([0xed, 0xa0, 0x80, 0xff, 0xfe]),
              Buffer.from('@example.com"}'),
            ]),
            shape: 'body:invalid-utf8',
          },
          { text: Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), shape: 'body:utf16-bom' },
          { text: Buffer.from(Array.from({ length: 512 }, () => rng.int(0, 255))), shape: 'body:random-bytes' },
        ]),
    ],
    [1, () => ({ text: user(`,"displayName":"${'x'.repeat(1024 * 1024)}"`), shape: 'body:over-1MB' })],
    [0.05, () => ({ text: `"${'x'.repeat(10 * 1024 * 1024 + 10)}"`, shape: 'body:over-10MB' })],
  ])();
}
