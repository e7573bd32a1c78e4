/**
 * Where the per-deployment key that seals cursors comes from. In AWS: a Secrets Manager secret
 * the stack generates (its ARN in this variable), read through the AWS Parameters and Secrets
 * Lambda extension's local HTTP endpoint (no SDK client in the bundle; the extension caches it).
 * Locally and in tests: unset, and a random key per process (cursors then last as long as it).
 */
import type { Sealer } from '../scim/ports';
import { AesGcmSealer } from './sealer';

export const CURSOR_SECRET_ENV = 'CURSOR_SECRET_ARN';
/** The extension's port (the extension's own variable; 2773 by default). */
const EXTENSION_PORT_ENV = 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT';

export class CursorKeyError extends Error {
  override readonly name = 'CursorKeyError';
}

/** Reads a secret's string through the Parameters and Secrets extension. */
export async function secretFromExtension(secretId: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const port = env[EXTENSION_PORT_ENV] ?? '2773';
  const res = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!res.ok) throw new CursorKeyError(`The Parameters and Secrets extension answered ${res.status} for the cursor secret`);
  const body = (await res.json()) as { SecretString?: unknown };
  if (typeof body.SecretString !== 'string') throw new CursorKeyError('The cursor secret has no SecretString');
  return body.SecretString;
}

/**
 * The sealer of this function's cursors, made once per container: from the deployment's secret
 * when CURSOR_SECRET_ARN is set, else with a random key. A failed read is tried again next time.
 */
export function cursorSealer(
  env: NodeJS.ProcessEnv = process.env,
  read: (secretId: string) => Promise<string> = (id) => secretFromExtension(id, env),
): () => Promise<Sealer> {
  let made: Promise<Sealer> | undefined;
  return () => {
    const secretId = env[CURSOR_SECRET_ENV];
    made ??= (secretId ? read(secretId).then((secret) => AesGcmSealer.fromSecret(secret)) : Promise.resolve(AesGcmSealer.random())).catch(
      (e: unknown) => {
        made = undefined;
        throw e;
      },
    );
    return made;
  };
}
