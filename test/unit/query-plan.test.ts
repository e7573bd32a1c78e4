/**
 * The query planner (issue 12): which access each filter form gets, and the DynamoDB calls that
 * access costs, written out by hand here for each plan (the benchmark measures the same calls).
 */
import { parseFilter } from '../../shared/scim/filter/parse';
import type { ResourceOrder } from '../../shared/scim/ports';
import { buildRegistry } from '../../shared/scim/schemas/registry';
import { planMembershipTerms } from '../../shared/scim/service/membership-terms';
import { isSmall, planAccess, planCalls, type Access } from '../../shared/scim/service/query-plan';

const { user, group } = buildRegistry();
const byKey = (o: ResourceOrder): boolean => o === 'lastModified' || o === 'email';

function plan(filter: string, kind: 'User' | 'Group' = 'User'): Access {
  const rs = kind === 'User' ? user : group;
  const planned = planMembershipTerms(parseFilter(filter), kind, rs);
  return planAccess(planned.filter, { kind, rs, indexedTerms: new Set(planned.terms.map((_, i) => i)) });
}

describe('the query planner', () => {
  it.each<[string, Access, Record<string, number>]>([
    ['id eq "u1"', { kind: 'id', id: 'u1' }, { GetItem: 1 }],
    ['userName eq "Alice"', { kind: 'walk', order: 'name', range: { kind: 'eq', value: 'Alice' } }, { Query: 1 }],
    ['externalId eq "e1"', { kind: 'walk', order: 'externalId', range: { kind: 'eq', value: 'e1' } }, { Query: 1 }],
    ['userName sw "al"', { kind: 'walk', order: 'name', range: { kind: 'prefix', value: 'al' } }, { Query: 1 }],
    ['externalId pr', { kind: 'walk', order: 'externalId', range: { kind: 'all' } }, { Query: 1 }],
    ['emails.value eq "a@x"', { kind: 'walk', order: 'email', range: { kind: 'eq', value: 'a@x' } }, { Query: 1, BatchGetItem: 1 }],
    [
      'emails[type eq "work" and value sw "a"]',
      { kind: 'walk', order: 'email', range: { kind: 'prefix', value: 'a' } },
      { Query: 1, BatchGetItem: 1 },
    ],
    ['emails eq "a@x"', { kind: 'walk', order: 'email', range: { kind: 'eq', value: 'a@x' } }, { Query: 1, BatchGetItem: 1 }],
    [
      'meta.lastModified gt "2026-12-01T10:00:00.5Z"',
      { kind: 'walk', order: 'lastModified', range: { kind: 'between', lower: '2026-12-01T10:00:00.500Z' } },
      { Query: 1, BatchGetItem: 1 },
    ],
    [
      // Finer than a millisecond: widened to whole milliseconds (the filter decides the rest).
      'meta.created le "2026-12-01T10:00:00.1234567Z"',
      { kind: 'walk', order: 'created', range: { kind: 'between', upper: '2026-12-01T10:00:00.124Z' } },
      { Query: 1 },
    ],
    [
      'meta.lastModified ge "2026-12-01T00:00:00Z" and meta.lastModified lt "2026-12-02T00:00:00Z"',
      {
        kind: 'walk',
        order: 'lastModified',
        range: { kind: 'between', lower: '2026-12-01T00:00:00.000Z', upper: '2026-12-02T00:00:00.000Z' },
      },
      { Query: 1, BatchGetItem: 1 },
    ],
    ['groups.value eq "g1"', { kind: 'term', term: 0 }, { Query: 1, BatchGetItem: 1 }],
    // and: the most selective side; the other is evaluated on what it reads.
    ['title co "x" and userName eq "a"', { kind: 'walk', order: 'name', range: { kind: 'eq', value: 'a' } }, { Query: 1 }],
    ['userName sw "a" and externalId eq "e"', { kind: 'walk', order: 'externalId', range: { kind: 'eq', value: 'e' } }, { Query: 1 }],
    ['userName sw "a" and userName sw "abcdef"', { kind: 'walk', order: 'name', range: { kind: 'prefix', value: 'abcdef' } }, { Query: 1 }],
    // or: a union of both sides.
    [
      'userName eq "a" or userName eq "b"',
      {
        kind: 'union',
        of: [
          { kind: 'walk', order: 'name', range: { kind: 'eq', value: 'a' } },
          { kind: 'walk', order: 'name', range: { kind: 'eq', value: 'b' } },
        ],
      },
      { Query: 2 },
    ],
    [
      'externalId eq "e" or emails.value eq "a@x"',
      {
        kind: 'union',
        of: [
          { kind: 'walk', order: 'externalId', range: { kind: 'eq', value: 'e' } },
          { kind: 'walk', order: 'email', range: { kind: 'eq', value: 'a@x' } },
        ],
      },
      { Query: 2, BatchGetItem: 1 },
    ],
    // No index answers these: a walk of the listing.
    ['userName co "a"', { kind: 'scan' }, { Query: 1 }],
    ['userName ew "a"', { kind: 'scan' }, { Query: 1 }],
    ['not (userName eq "a")', { kind: 'scan' }, { Query: 1 }],
    ['userName eq "a" or title eq "b"', { kind: 'scan' }, { Query: 1 }],
    ['name.familyName eq "x"', { kind: 'scan' }, { Query: 1 }],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"', { kind: 'scan' }, { Query: 1 }],
    ['meta.lastModified gt "not a date"', { kind: 'scan' }, { Query: 1 }],
  ])('%s', (filter, access, calls) => {
    const got = plan(filter);
    expect(got).toEqual(access);
    expect(planCalls(got, byKey)).toEqual(calls);
  });

  it('plans groups: displayName eq/sw, members.value eq through the membership index; groups have no email order', () => {
    expect(plan('displayName sw "Eng"', 'Group')).toEqual({ kind: 'walk', order: 'name', range: { kind: 'prefix', value: 'Eng' } });
    expect(plan('members[value eq "u1"]', 'Group')).toEqual({ kind: 'term', term: 0 });
    expect(plan('meta.created gt "2026-01-01T00:00:00Z"', 'Group')).toEqual({
      kind: 'walk',
      order: 'created',
      range: { kind: 'between', lower: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('reads small accesses whole (id, eq, memberships and their unions), and walks ranges page by page', () => {
    expect(isSmall(plan('userName eq "a" or id eq "b"'))).toBe(true);
    expect(isSmall(plan('groups.value eq "g"'))).toBe(true);
    expect(isSmall(plan('userName sw "a"'))).toBe(false);
    expect(isSmall(plan('userName eq "a" or userName sw "b"'))).toBe(false);
    expect(isSmall(plan('meta.lastModified gt "2026-01-01T00:00:00Z"'))).toBe(false);
    expect(isSmall(plan('title eq "x"'))).toBe(false);
  });
});
