/// <reference lib="dom" />
/**
 * The deployed console's sign-in, in Chromium: the authorization code grant with PKCE against a
 * stand-in for the Cognito managed login (Playwright answers its authorize, token and logout
 * endpoints), the ID token kept in memory only, and sign-out. The console's config.json is the
 * deployed shape (mode "cognito"); the admin API is the local gateway, which verifies the ID token
 * as the Cognito authorizer would. (The CSP is bypassed in this one context: the stand-in has no
 * origin the local policy could name. The policy itself is tested where the pages are served.)
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { buildConsoleAsync } from '../../infra/console/build';
import type { CognitoConsoleConfig } from '../../infra/console/src/config';
import { launchChromium, screenshot } from '../support/browser';
import { startTestStack, type TestStack } from '../support/local-stack';

const COGNITO = 'https://admin-test.auth.eu-west-1.amazoncognito.com';
const CLIENT_ID = 'console-client-id';

interface SignInPage {
  page: Page;
  context: BrowserContext;
  consoleUrl: string;
  authorizations: URLSearchParams[];
  tokenRequests: URLSearchParams[];
  idToken: string;
}

describe('the console signs in with the managed login (authorization code + PKCE) and out', () => {
  let stack: TestStack;
  let consoleDir: string;
  let browser: Browser;

  beforeAll(async () => {
    consoleDir = await mkdtemp(join(tmpdir(), 'console-build-'));
    await buildConsoleAsync(consoleDir);
    stack = await startTestStack({}, 0, {});
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await rm(consoleDir, { recursive: true, force: true });
  });

  /** A page whose console has the deployed config, and a stand-in managed login; `tamper` makes it refuse the code. */
  async function signInPage(tamper = false): Promise<SignInPage> {
    // The console's files and a deployed-shape config.json, served (by Playwright, from the build) at
    // the gateway's origin, as CloudFront serves them beside the API.
    const origin = new URL(stack.adminBaseUrl).origin;
    const consoleUrl = `${origin}/console/`;
    const config: CognitoConsoleConfig = {
      mode: 'cognito',
      apiBase: stack.adminBaseUrl,
      signInDomain: COGNITO,
      clientId: CLIENT_ID,
      redirectUri: consoleUrl,
      logoutUri: consoleUrl,
      manageRoles: ['Owner', 'SystemAdmin'],
    };
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.route(`${origin}/console/**`, async (route: Route) => {
      const path = new URL(route.request().url()).pathname.slice('/console/'.length);
      if (path === 'config.json') return route.fulfill({ json: config });
      const file = path === '' ? 'index.html' : path;
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
      return route.fulfill({ body: await readFile(join(consoleDir, file), 'utf8'), contentType: type });
    });

    const authorizations: URLSearchParams[] = [];
    const tokenRequests: URLSearchParams[] = [];
    const codes = new Map<string, { challenge: string; redirectUri: string }>();
    const idToken = await stack.signAdminToken('Owner');
    await page.route(`${COGNITO}/**`, async (route: Route) => {
      const url = new URL(route.request().url());
      const cors = { 'Access-Control-Allow-Origin': origin };
      if (url.pathname === '/oauth2/authorize') {
        authorizations.push(url.searchParams);
        const code = randomUUID();
        codes.set(code, {
          // Tampered: the stored challenge is not the one sent, so no verifier can match it.
          challenge: tamper ? 'not-the-challenge' : (url.searchParams.get('code_challenge') ?? ''),
          redirectUri: url.searchParams.get('redirect_uri') ?? '',
        });
        const back = `${url.searchParams.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}`;
        return route.fulfill({ contentType: 'text/html', body: `<meta http-equiv="refresh" content="0;url=${back}">` });
      }
      if (url.pathname === '/oauth2/token') {
        if (route.request().method() === 'OPTIONS')
          return route.fulfill({ status: 204, headers: { ...cors, 'Access-Control-Allow-Headers': 'Content-Type' } });
        const form = new URLSearchParams(route.request().postData() ?? '');
        tokenRequests.push(form);
        const issued = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const s256 = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        const ok =
          issued && issued.challenge === s256 && issued.redirectUri === form.get('redirect_uri') && form.get('client_id') === CLIENT_ID;
        return ok
          ? route.fulfill({ json: { id_token: idToken, access_token: 'unused', token_type: 'Bearer', expires_in: 3600 }, headers: cors })
          : route.fulfill({ status: 400, json: { error: 'invalid_grant' }, headers: cors });
      }
      if (url.pathname === '/logout') {
        return route.fulfill({
          contentType: 'text/html',
          body: `<title>Signed out</title><h1>Signed out of ${url.searchParams.get('client_id')}</h1>`,
        });
      }
      return route.fulfill({ status: 404, body: '' });
    });

    return { page, context, consoleUrl, authorizations, tokenRequests, idToken };
  }

  it('goes to the managed login with an S256 challenge, trades the code with the verifier, keeps the token in memory, signs out', async () => {
    const { page, context, consoleUrl, authorizations, tokenRequests, idToken } = await signInPage();
    await page.goto(consoleUrl);
    await page.getByRole('heading', { level: 1, name: 'Provisioning' }).waitFor();
    await page.getByText('owner@localhost (Owner)').waitFor();

    // The authorize request: the code grant, this client, its callback, S256, a state.
    expect(authorizations).toHaveLength(1);
    const asked = Object.fromEntries(authorizations[0] ?? []);
    expect(asked).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: consoleUrl,
      scope: 'openid email profile',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    // One token request, with a verifier that matched the challenge (the stand-in refused anything else).
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.get('grant_type')).toBe('authorization_code');
    expect(tokenRequests[0]?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The code left the address bar; the tokens are in memory only; the verifier is gone.
    expect(new URL(page.url()).search).toBe('');
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
    expect(stored).toBe('{"local":{},"session":{}}');
    expect(await page.content()).not.toContain(idToken);
    // The admin API answered with that ID token: the page shows provisioning's state.
    await page.getByRole('heading', { name: 'Provisioning is off' }).waitFor();
    await screenshot(page, '16-signed-in-with-cognito');

    // Sign out: to the managed login's logout, with this client and the configured logout URL.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: `Signed out of ${CLIENT_ID}` }).waitFor();
    const out = new URL(page.url());
    expect(`${out.origin}${out.pathname}`).toBe(`${COGNITO}/logout`);
    expect(Object.fromEntries(out.searchParams)).toEqual({ client_id: CLIENT_ID, logout_uri: consoleUrl });
    await context.close();
  }, 60_000);

  it('says so when the code is refused (a verifier that does not match), and does not loop back to the sign-in', async () => {
    const { page, context, authorizations, tokenRequests } = await signInPage(true);
    await page.goto(`${new URL(stack.adminBaseUrl).origin}/console/`);
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed (invalid_grant): reload to sign in again.' }).waitFor();
    await page.waitForTimeout(300);
    expect([authorizations.length, tokenRequests.length]).toEqual([1, 1]);
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).toBe('{}');
    await context.close();
  }, 60_000);
});
