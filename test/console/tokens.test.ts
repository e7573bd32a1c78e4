import {
  DEFAULT_LIFETIME_DAYS,
  expiryDayFor,
  expiryWarnings,
  generateBlocked,
  LIFETIME_CHOICES,
  MAX_TOKENS,
  validTokens,
  warningText,
  type Token,
} from '../../infra/console/src/lib/tokens';

const NOW = new Date('2026-12-02T10:00:00Z');
const token = (name: string, expiresAt: string, status: Token['status'] = 'Active'): Token => ({
  id: name,
  name,
  hint: 'abcd',
  createdAt: '2026-01-01T00:00:00Z',
  expiresAt,
  expiresOn: expiresAt.slice(0, 10),
  status,
  lastUsedAt: null,
});

describe('the Provisioning page’s token rules', () => {
  it('offers 30, 90, 180 and 365 days, 365 by default, and shows the expiry day each gives', () => {
    expect([...LIFETIME_CHOICES]).toEqual([30, 90, 180, 365]);
    expect(DEFAULT_LIFETIME_DAYS).toBe(365);
    expect(expiryDayFor(NOW, 30)).toBe('2027-01-01');
    expect(expiryDayFor(NOW, 365)).toBe('2027-12-02');
    // Late in a UTC day, the expiry day is still counted in UTC (what expiresOn says).
    expect(expiryDayFor(new Date('2026-12-31T23:30:00Z'), 1)).toBe('2027-01-01');
  });

  it('disables Generate Token while 2 valid tokens exist, or provisioning is off, and says why', () => {
    expect(MAX_TOKENS).toBe(2);
    const a = token('a', '2027-06-01T00:00:00Z');
    const b = token('b', '2027-07-01T00:00:00Z');
    expect(generateBlocked([a], NOW, true)).toBeUndefined();
    expect(generateBlocked([a, b], NOW, true)).toBe('At most 2 valid tokens can exist at once. Delete one to generate another.');
    expect(generateBlocked([], NOW, false)).toBe('Enable provisioning to generate a token.');
    // An Expired token, or one past its expiry that the job has not marked yet, does not count.
    expect(generateBlocked([a, token('old', '2026-01-01T00:00:00Z', 'Expired')], NOW, true)).toBeUndefined();
    expect(generateBlocked([a, token('late', '2026-12-02T09:59:59Z')], NOW, true)).toBeUndefined();
    expect(validTokens([a, token('late', '2026-12-02T09:59:59Z')], NOW).map((t) => t.name)).toEqual(['a']);
  });

  it('warns of a token that expires within 30 days, more strongly within 7, soonest first', () => {
    const tokens = [
      token('far', '2027-01-02T10:00:00Z'), // 31 days
      token('month', '2026-12-31T10:00:00Z'), // 29 days
      token('week', '2026-12-08T10:00:00Z'), // 6 days
      token('gone', '2026-12-01T00:00:00Z', 'Expired'),
    ];
    expect(expiryWarnings(tokens, NOW).map((w) => [w.token.name, w.level, w.daysLeft])).toEqual([
      ['week', 'urgent', 6],
      ['month', 'warning', 29],
    ]);
    expect(expiryWarnings([token('seven', '2026-12-09T10:00:00Z')], NOW).map((w) => w.level)).toEqual(['warning']);
    const [urgent] = expiryWarnings([token('Okta', '2026-12-03T09:00:00Z')], NOW);
    expect(urgent && warningText(urgent)).toBe(
      'Token "Okta" expires today (2026-12-03). Generate a new token, set it in your identity provider, then delete the old one.',
    );
  });
});
