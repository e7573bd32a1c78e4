/**
 * Local admin sign-in: a development signing key under .local/ stands in for the Cognito user
 * pool. The local gateway verifies admin JWTs with it, as the Cognito authorizer would.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';

export const DEV_ISSUER = 'urn:scim-provisioning:local-dev';
export const DEV_AUDIENCE = 'scim-provisioning-admin';
const ALG = 'ES256';

export interface DevKeys {
  sign(claims: { sub: string; email?: string; groups: string[] }, ttlSeconds?: number): Promise<string>;
  verify(token: string): Promise<Record<string, unknown>>;
}

async function loadOrCreateJwk(file: string): Promise<JWK> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

export async function devKeys(file: string): Promise<DevKeys> {
  const jwk = await loadOrCreateJwk(file);
  const privateKey = await importJWK({ ...jwk, alg: ALG }, ALG);
  const { d: _secret, ...publicJwk } = jwk;
  const publicKey = await importJWK({ ...publicJwk, alg: ALG }, ALG);
  return {
    async sign(claims, ttlSeconds = 30 * 24 * 3600) {
      return new SignJWT({ 'cognito:groups': claims.groups, email: claims.email, token_use: 'id' })
        .setProtectedHeader({ alg: ALG })
        .setSubject(claims.sub)
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, publicKey, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: [ALG] });
      return payload as Record<string, unknown>;
    },
  };
}
