/**
 * What the functions write to CloudWatch, captured from this process's stdout and stderr with
 * metrics on and logs at DEBUG: Powertools log lines carry the Lambda context, embedded metrics
 * count SCIM requests by operation and outcome and refusals by reason, the token-expiry job reports
 * expiring tokens, and nothing written names a token, an Authorization header, a password or any
 * value a SCIM request carried.
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';

type Line = Record<string, unknown>;

describe('logs and metrics', () => {
  let stack: TestStack;
  let token: string;
  const captured: string[] = [];
  const writes: { stream: NodeJS.WriteStream; original: NodeJS.WriteStream['write'] }[] = [];

  const scim = (method: string, path: string, body?: unknown, auth = `Bearer ${token}`): Promise<Response> =>
    fetch(`${stack.scimBaseUrl}${path}`, {
      method,
      headers: { Authorization: auth, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const jsonLines = (): Line[] =>
    captured
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
  const metricsNamed = (name: string): Line[] =>
    jsonLines().filter((l) =>
      (l._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined)?.CloudWatchMetrics?.[0]?.Metrics.some(
        (m) => m.Name === name,
      ),
    );

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream) as NodeJS.WriteStream['write'];
      writes.push({ stream, original });
      // Kept, not printed: the test reads them.
      stream.write = ((chunk: unknown) => {
        captured.push(String(chunk));
        return true;
      }) as NodeJS.WriteStream['write'];
    }
    // Before the functions load: they read their configuration once, at cold start.
    stack = await startTestStack({ POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    // A token that expires in 5 days.
    token = await seedToken(stack.tokens, new Date(Date.now() - 360 * 24 * 3600 * 1000));
  });
  afterAll(async () => {
    for (const { stream, original } of writes) stream.write = original;
    await stack.stop();
  });

  it('count SCIM requests by operation and outcome', async () => {
    const user = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'pat.payload@example.com',
      password: 'Sup3r-secret-pw!',
      name: { givenName: 'PayloadGiven' },
    };
    const created = await scim('POST', '/Users', user);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await scim('POST', '/Users', user)).status).toBe(409);
    expect((await scim('GET', `/users/${id}`)).status).toBe(200); // through the case-insensitive route
    expect((await scim('GET', '/Users/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const seen = metricsNamed('ScimRequests').map((l) => `${String(l.operation)}:${String(l.outcome)}:${String(l.ScimRequests)}`);
    expect(seen).toEqual(
      expect.arrayContaining(['createUser:success:1', 'createUser:clientError:1', 'getUser:success:1', 'getUser:clientError:1']),
    );
    const [line] = metricsNamed('ScimRequests');
    expect(line?._aws).toMatchObject({
      CloudWatchMetrics: [{ Namespace: 'ScimProvisioning', Dimensions: [['service', 'operation', 'outcome']] }],
    });
  });

  it('count refused authentications by reason, and log them with the Lambda context', async () => {
    expect((await scim('GET', '/Users', undefined, 'Bearer not-a-token')).status).toBe(401);
    const reasons = metricsNamed('AuthRefusals').map((l) => l.reason);
    expect(reasons).toContain('malformed');
    const refused = jsonLines().find((l) => l.message === 'SCIM token refused');
    expect(refused).toMatchObject({
      level: 'INFO',
      reason: 'malformed',
      function_name: 'scim-authorizer',
      cold_start: expect.any(Boolean),
      function_request_id: expect.any(String),
    });
  });

  it('report tokens that expire within 30 and 7 days from the token-expiry job', async () => {
    await stack.runTokenExpiry();
    expect(metricsNamed('TokensExpiringWithin30Days').at(-1)).toMatchObject({ TokensExpiringWithin30Days: 1 });
    expect(metricsNamed('TokensExpiringWithin7Days').at(-1)).toMatchObject({ TokensExpiringWithin7Days: 1 });
    expect(jsonLines().find((l) => l.message === 'SCIM token expiry run')).toMatchObject({
      function_name: 'token-expiry',
      function_request_id: expect.any(String),
    });
  });

  it('report the membership-cleanup backlog', async () => {
    await stack.runMembershipCleanup();
    expect(metricsNamed('MembershipCleanupBacklog').at(-1)).toMatchObject({ MembershipCleanupBacklog: expect.any(Number) });
  });

  it('never carry a token, an Authorization header, a password or a value from a SCIM request', () => {
    const all = captured.join('');
    expect(all.length).toBeGreaterThan(1000);
    // The token's secret part (after scim_<id>_); its id may be logged, it names the token without unlocking it.
    const secretPart = token.split('_')[2] ?? token;
    for (const secret of [token, secretPart, 'Bearer', 'authorization', 'Sup3r-secret-pw!', 'pat.payload', 'PayloadGiven', 'not-a-token']) {
      expect({ secret, found: all.toLowerCase().includes(secret.toLowerCase()) }).toEqual({ secret, found: false });
    }
  });
});
