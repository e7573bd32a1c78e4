import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { scimErrors } from '../../shared/http/middleware';
import { ScimError } from '../../shared/scim/messages/error';

const event = { resource: '/api/scim/v2/Users', httpMethod: 'GET' } as APIGatewayProxyEvent;
const context = {} as Context;

describe('SCIM error mapping', () => {
  const logged: Record<string, unknown>[] = [];
  const log = {
    info: () => undefined,
    warn: () => undefined,
    error: (_m: string, extra: Record<string, unknown>) => void logged.push(extra),
  };
  const handle = (error: unknown): Promise<APIGatewayProxyResult> =>
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(scimErrors(log))
      .handler(async () => {
        throw error;
      })(event, context);

  it('answers a ScimError with its status, scimType, detail and headers', async () => {
    const res = await handle(ScimError.typed('invalidFilter', 'Invalid filter: unknown operator "xx" at position 10'));
    expect(res.statusCode).toBe(400);
    expect(res.headers).toEqual({ 'Content-Type': 'application/scim+json' });
    expect(JSON.parse(res.body)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'Invalid filter: unknown operator "xx" at position 10',
    });
  });

  it('answers anything else with a 500 that tells nothing of the cause, and logs it', async () => {
    const res = await handle(new TypeError("Cannot read properties of undefined (reading 'x') at /var/task/index.js:1:2"));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/TypeError|index\.js|reading/);
    expect(JSON.parse(res.body)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '500',
      detail: 'The service could not complete the request. Try again later.',
    });
    expect(logged[0]).toMatchObject({ errorName: 'TypeError', resource: '/api/scim/v2/Users', method: 'GET' });
  });

  it('only builds valid status/scimType pairs', () => {
    expect(ScimError.typed('uniqueness', 'x').status).toBe(409);
    expect(ScimError.typed('mutability', 'x').status).toBe(400);
    expect(ScimError.of(412, 'x').scimType).toBeUndefined();
  });
});
