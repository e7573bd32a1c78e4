import { authorizeUrl, challengeOf, jwtClaims, logoutUrl, randomString, rolesOf, tokenRequestBody } from '../../infra/console/src/lib/pkce';
import { parseRoute } from '../../infra/console/src/lib/routes';

describe('sign-in with the authorization code and PKCE', () => {
  it('makes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43 base64url characters, different each time', () => {
    const a = randomString();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomString()).not.toBe(a);
  });

  it('asks the managed login for a code with the challenge, and trades it with the verifier', () => {
    const url = new URL(
      authorizeUrl({
        signInDomain: 'https://admin.auth.eu-west-1.amazoncognito.com/',
        clientId: 'client1',
        redirectUri: 'https://d1.cloudfront.net/',
        state: 'st',
        challenge: 'ch',
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://admin.auth.eu-west-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client1',
      redirect_uri: 'https://d1.cloudfront.net/',
      scope: 'openid email profile',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(
      Object.fromEntries(new URLSearchParams(tokenRequestBody({ clientId: 'c', redirectUri: 'https://r/', code: 'k', verifier: 'v' }))),
    ).toEqual({
      grant_type: 'authorization_code',
      client_id: 'c',
      redirect_uri: 'https://r/',
      code: 'k',
      code_verifier: 'v',
    });
    expect(logoutUrl({ signInDomain: 'https://a.example', clientId: 'c', logoutUri: 'https://r/' })).toBe(
      'https://a.example/logout?client_id=c&logout_uri=https%3A%2F%2Fr%2F',
    );
  });

  it("reads the roles and who from an ID token's payload (UTF-8 included), and nothing from garbage", () => {
    const payload = Buffer.from(JSON.stringify({ sub: 's', email: 'zoë@example.com', 'cognito:groups': ['Owner', 7] })).toString(
      'base64url',
    );
    const jwt = `e30.${payload}.sig`;
    expect(rolesOf(jwt)).toEqual(['Owner']);
    expect(jwtClaims(jwt).email).toBe('zoë@example.com');
    expect(rolesOf('not a jwt')).toEqual([]);
    expect(jwtClaims('a.!!!.b')).toEqual({});
  });
});

describe('the console’s addresses', () => {
  it('maps #/… to a page, and anything else to Provisioning', () => {
    expect(parseRoute('')).toEqual({ page: 'provisioning' });
    expect(parseRoute('#/users')).toEqual({ page: 'users' });
    expect(parseRoute('#/users/a%2Fb')).toEqual({ page: 'users', id: 'a/b' });
    expect(parseRoute('#/groups/g1')).toEqual({ page: 'groups', id: 'g1' });
    expect(parseRoute('#/audit/x')).toEqual({ page: 'audit' });
    expect(parseRoute('#/nope')).toEqual({ page: 'provisioning' });
    expect(parseRoute('#/users/%E0%A4%A')).toEqual({ page: 'users' });
  });
});
