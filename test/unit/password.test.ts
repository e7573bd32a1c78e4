import { hashPassword, verifyPassword } from '../../shared/scim/resource';

describe('password hashing', () => {
  it('hashes as scrypt$N$r$p$salt$hash with a 16-byte salt', async () => {
    const stored = await hashPassword('1mz050nq');
    const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(hash ?? '', 'base64').length).toBeGreaterThanOrEqual(32);
    expect(rest).toEqual([]);
    expect(stored).not.toContain('1mz050nq');
  });

  it('uses a fresh salt each time', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('1mz050nq');
    expect(await verifyPassword('1mz050nq', stored)).toBe(true);
    expect(await verifyPassword('1mz050nQ', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('handles non-ASCII passwords', async () => {
    const stored = await hashPassword('pässwörd-密码');
    expect(await verifyPassword('pässwörd-密码', stored)).toBe(true);
    expect(await verifyPassword('passwort-密码', stored)).toBe(false);
  });

  it('refuses malformed or tampered hashes without throwing', async () => {
    const stored = await hashPassword('x');
    const [, , , , salt, hash] = stored.split('$');
    for (const bad of [
      '',
      'x',
      'bcrypt$16384$8$1$a$b',
      `scrypt$16384$8$1$${salt}`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      `scrypt$1000$8$1$${salt}$${hash}`,
      `scrypt$${2 ** 30}$8$1$${salt}$${hash}`,
      `scrypt$16384$0$1$${salt}$${hash}`,
      `scrypt$16384$8$1$$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$2$${salt}$${hash}`,
    ]) {
      await expect(verifyPassword('x', bad)).resolves.toBe(false);
    }
  });
});
