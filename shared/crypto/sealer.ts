/**
 * Opaque, tamper-evident tokens (list cursors): the text is encrypted and authenticated with
 * AES-256-GCM under a per-deployment key, bound to a purpose (a SCIM cursor cannot be replayed as
 * an audit cursor). A token that was edited, truncated, sealed under another key or for another
 * purpose does not open. Pure node:crypto, no AWS: the key comes from shared/crypto/cursor-key.ts.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Sealer } from '../scim/ports';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class AesGcmSealer implements Sealer {
  private constructor(private readonly key: Buffer) {}

  /** A sealer whose 256-bit key is derived (HKDF-SHA256) from a secret of at least 32 characters. */
  static fromSecret(secret: string): AesGcmSealer {
    if (secret.length < 32) throw new Error('The cursor secret must be at least 32 characters');
    return new AesGcmSealer(Buffer.from(hkdfSync('sha256', secret, 'scim-provisioning', 'list cursors v1', 32)));
  }

  /** A sealer with a random key (a process of its own: local runs and tests). */
  static random(): AesGcmSealer {
    return new AesGcmSealer(randomBytes(32));
  }

  seal(purpose: string, text: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  open(purpose: string, token: string): string | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) return undefined;
    const iv = raw.subarray(1, 1 + IV_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return undefined; // edited, or sealed under another key or purpose
    }
  }
}
