import { expiryOf, isExpired, utcDate } from '../../shared/tokens/expiry';

describe('token lifetime', () => {
  it('ends one year after issue, same UTC time of day', () => {
    const issued = new Date('2026-11-29T10:15:30.123Z');
    expect(expiryOf(issued).toISOString()).toBe('2027-11-29T10:15:30.123Z');
  });

  it('ends on 28 February for a token issued on a leap day', () => {
    const expiry = expiryOf(new Date('2028-02-29T12:00:00Z'));
    expect(expiry.toISOString()).toBe('2029-02-28T12:00:00.000Z');
    expect(utcDate(expiry)).toBe('2029-02-28');
  });

  it('states the expiry date in UTC whatever the local time zone', () => {
    // 23:30 UTC on 31 December is already 1 January in UTC+1, and still 31 December in UTC.
    const expiry = expiryOf(new Date('2026-12-31T23:30:00Z'));
    expect(utcDate(expiry)).toBe('2027-12-31');
    expect(utcDate(expiryOf(new Date('2027-01-01T00:30:00+02:00')))).toBe('2027-12-31');
  });

  it('is expired at and after the expiry instant, not before', () => {
    const expiresAt = new Date('2027-11-29T10:00:00Z');
    expect(isExpired(expiresAt, new Date('2027-11-29T09:59:59.999Z'))).toBe(false);
    expect(isExpired(expiresAt, expiresAt)).toBe(true);
    expect(isExpired(expiresAt, new Date('2028-01-01T00:00:00Z'))).toBe(true);
  });
});
