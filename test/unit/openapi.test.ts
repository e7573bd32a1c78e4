import SwaggerParser from '@apidevtools/swagger-parser';
import { adminOpenApi } from '../../shared/http/openapi';

const TOKEN_URL = 'https://oauth.example.com/prod/api/oauth2/token';
import { ROUTES } from '../../shared/http/routes';

const SERVER = 'https://example.execute-api.eu-west-1.amazonaws.com/prod/api/admin/v1';

describe('the OpenAPI description of the admin API', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = adminOpenApi(SERVER, TOKEN_URL);
    expect(doc.openapi).toBe('3.1.0');
    // validate() throws on any schema or reference error; it dereferences a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('lists every admin route of the route table and the token endpoint, and nothing else', () => {
    const doc = adminOpenApi(SERVER, TOKEN_URL) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => m !== 'servers')
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routed = ROUTES.filter((r) => (r.api === 'admin' || r.api === 'oauth') && r.method !== 'ANY').map(
      (r) => `${r.method} ${r.path.replace('/api/admin/v1', '')}`,
    );
    expect(documented.sort()).toEqual(routed.sort());
    expect(routed).toEqual(
      expect.arrayContaining(['PUT /provisioning', 'POST /provisioning/tokens', 'DELETE /provisioning/tokens/{id}', 'GET /audit']),
    );
  });

  it('describes errors as RFC 9457 problem details, and every signed-in operation answers 401 with them, and every change 403 (any signed-in role reads)', () => {
    const doc = adminOpenApi(SERVER, TOKEN_URL) as {
      paths: Record<
        string,
        Record<string, { security: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
      >;
      components: { schemas: { Problem: { required: string[] } } };
    };
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status']);
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (path === '/api/oauth2/token') continue; // the token endpoint speaks RFC 6749 (its own test below)
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400) {
            expect({ path, method, status, content: Object.keys(response.content ?? {}) }).toEqual({
              path,
              method,
              status,
              content: ['application/problem+json'],
            });
          }
        }
        if (path === '/openapi.json') {
          expect(op.security).toEqual([]);
        } else {
          expect(op.security).toEqual([{ adminSignIn: [] }]);
          expect(Object.keys(op.responses)).toContain('401');
          expect([path, method, Object.keys(op.responses).includes('403')]).toEqual([path, method, method !== 'get']);
        }
      }
    }
  });

  it('gives request and response schemas: the token answer carries its value, the audit page its cursor', () => {
    const doc = adminOpenApi(SERVER, TOKEN_URL) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const generate = doc.paths['/provisioning/tokens']?.post as { requestBody: unknown; responses: Record<string, unknown> };
    expect(JSON.stringify(generate.requestBody)).toContain('"name"');
    expect(JSON.stringify(generate.responses['201'])).toContain('"token"');
    const audit = doc.paths['/audit']?.get as { parameters: { name: string; in: string }[] };
    expect(audit.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['query:cursor', 'query:limit', 'query:since']);
    expect(doc).toMatchObject({ servers: [{ url: SERVER }] });
  });

  it('describes the token endpoint as Entra ID takes it: its own server, a form with the two grants, Bearer tokens of 60 to 360 minutes, RFC 6749 errors', () => {
    const doc = adminOpenApi(SERVER, TOKEN_URL) as { paths: Record<string, Record<string, unknown>> };
    const path = doc.paths['/api/oauth2/token'] as { servers: { url: string }[]; post: Record<string, unknown> };
    expect(path.servers).toEqual([{ url: 'https://oauth.example.com/prod' }]);
    const post = JSON.stringify(path.post);
    for (const s of [
      'application/x-www-form-urlencoded',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      '"minimum":3600',
      '"maximum":21600',
      'invalid_client',
    ]) {
      expect([s, post.includes(s)]).toEqual([s, true]);
    }
    expect(Object.keys((path.post as { responses: Record<string, unknown> }).responses)).toEqual(['200', '400', '401']);
  });
});
