/**
 * The cursor key in AWS: read through the AWS Parameters and Secrets Lambda extension's local
 * endpoint, as its documentation describes it (GET /secretsmanager/get?secretId=…, the function's
 * session token in X-Aws-Parameters-Secrets-Token). A stand-in for the extension listens here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CursorKeyError, secretFromExtension } from '../../shared/crypto/cursor-key';

describe('the cursor secret, through the Parameters and Secrets extension', () => {
  let server: Server;
  let port: string;
  const seen: { url?: string; token?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', token: String(req.headers['x-aws-parameters-secrets-token'] ?? '') });
      if (req.headers['x-aws-parameters-secrets-token'] !== 'session-token') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Name: 'cursor', SecretString: 'the-secret' }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = String((server.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
  });

  it('asks for the secret by its ARN with the session token, and returns its string', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cursor-AbCdEf';
    const secret = await secretFromExtension(arn, { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: port, AWS_SESSION_TOKEN: 'session-token' });
    expect(secret).toBe('the-secret');
    expect(seen.at(-1)).toEqual({ url: `/secretsmanager/get?secretId=${encodeURIComponent(arn)}`, token: 'session-token' });
  });

  it('fails loudly when the extension refuses', async () => {
    await expect(
      secretFromExtension('arn', { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: port, AWS_SESSION_TOKEN: 'wrong' }),
    ).rejects.toBeInstanceOf(CursorKeyError);
  });
});
