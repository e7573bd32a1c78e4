import fc from 'fast-check';
import { groupFilter, literal, userFilter } from '../../infra/console/src/lib/search';
import { compileFilter, parseFilter } from '../../shared/scim/filter';
import { buildRegistry } from '../../shared/scim/schemas/registry';

const registry = buildRegistry();
const matches = (filter: string, user: Record<string, unknown>): boolean => compileFilter(parseFilter(filter), registry.user)(user);

describe('the search boxes as SCIM filters', () => {
  const ann = {
    userName: 'ann@example.com',
    name: { givenName: 'Ann', familyName: 'Lee' },
    emails: [{ value: 'a.lee@corp.example' }],
    active: true,
  };

  it('finds a user by userName, name or e-mail, ignoring case, and filters by active', () => {
    for (const text of ['ann@', 'LEE', 'corp.example', ' Ann ']) expect([text, matches(userFilter(text) ?? '', ann)]).toEqual([text, true]);
    expect(matches(userFilter('bob') ?? '', ann)).toBe(false);
    expect(matches(userFilter('ann', true) ?? '', ann)).toBe(true);
    expect(matches(userFilter('ann', false) ?? '', ann)).toBe(false);
    expect(userFilter('  ')).toBeUndefined();
    expect(userFilter('', false)).toBe('active eq false');
    expect(compileFilter(parseFilter(groupFilter('ENG') ?? ''), registry.group)({ displayName: 'Engineering' })).toBe(true);
    expect(groupFilter('')).toBeUndefined();
  });

  it('quotes any text so that it parses and is matched literally (quotes, backslashes, operators)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
        (text) => {
          const filter = userFilter(text);
          expect(filter).toBeDefined();
          expect(() => parseFilter(filter ?? '')).not.toThrow();
          expect(matches(filter ?? '', { userName: `x${text.trim()}y` })).toBe(true);
          expect(compileFilter(parseFilter(groupFilter(text) ?? ''), registry.group)({ displayName: `[${text.trim()}]` })).toBe(true);
        },
      ),
    );
    expect(literal('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
  });
});
