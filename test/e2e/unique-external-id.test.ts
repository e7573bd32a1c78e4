import { seedToken, startTestStack, type TestStack } from '../support/local-stack';

// Its own file: the SCIM function reads SCIM_UNIQUE_EXTERNAL_ID once, at cold start.
describe('with SCIM_UNIQUE_EXTERNAL_ID=true (cdk deploy -c uniqueExternalId=true)', () => {
  let stack: TestStack;
  let token: string;
  beforeAll(async () => {
    stack = await startTestStack({ SCIM_UNIQUE_EXTERNAL_ID: 'true' });
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const post = (userName: string, externalId: string): Promise<Response> =>
    fetch(`${stack.scimBaseUrl}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, externalId }),
    });

  it('answers a second user with the same externalId with 409 uniqueness, and a deleted one comes back', async () => {
    const first = await post('first@example.com', 'ext-42');
    expect(first.status).toBe(201);
    const second = await post('second@example.com', 'ext-42');
    expect(second.status).toBe(409);
    expect(await second.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'A User with externalId "ext-42" already exists.',
    });
    const { id } = (await first.json()) as { id: string };
    await fetch(`${stack.scimBaseUrl}/Users/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    const again = await post('first@example.com', 'ext-42');
    expect(again.status).toBe(201);
    expect(((await again.json()) as { id: string }).id).toBe(id);
  });

  it("frees a deleted group's externalId, and creates a group of 95 members with one in a single request", async () => {
    const group = (displayName: string, members: { value: string }[] = []): RequestInit => ({
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, externalId: 'g-ext', members }),
    });
    const created = await fetch(`${stack.scimBaseUrl}/Groups`, group('Doomed'));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`${stack.scimBaseUrl}/Groups`, group('Other'))).status).toBe(409);
    await fetch(`${stack.scimBaseUrl}/Groups/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });

    const members: { value: string }[] = [];
    for (let i = 0; i < 95; i++) {
      const res = await post(`member${i}@example.com`, `m-${i}`);
      members.push({ value: ((await res.json()) as { id: string }).id });
    }
    const again = await fetch(`${stack.scimBaseUrl}/Groups`, group('Reborn', members));
    expect(again.status).toBe(201);
    expect(((await again.json()) as { members: unknown[] }).members).toHaveLength(95);
  });
});
