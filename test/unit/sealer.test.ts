/**
 * Sealed cursors (shared/crypto): opaque (the text inside cannot be read), tamper-evident (an edit
 * anywhere, a cut, another key or another purpose does not open), and keyed per deployment from
 * its secret.
 */
import { cursorSealer } from '../../shared/crypto/cursor-key';
import { AesGcmSealer } from '../../shared/crypto/sealer';

const SECRET = 'a-deployment-secret-of-sixty-four-characters-0123456789abcdefghij';
const TEXT = JSON.stringify({ v: 1, exp: 4102444800, state: { mode: 'position', position: { PK: 'USER#42', SK: 'USER' }, offset: 200 } });

describe('sealed tokens', () => {
  const sealer = AesGcmSealer.fromSecret(SECRET);

  it('open to the text sealed, for the same purpose, and reveal nothing of it', () => {
    const token = sealer.seal('cursor', TEXT);
    expect(sealer.open('cursor', token)).toBe(TEXT);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const raw = Buffer.from(token, 'base64url').toString('latin1');
    for (const visible of ['USER', 'PK', 'position', 'offset', '4102444800']) expect(raw).not.toContain(visible);
    expect(sealer.seal('cursor', TEXT)).not.toBe(token); // a fresh IV each time
  });

  it('do not open when any character is changed, when cut or lengthened, or when garbage', () => {
    const token = sealer.seal('cursor', TEXT);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < token.length; i++) {
      const other = alphabet[(alphabet.indexOf(token[i] ?? 'A') + 1) % alphabet.length] ?? 'A';
      const edited = `${token.slice(0, i)}${other}${token.slice(i + 1)}`;
      // The last character may only carry padding bits: an edit there can decode to the same bytes.
      if (Buffer.from(edited, 'base64url').equals(Buffer.from(token, 'base64url'))) continue;
      expect({ i, opened: sealer.open('cursor', edited) }).toEqual({ i, opened: undefined });
    }
    for (const bad of [token.slice(0, -1), token.slice(0, 20), `${token}AA`, '', 'e30', '!!!', Buffer.from(TEXT).toString('base64url')]) {
      expect(sealer.open('cursor', bad)).toBeUndefined();
    }
  });

  it('do not open under another deployment’s key, or for another purpose', () => {
    const token = sealer.seal('cursor', TEXT);
    expect(AesGcmSealer.fromSecret(`${SECRET}x`).open('cursor', token)).toBeUndefined();
    expect(AesGcmSealer.random().open('cursor', token)).toBeUndefined();
    expect(sealer.open('audit', token)).toBeUndefined();
  });

  it('take their key from the deployment’s secret when one is configured (once per container), else a random one', async () => {
    const reads: string[] = [];
    const env = { CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cursor' };
    const get = cursorSealer(env, async (id) => (reads.push(id), SECRET));
    const token = (await get()).seal('cursor', TEXT);
    expect(sealer.open('cursor', token)).toBe(TEXT); // the same secret, the same key
    await get();
    expect(reads).toEqual([env.CURSOR_SECRET_ARN]);
    const local = await cursorSealer({})();
    expect(local.open('cursor', token)).toBeUndefined();
  });

  it('read the secret again after a failed read', async () => {
    let calls = 0;
    const get = cursorSealer({ CURSOR_SECRET_ARN: 'arn' }, async () => {
      if (++calls === 1) throw new Error('extension not ready');
      return SECRET;
    });
    await expect(get()).rejects.toThrow('extension not ready');
    await expect(get()).resolves.toBeInstanceOf(AesGcmSealer);
    expect(calls).toBe(2);
  });

  it('refuse a secret too short to be a key', () => {
    expect(() => AesGcmSealer.fromSecret('short')).toThrow(/at least 32/);
  });
});
