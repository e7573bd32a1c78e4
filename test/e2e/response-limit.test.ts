/**
 * No response outgrows Lambda's 6 MB limit (issue 11): with users near the 300 KB resource limit,
 * a list page stops at its byte budget and returns fewer than `count` resources (RFC 7644 section
 * 3.4.2.4 lets a page hold fewer), and both ways of paging still see every user exactly once.
 * String attributes have maximum lengths (400 invalidValue above them).
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import { scimRequest, USER_SCHEMA, type Json, type ListBody } from '../support/scim-client';

const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;
const HEAVY_USERS = 25;

describe('responses within Lambda’s limit', () => {
  let stack: TestStack;
  let token: string;
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    scimRequest({ baseUrl: stack.scimBaseUrl, token }, method, path, body !== undefined ? { body } : {});
  /** A page as the client gets it, and how many bytes Lambda had to return for it (the body inside its JSON result). */
  const page = async (path: string): Promise<{ body: ListBody; lambdaBytes: number }> => {
    const res = await call('GET', path);
    const text = await res.text();
    expect({ status: res.status, body: text.slice(0, 300) }).toMatchObject({ status: 200 });
    return { body: JSON.parse(text) as ListBody, lambdaBytes: Buffer.byteLength(JSON.stringify({ statusCode: 200, body: text })) };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
    // 25 users of about 290 KB each (five certificates of 48,000 characters, quotes among them): 7 MB in all.
    for (let i = 0; i < HEAVY_USERS; i++) {
      const certificate = `${String(i).padStart(2, '0')}"quoted"`.repeat(5800).slice(0, 48_000);
      const res = await call('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: `heavy${String(i).padStart(2, '0')}@example.com`,
        x509Certificates: Array.from({ length: 5 }, (_, k) => ({ value: `${k}${certificate}`.slice(0, 48_000) })),
      });
      if (res.status !== 201) throw new Error(await res.text());
    }
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
  });

  it('stops a page by startIndex before 6 MB, and the next startIndex goes on from there: every user once', async () => {
    const seen: string[] = [];
    let startIndex = 1;
    for (let pages = 0; pages < 10 && startIndex <= HEAVY_USERS; pages++) {
      const { body, lambdaBytes } = await page(`/Users?count=100&startIndex=${startIndex}`);
      expect(lambdaBytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
      expect(body.totalResults).toBe(HEAVY_USERS);
      expect(body.itemsPerPage).toBe(body.Resources?.length);
      expect(body.startIndex).toBe(startIndex);
      seen.push(...(body.Resources ?? []).map((r) => String(r.userName)));
      startIndex += body.itemsPerPage;
    }
    expect(seen.length).toBe(HEAVY_USERS);
    expect(new Set(seen).size).toBe(HEAVY_USERS);
  });

  it('stops a page by cursor before 6 MB with a cursor to the rest, also sorted and filtered: every user once', async () => {
    for (const query of ['count=100', 'count=100&sortBy=userName', `count=100&filter=${encodeURIComponent('userName sw "heavy"')}`]) {
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      for (; pages < 10; pages++) {
        const { body, lambdaBytes } = await page(`/Users?${query}&cursor=${encodeURIComponent(cursor)}`);
        expect(lambdaBytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
        seen.push(...(body.Resources ?? []).map((r) => String(r.userName)));
        if (!body.nextCursor) break;
        expect(body.itemsPerPage).toBeLessThan(100);
        cursor = body.nextCursor;
      }
      expect({ query, pagesMoreThanOne: pages > 0, seen: seen.length, distinct: new Set(seen).size }).toEqual({
        query,
        pagesMoreThanOne: true,
        seen: HEAVY_USERS,
        distinct: HEAVY_USERS,
      });
    }
  });

  it('stops a root search (/.search) the same way', async () => {
    const res = await call('POST', '/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      count: 1000,
      cursor: '',
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(JSON.stringify({ body: text }))).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
    const body = JSON.parse(text) as ListBody;
    expect(body.Resources?.length).toBeLessThan(HEAVY_USERS);
    expect(typeof body.nextCursor).toBe('string');
  });

  it('refuses a string attribute over its maximum length with 400 invalidValue, in a POST and in a PATCH', async () => {
    const long = 'x'.repeat(16_385);
    const post = await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'long-nick@example.com', nickName: long });
    expect(post.status).toBe(400);
    expect((await post.json()) as Json).toMatchObject({ scimType: 'invalidValue' });
    const created = await call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'long-nick@example.com',
      nickName: 'x'.repeat(16_384),
    });
    expect(created.status).toBe(201);
    const id = String(((await created.json()) as Json).id);
    const patched = await call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: long }],
    });
    expect(patched.status).toBe(400);
    expect((await patched.json()) as Json).toMatchObject({ scimType: 'invalidValue' });
  });
});
