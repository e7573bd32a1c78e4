/**
 * The access tokens' signing key. In the stack: an AWS KMS key (ECC_NIST_P256, SIGN_VERIFY), whose
 * private half never leaves KMS; the token function signs through it, and the authorizer verifies
 * with its public key (read once per cold start). Locally: a P-256 key in a file under .local/
 * (created on first use, readable only by its owner), the same way the development admin key is kept.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { AccessTokenSigner } from '../tokens/access-token';

/** The KMS key's id or ARN (the stack's), or for local mode the key file's path. */
export const SIGNING_KEY_ID_ENV = 'OAUTH_SIGNING_KEY_ID';
export const SIGNING_KEY_FILE_ENV = 'OAUTH_SIGNING_KEY_FILE';

/** A DER ECDSA signature (what KMS returns) as JWS's raw r||s, each 32 bytes for P-256. */
export function derToJose(der: Uint8Array): Uint8Array {
  const bytes = Buffer.from(der);
  let i = 2;
  if (bytes[0] !== 0x30) throw new Error('Not a DER ECDSA signature');
  if ((bytes[1] ?? 0) & 0x80) i = 2 + ((bytes[1] ?? 0) & 0x7f);
  const part = (): Buffer => {
    if (bytes[i] !== 0x02) throw new Error('Not a DER ECDSA signature');
    const length = bytes[i + 1] ?? 0;
    const value = bytes.subarray(i + 2, i + 2 + length);
    i += 2 + length;
    const trimmed = value[0] === 0 ? value.subarray(1) : value;
    if (trimmed.length > 32) throw new Error('Not a P-256 signature');
    return Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]);
  };
  return Buffer.concat([part(), part()]);
}

export function kmsSigner(keyId: string, client: KMSClient = new KMSClient({})): AccessTokenSigner {
  let publicKey: Promise<KeyObject> | undefined;
  return {
    keyId: keyId.split('/').pop() ?? keyId,
    async sign(input) {
      const { Signature } = await client.send(
        new SignCommand({ KeyId: keyId, Message: input, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      if (!Signature) throw new Error('KMS returned no signature');
      return derToJose(Signature);
    },
    publicKey() {
      publicKey ??= client
        .send(new GetPublicKeyCommand({ KeyId: keyId }))
        .then(({ PublicKey }) => {
          if (!PublicKey) throw new Error('KMS returned no public key');
          return createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' });
        })
        .catch((e: unknown) => {
          publicKey = undefined;
          throw e;
        });
      return publicKey;
    },
  };
}

/** A local P-256 key kept in a file (PKCS#8 PEM, mode 0600), made on first use. */
export function fileSigner(file: string): AccessTokenSigner {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (written: unknown) {
      // Another function of the same local stack made it first: use theirs.
      if ((written as NodeJS.ErrnoException).code !== 'EEXIST') throw written;
      pem = readFileSync(file, 'utf8');
    }
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: 'local',
    sign: async (input) => sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    publicKey: async () => publicKey,
  };
}

/** The signer this function is configured with: KMS in the stack, the local key file in local mode. */
export function configuredSigner(env: NodeJS.ProcessEnv = process.env): AccessTokenSigner {
  const keyId = env[SIGNING_KEY_ID_ENV];
  if (keyId) return kmsSigner(keyId);
  const file = env[SIGNING_KEY_FILE_ENV];
  if (file) return fileSigner(file);
  throw new Error(`Set ${SIGNING_KEY_ID_ENV} (a KMS key) or ${SIGNING_KEY_FILE_ENV} (a local key file) for the access tokens' signing key`);
}
