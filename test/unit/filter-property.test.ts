import fc from 'fast-check';
import { ScimError } from '../../shared/scim/messages/error';
import type { AttrPath, CompareOp, CompValue, Filter } from '../../shared/scim/filter/ast';
import { matchesFilter } from '../../shared/scim/filter/evaluate';
import { formatFilter } from '../../shared/scim/filter/format';
import { parseFilter, parsePatchPath } from '../../shared/scim/filter/parse';
import { buildRegistry } from '../../shared/scim/schemas/registry';

const { user } = buildRegistry();
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// ---- an independent reference evaluator over a fixed set of User attributes ----

type Kind = 'ci' | 'ce' | 'bool' | 'date' | 'binary';
type Obj = Record<string, unknown>;
interface RefAttr {
  readonly kind: Kind;
  readonly values: (r: Obj) => unknown[];
  readonly present?: (r: Obj) => boolean;
}

const arr = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (v: unknown, k: string): unknown => (isObj(v) ? v[k] : undefined);
const each = (k: string, sub: string) => (r: Obj) => arr(r[k]).flatMap((e) => arr(field(e, sub)));
const refPresent = (v: unknown): boolean =>
  v !== undefined &&
  v !== null &&
  v !== '' &&
  (Array.isArray(v) ? v.some(refPresent) : isObj(v) ? Object.values(v).some(refPresent) : true);

const TOP: Record<string, RefAttr> = {
  '|username|': { kind: 'ci', values: (r) => arr(r.userName) },
  '|displayname|': { kind: 'ci', values: (r) => arr(r.displayName) },
  '|title|': { kind: 'ci', values: (r) => arr(r.title) },
  '|externalid|': { kind: 'ce', values: (r) => arr(r.externalId) },
  '|id|': { kind: 'ce', values: (r) => arr(r.id) },
  '|active|': { kind: 'bool', values: (r) => arr(r.active) },
  '|schemas|': { kind: 'ci', values: (r) => arr(r.schemas) },
  '|name|givenname': { kind: 'ci', values: each('name', 'givenName') },
  '|name|familyname': { kind: 'ci', values: each('name', 'familyName') },
  '|emails|': { kind: 'ci', values: each('emails', 'value'), present: (r) => refPresent(r.emails) },
  '|emails|value': { kind: 'ci', values: each('emails', 'value') },
  '|emails|type': { kind: 'ci', values: each('emails', 'type') },
  '|emails|primary': { kind: 'bool', values: each('emails', 'primary') },
  '|ims|': { kind: 'ci', values: each('ims', 'value'), present: (r) => refPresent(r.ims) },
  '|meta|created': { kind: 'date', values: each('meta', 'created') },
  '|meta|lastmodified': { kind: 'date', values: each('meta', 'lastModified') },
  '|x509certificates|': { kind: 'binary', values: each('x509Certificates', 'value'), present: (r) => refPresent(r.x509Certificates) },
  [`${ENT}|department|`.toLowerCase()]: { kind: 'ci', values: (r) => arr(field(r[ENT], 'department')) },
  '|department|': { kind: 'ci', values: (r) => arr(field(r[ENT], 'department')) },
  [`${ENT}|manager|value`.toLowerCase()]: { kind: 'ci', values: (r) => arr(field(field(r[ENT], 'manager'), 'value')) },
};
const ELEMENT: Record<string, RefAttr> = {
  '|value|': { kind: 'ci', values: (e) => arr(e.value) },
  '|type|': { kind: 'ci', values: (e) => arr(e.type) },
  '|display|': { kind: 'ci', values: (e) => arr(e.display) },
  '|primary|': { kind: 'bool', values: (e) => arr(e.primary) },
};

const refKey = (p: AttrPath): string =>
  [p.uri?.toLowerCase() === CORE.toLowerCase() ? '' : (p.uri ?? ''), p.name, p.sub ?? ''].join('|').toLowerCase();

function refOne(kind: Kind, op: CompareOp, value: Exclude<CompValue, null>, v: unknown): boolean {
  if (kind === 'bool' || kind === 'binary') return v === value;
  if (typeof v !== 'string') return false;
  if (kind === 'date' && !['co', 'sw', 'ew'].includes(op)) {
    const [a, b] = [Date.parse(v), Date.parse(String(value))];
    return { eq: a === b, gt: a > b, ge: a >= b, lt: a < b, le: a <= b }[op as 'eq'];
  }
  // Case-insensitive strings compare as Unicode NFC, case-folded (RFC 7644 leaves the folding to the server).
  const fold = (x: string): string => x.normalize('NFC').toLowerCase();
  const [a, b] = kind === 'ce' ? [v, String(value)] : [fold(v), fold(String(value))];
  return {
    eq: a === b,
    ne: a !== b,
    co: a.includes(b),
    sw: a.startsWith(b),
    ew: a.endsWith(b),
    gt: a > b,
    ge: a >= b,
    lt: a < b,
    le: a <= b,
  }[op];
}

/** Does the filter name an attribute the reference tables (the User schema) do not define? */
function namesUnknown(f: Filter, table: Record<string, RefAttr>): boolean {
  switch (f.kind) {
    case 'and':
    case 'or':
      return namesUnknown(f.left, table) || namesUnknown(f.right, table);
    case 'not':
      return namesUnknown(f.filter, table);
    case 'valuePath': {
      const key = refKey(f.path);
      return !(table === TOP && (key === '|emails|' || key === '|ims|')) || namesUnknown(f.filter, ELEMENT);
    }
    case 'term':
      return true;
    default:
      return f.path.name.toLowerCase() !== 'schemas' || table !== TOP ? table[refKey(f.path)] === undefined : false;
  }
}

function reference(f: Filter, r: Obj, table: Record<string, RefAttr>): boolean {
  switch (f.kind) {
    case 'and':
      return reference(f.left, r, table) && reference(f.right, r, table);
    case 'or':
      return reference(f.left, r, table) || reference(f.right, r, table);
    case 'not':
      return !reference(f.filter, r, table);
    case 'valuePath': {
      const key = refKey(f.path);
      const list = key === '|emails|' ? r.emails : key === '|ims|' ? r.ims : undefined;
      return table === TOP && arr(list).some((e) => isObj(e) && reference(f.filter, e, ELEMENT));
    }
    case 'term':
      return false;
    case 'present':
    case 'compare': {
      const a = table[refKey(f.path)];
      if (!a) return false;
      const present = a.present ? a.present(r) : a.values(r).some(refPresent);
      if (f.kind === 'present') return present;
      if (f.value === null) return f.op === 'eq' ? !present : present;
      const { value } = f;
      const eq = (op: CompareOp): boolean => a.values(r).some((v) => refOne(a.kind, op, value, v));
      return f.op === 'ne' ? !eq('eq') : eq(f.op);
    }
  }
}

// ---- generators ----

const path = (uri: string | undefined, name: string, sub?: string): AttrPath => ({
  ...(uri === undefined ? {} : { uri }),
  name,
  ...(sub === undefined ? {} : { sub }),
});
type Spec = readonly [AttrPath, Kind | 'undefined'];
const TOP_SPECS: Spec[] = [
  [path(undefined, 'userName'), 'ci'],
  [path(undefined, 'USERNAME'), 'ci'],
  [path(CORE, 'userName'), 'ci'],
  [path(CORE.toLowerCase(), 'displayName'), 'ci'],
  [path(undefined, 'title'), 'ci'],
  [path(undefined, 'externalId'), 'ce'],
  [path(undefined, 'id'), 'ce'],
  [path(undefined, 'active'), 'bool'],
  [path(undefined, 'schemas'), 'ci'],
  [path(undefined, 'name', 'givenName'), 'ci'],
  [path(undefined, 'Name', 'FamilyName'), 'ci'],
  [path(undefined, 'emails'), 'ci'],
  [path(undefined, 'emails', 'value'), 'ci'],
  [path(undefined, 'emails', 'type'), 'ci'],
  [path(undefined, 'emails', 'primary'), 'bool'],
  [path(undefined, 'ims'), 'ci'],
  [path(undefined, 'meta', 'created'), 'date'],
  [path(CORE, 'meta', 'lastModified'), 'date'],
  [path(undefined, 'x509Certificates'), 'binary'],
  [path(ENT, 'department'), 'ci'],
  [path(ENT, 'manager', 'value'), 'ci'],
  [path(undefined, 'nosuch'), 'undefined'],
  [path(undefined, 'name', 'nosuch'), 'undefined'],
  [path('urn:example:Nope', 'userName'), 'undefined'],
  [path(undefined, 'department'), 'ci'], // the registry resolves unqualified extension names
];
const ELEMENT_SPECS: Spec[] = [
  [path(undefined, 'value'), 'ci'],
  [path(undefined, 'Type'), 'ci'],
  [path(undefined, 'display'), 'ci'],
  [path(undefined, 'primary'), 'bool'],
  [path(undefined, 'nosuch'), 'undefined'],
  [path(undefined, 'type', 'x'), 'undefined'],
];

const WORDS = [
  'alice',
  'Alice',
  'ALICE@example.com',
  'alice@example.com',
  'bob',
  'a',
  '',
  'ß',
  'İx',
  'work',
  'Work',
  'home',
  '42',
  CORE,
  ENT,
];
const DATES = [
  '2010-01-23T04:56:22Z',
  '2011-05-13T04:42:34Z',
  '2011-05-13T06:42:34+02:00',
  '2011-05-13T04:42:34.500Z',
  '1999-12-31T23:59:59-08:00',
];
const BINARY = ['QUJD', 'qujd', 'AAAA'];
/** AST nodes are plain objects, like the parser's (fast-check v4 defaults to null prototypes). */
const AST = { noNullPrototype: true } as const;
const ALL_OPS: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const number = fc
  .oneof(fc.integer({ min: -5, max: 50 }), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((n) => (n === 0 ? 0 : n));
const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

function compareFor(p: AttrPath, kind: Kind | 'undefined'): fc.Arbitrary<Filter> {
  const cmp = (ops: CompareOp[], value: fc.Arbitrary<CompValue>): fc.Arbitrary<Filter> =>
    fc.record({ kind: fc.constant('compare' as const), path: fc.constant(p), op: fc.constantFrom(...ops), value }, AST);
  const nullable = cmp(['eq', 'ne'], fc.constant(null));
  switch (kind) {
    case 'ci':
    case 'ce':
    case 'undefined':
      return fc.oneof(
        cmp(ALL_OPS, fc.oneof({ weight: 5, arbitrary: word }, { weight: 1, arbitrary: number }, { weight: 1, arbitrary: fc.boolean() })),
        nullable,
      );
    case 'bool':
      return fc.oneof(cmp(['eq', 'ne'], fc.boolean()), nullable);
    case 'binary':
      return fc.oneof(cmp(['eq', 'ne'], fc.constantFrom(...BINARY)), nullable);
    case 'date':
      return fc.oneof(
        cmp(['eq', 'ne', 'gt', 'ge', 'lt', 'le'], fc.constantFrom(...DATES)),
        cmp(['co', 'sw', 'ew'], fc.constantFrom('2011', '2011-05-13T04', 'Z', '')),
        nullable,
      );
  }
}

const atom = (specs: Spec[]): fc.Arbitrary<Filter> =>
  fc
    .constantFrom(...specs)
    .chain(([p, kind]) =>
      fc.oneof({ weight: 1, arbitrary: fc.constant<Filter>({ kind: 'present', path: p }) }, { weight: 4, arbitrary: compareFor(p, kind) }),
    );

function filterArbitrary(specs: Spec[], valuePath: fc.Arbitrary<Filter> | undefined, maxDepth: number): fc.Arbitrary<Filter> {
  return fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { maxDepth },
      atom(specs),
      ...(valuePath ? [valuePath] : []),
      fc.record({ kind: fc.constant('and' as const), left: tie('f'), right: tie('f') }, AST),
      fc.record({ kind: fc.constant('or' as const), left: tie('f'), right: tie('f') }, AST),
      fc.record({ kind: fc.constant('not' as const), filter: tie('f') }, AST),
    ),
  })).f;
}

const innerFilter = filterArbitrary(ELEMENT_SPECS, undefined, 3);
const valuePathArb = fc.record(
  {
    kind: fc.constant('valuePath' as const),
    path: fc.constantFrom(path(undefined, 'emails'), path(undefined, 'IMS'), path(CORE, 'emails'), path(undefined, 'nosuch')),
    filter: innerFilter,
  },
  AST,
);
const filterArb = filterArbitrary(TOP_SPECS, valuePathArb, 4);

const multi = fc.array(
  fc.record(
    { value: fc.oneof(word, fc.constant(null)), type: fc.constantFrom('work', 'home', 'Work', ''), primary: fc.boolean(), display: word },
    { requiredKeys: [] },
  ),
  { maxLength: 3 },
);
const userArb: fc.Arbitrary<Obj> = fc.record(
  {
    schemas: fc.subarray([CORE, ENT]),
    id: fc.option(word, { nil: null }),
    externalId: word,
    userName: word,
    displayName: fc.oneof(word, fc.constant(null)),
    title: word,
    active: fc.boolean(),
    name: fc.record({ givenName: word, familyName: word }, { requiredKeys: [] }),
    emails: multi,
    ims: multi,
    meta: fc.record({ created: fc.constantFrom(...DATES, 'not a date'), lastModified: fc.constantFrom(...DATES) }, { requiredKeys: [] }),
    x509Certificates: fc.array(fc.record({ value: fc.constantFrom(...BINARY) }), { maxLength: 2 }),
    [ENT]: fc.record({ department: word, manager: fc.record({ value: word }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    nosuch: word,
    department: word,
  },
  { requiredKeys: [] },
);

// ---- properties ----

function expectOnly(scimType: 'invalidFilter' | 'invalidPath', fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ScimError) || e.status !== 400 || e.scimType !== scimType)
      throw new Error(`unexpected error: ${String(e)}`, { cause: e });
  }
}

const mutation = (text: string): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(fc.constantFrom('delete', 'duplicate', 'insert', 'truncate'), fc.nat(), fc.constantFrom(...'()[]"\\ .:a0-'.split(''))),
      {
        minLength: 1,
        maxLength: 3,
      },
    )
    .map((edits) =>
      edits.reduce((s, [edit, n, ch]) => {
        const i = s.length === 0 ? 0 : n % s.length;
        if (edit === 'delete') return s.slice(0, i) + s.slice(i + 1);
        if (edit === 'duplicate') return s.slice(0, i + 1) + s.slice(i);
        if (edit === 'insert') return s.slice(0, i) + ch + s.slice(i);
        return s.slice(0, i);
      }, text),
    );

describe('filter properties', () => {
  it('formats any filter to text that parses back to it, and evaluates it like the reference', () => {
    fc.assert(
      fc.property(filterArb, fc.array(userArb, { minLength: 1, maxLength: 4 }), (filter, users) => {
        const text = formatFilter(filter);
        expect(parseFilter(text)).toStrictEqual(filter);
        if (namesUnknown(filter, TOP)) {
          // A filter that names no attribute of the resource type is refused, never an empty answer.
          let error: unknown;
          try {
            matchesFilter(filter, users[0] ?? {}, user);
          } catch (e: unknown) {
            error = e;
          }
          expect(error).toBeInstanceOf(ScimError);
          expect((error as ScimError).scimType).toBe('invalidFilter');
          return;
        }
        for (const u of users) expect(matchesFilter(filter, u, user)).toBe(reference(filter, u, TOP));
      }),
      { numRuns: 600 },
    );
  });

  it('throws nothing but 400 invalidFilter on arbitrary text, and re-formats what it parses to the same filter', () => {
    const alphabet = fc.constantFrom(...'()[]" \\.:$-_aenqoprtsdlgwcuxbmATN0123456789'.split(''));
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: alphabet, maxLength: 60 }),
      filterArb.map(formatFilter).chain(mutation),
    );
    fc.assert(
      fc.property(text, (t) => {
        expectOnly('invalidFilter', () => {
          const f = parseFilter(t);
          expect(parseFilter(formatFilter(f))).toStrictEqual(f);
          matchesFilter(f, {}, user);
        });
        expectOnly('invalidPath', () => parsePatchPath(t));
      }),
      { numRuns: 1000 },
    );
  });
});
