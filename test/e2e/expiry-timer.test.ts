import { startTestStack } from '../support/local-stack';

// Its own file: one process (one Jest module registry) serves one table, as one Lambda instance does.
describe('the local stack runs the token-expiry function on a timer', () => {
  it('marks an expired token Expired without being asked', async () => {
    const stack = await startTestStack({}, 100);
    try {
      await stack.tokens.setEnabled(true, 'test', new Date().toISOString());
      await stack.tokens.createToken(
        {
          id: 'AAAAAAAAAAAAAAAA',
          name: 'old',
          hint: 'abcd',
          hash: '0'.repeat(64),
          createdAt: '2024-01-01T00:00:00.000Z',
          expiresAt: '2025-01-01T00:00:00.000Z',
          status: 'Active',
          createdBy: 'test',
        },
        2,
      );
      const deadline = Date.now() + 10_000;
      while ((await stack.tokens.getToken('AAAAAAAAAAAAAAAA'))?.status !== 'Expired' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await stack.tokens.getToken('AAAAAAAAAAAAAAAA'))?.status).toBe('Expired');
    } finally {
      await stack.stop();
    }
  });
});
