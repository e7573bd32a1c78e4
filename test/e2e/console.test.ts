/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The admin console in a real Chromium against `npm start` (the same process: infra/local/start.ts,
 * in memory): the whole Provisioning story an administrator walks, the views beside it, the
 * read-only view of another role, accessibility (axe-core) on every page, and both screen sizes.
 * Elements are found by role and accessible name, as a person (or a screen reader) finds them.
 * Screenshots of each step go to test/e2e/screenshots (git-ignored).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../infra/local/dynamodb-local';
import { launchChromium, screenshot, seriousViolations } from '../support/browser';

const root = join(__dirname, '..', '..');
const DAY_MS = 24 * 3600 * 1000;
/** yyyy-MM-dd (UTC) of a moment. */
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function started(child: ChildProcess, timeoutMs = 90_000): Promise<string> {
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`npm start did not come up: ${out}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        ok(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`npm start exited with ${code}: ${out}`)));
  });
}

describe('the admin console in Chromium, against npm start', () => {
  let child: ChildProcess;
  let localDir: string;
  let origin: string;
  let scimBase: string;
  let adminBase: string;
  let ownerJwt: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];

  const scimStatus = async (token: string): Promise<number> =>
    (await fetch(`${scimBase}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } })).status;
  const expectAccessible = async (where: string): Promise<void> => {
    expect([where, await seriousViolations(page)]).toEqual([where, []]);
  };
  const nav = async (name: string, heading: string): Promise<void> => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  /** The token's value must be nowhere: not in the DOM, not in a field's value, not in either storage. */
  const expectGone = async (value: string): Promise<void> => {
    const found = await page.evaluate(
      (v) => ({
        html: document.documentElement.outerHTML.includes(v),
        fields: [...document.querySelectorAll('input, textarea')].some((el) => (el as HTMLInputElement).value.includes(v)),
        text: document.body.innerText.includes(v),
        local: JSON.stringify({ ...localStorage }).includes(v),
        session: JSON.stringify({ ...sessionStorage }).includes(v),
      }),
      value,
    );
    expect(found).toEqual({ html: false, fields: false, text: false, local: false, session: false });
  };
  const generate = async (name: string, days: string): Promise<string> => {
    await page.getByRole('button', { name: 'Generate Token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate Token' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Valid for').selectOption(days);
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
    const shown = page.getByRole('alertdialog', { name: 'Your new SCIM token' });
    await shown.waitFor();
    return shown.getByRole('textbox').inputValue();
  };

  beforeAll(async () => {
    localDir = await mkdtemp(join(tmpdir(), 'scim-console-'));
    const port = await freePort();
    child = spawn(process.execPath, [require.resolve('tsx/cli'), 'infra/local/start.ts', '--in-memory'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), SCIM_LOCAL_DIR: localDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = await started(child);
    origin = `http://127.0.0.1:${port}`;
    expect(out).toContain(`Admin console:  ${origin}/admin/`);
    scimBase = `${origin}/api/scim/v2`;
    adminBase = `${origin}/api/admin/v1`;
    ownerJwt = (JSON.parse(await readFile(join(localDir, 'dev.json'), 'utf8')) as { adminToken: string }).adminToken;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGINT');
      await exited;
    }
    await rm(localDir, { recursive: true, force: true });
  });

  it('walks the Provisioning story: enable, copy, generate, confirm, use, list, limit, warn, delete, disable', async () => {
    await page.goto(`${origin}/admin/`);
    await page.getByRole('heading', { level: 1, name: 'Provisioning' }).waitFor();
    await screenshot(page, '01-provisioning-off');
    await expectAccessible('Provisioning, off');

    // Enable.
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    await expect(page.getByRole('heading', { name: 'Provisioning is on' }).isVisible()).resolves.toBe(true);

    // The SCIM endpoint, copied.
    const endpoint = page.getByRole('region', { name: 'SCIM Endpoint' });
    await expect(endpoint.getByRole('textbox', { name: 'SCIM Endpoint' }).inputValue()).resolves.toBe(scimBase);
    await endpoint.getByRole('button', { name: 'Copy' }).click();
    await endpoint.getByText('Copied to the clipboard.').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(scimBase);
    await screenshot(page, '02-provisioning-on');

    // Generate Token: a name and a lifetime, shown as the expiry date.
    const opener = page.getByRole('button', { name: 'Generate Token' });
    // By keyboard: Enter opens the dialog with focus on its first field, Escape closes it and gives focus back.
    await opener.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Generate Token' }).waitFor();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('token-name');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Generate Token' }).waitFor({ state: 'hidden' });
    await expect(opener.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await opener.click();
    const form = page.getByRole('dialog', { name: 'Generate Token' });
    const now = Date.now();
    await expect(form.getByText(/^Expires on /).textContent()).resolves.toMatch(
      new RegExp(`Expires on (${utcDay(now + 365 * DAY_MS)}|${utcDay(now + 366 * DAY_MS)})`),
    );
    await expect(form.getByLabel('Valid for').inputValue()).resolves.toBe('365');
    await form.getByLabel('Valid for').selectOption('90');
    await expect(form.getByText(/^Expires on /).textContent()).resolves.toContain(utcDay(now + 90 * DAY_MS));
    await form.getByLabel('Valid for').selectOption('365');
    await form.getByLabel('Name').fill('Okta');
    await screenshot(page, '03-generate-token');
    await expectAccessible('Generate Token dialog');
    await form.getByRole('button', { name: 'Generate', exact: true }).click();

    // The value, once, with a Copy button and the warning; focus stays in the dialog.
    const shown = page.getByRole('alertdialog', { name: 'Your new SCIM token' });
    await shown.waitFor();
    await shown.getByText('this token cannot be shown again').waitFor();
    const okta = await shown.getByRole('textbox').inputValue();
    expect(okta).toMatch(/^scim_\S{30,}$/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(okta);
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')))).resolves.toBe(true);
    }
    await screenshot(page, '04-token-shown-once');
    await expectAccessible('the token dialog');
    await shown.getByRole('button', { name: 'Confirm' }).click();
    await shown.waitFor({ state: 'hidden' });
    // Focus is back on what opened the dialogs, and the value is gone.
    await expect(opener.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expectGone(okta);

    // The token works over SCIM: provision a user with it.
    const created = await fetch(`${scimBase}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${okta}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ann.lee@example.com',
        name: { givenName: 'Ann', familyName: 'Lee' },
        emails: [{ value: 'ann.lee@example.com', primary: true }],
        active: true,
      }),
    });
    expect(created.status).toBe(201);

    // Listed without its value: name, created, expires, status, last used.
    await page.reload();
    const row = page.getByRole('row', { name: /Okta/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(1, 5)).toEqual([
      expect.stringContaining('Okta'),
      utcDay(now),
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      'Active',
    ]);
    expect(cells[5]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/); // last used: the SCIM request above
    await expectGone(okta);

    // A second token (30 days: it expires within 30 days, so the page warns), then Generate Token is disabled, saying why.
    const entra = await generate('Entra', '30');
    await page.getByRole('alertdialog', { name: 'Your new SCIM token' }).getByRole('button', { name: 'Confirm' }).click();
    await expect(opener.isDisabled()).resolves.toBe(true);
    await page.getByText('At most 2 valid tokens can exist at once. Delete one to generate another.').waitFor();
    await expect(opener.getAttribute('aria-describedby')).resolves.toBe('generate-blocked');
    await page.getByText(/Expires soon: Token "Entra" expires in 29 days/).waitFor();
    await page
      .getByText(/set it in your identity provider, then delete the old one/)
      .first()
      .waitFor();
    // Focus had nowhere to go back to (the opener is disabled): the page's heading has it.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('page-heading');
    await screenshot(page, '05-two-tokens-limit');
    await expectAccessible('two tokens, Generate Token disabled');

    // Delete the first, after confirming.
    await page.getByRole('checkbox', { name: 'Select token Okta' }).check();
    await page.getByRole('button', { name: 'DELETE', exact: true }).click();
    const confirmDelete = page.getByRole('alertdialog', { name: 'Delete this token?' });
    await confirmDelete.getByText(/Okta: an identity provider using it is refused/).waitFor();
    await screenshot(page, '06-delete-confirm');
    await confirmDelete.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('row', { name: /Okta/ }).waitFor({ state: 'detached' });
    expect(await scimStatus(okta)).toBe(401);
    expect(await scimStatus(entra)).toBe(200);
    await expect(opener.isEnabled()).resolves.toBe(true);

    // A token within 7 days of its expiry (made through the admin API: the page offers 30 days at least) gets the stronger warning.
    const soon = await fetch(`${adminBase}/provisioning/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ownerJwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Rotation', expiresInDays: 3 }),
    });
    expect(soon.status).toBe(201);
    await page.reload();
    const urgent = page.getByRole('alert').filter({ hasText: 'Expires very soon: Token "Rotation" expires in 2 days' });
    await urgent.waitFor();
    await screenshot(page, '07-expiry-warnings');

    // Disable: a confirmation that says every token will be deleted; then none is left, and none works.
    await page.getByRole('button', { name: 'Disable' }).click();
    const confirmDisable = page.getByRole('alertdialog', { name: 'Disable provisioning?' });
    await confirmDisable.getByText('Every token will be deleted').waitFor();
    await screenshot(page, '08-disable-confirm');
    await expectAccessible('the disable dialog');
    await confirmDisable.getByRole('button', { name: /Disable and delete every token/ }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    await page.getByText('No tokens.').waitFor();
    expect(await scimStatus(entra)).toBe(401);
    const left = (await (await fetch(`${adminBase}/provisioning`, { headers: { Authorization: `Bearer ${ownerJwt}` } })).json()) as {
      tokens: unknown[];
    };
    expect(left.tokens).toEqual([]);
    expect(cspViolations).toEqual([]);
  }, 120_000);

  it('finds the user provisioned over SCIM by search, with its groups; shows groups, the audit log and events', async () => {
    await nav('Users', 'Users');
    await page.getByRole('searchbox', { name: 'Search users' }).fill('LEE');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const row = page.getByRole('row', { name: /ann\.lee@example\.com/ });
    await row.waitFor();
    await expect(row.getByRole('cell').allTextContents()).resolves.toEqual([
      'ann.lee@example.com',
      'Ann Lee',
      'ann.lee@example.com',
      'Active',
      expect.stringMatching(/UTC$/),
    ]);
    await page.getByRole('searchbox', { name: 'Search users' }).fill('nobody-here');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('No users match "nobody-here".').waitFor();
    await page.getByRole('searchbox', { name: 'Search users' }).fill('ann');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await screenshot(page, '09-users');
    await expectAccessible('Users');
    await page.getByRole('link', { name: 'ann.lee@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: 'ann.lee@example.com' }).waitFor();
    await page.getByText('In no group.').waitFor();
    await expectAccessible('a user');

    await nav('Groups', 'Groups');
    await page.getByText('No groups.').waitFor();
    await expectAccessible('Groups');
    await nav('Audit log', 'Audit log');
    await page
      .getByRole('cell', { name: /token\.generate/ })
      .first()
      .waitFor();
    await screenshot(page, '10-audit-log');
    await expectAccessible('Audit log');
    await nav('Events', 'Events and webhooks');
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
    // Register a webhook: its signing secret shown once; listed without it; its deliveries; deleted after confirming.
    const hookUrl = `${origin}/hook-for-console-test`;
    await page.getByRole('textbox', { name: 'Webhook URL' }).fill(hookUrl);
    await page.getByRole('button', { name: 'Register webhook' }).click();
    const secretDialog = page.getByRole('alertdialog', { name: "Your webhook's signing secret" });
    await secretDialog.getByText('this secret cannot be shown again').waitFor();
    const secret = await secretDialog.getByRole('textbox').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await expectAccessible('the webhook secret dialog');
    await secretDialog.getByRole('button', { name: 'Confirm' }).click();
    const hookRow = page.getByRole('row', { name: new RegExp(hookUrl) });
    await hookRow.waitFor();
    await expectGone(secret);
    await hookRow.getByRole('button', { name: /Deliveries/ }).click();
    await page.getByText('No deliveries yet.').waitFor();
    await screenshot(page, '11-events');
    await expectAccessible('Events and webhooks');
    await hookRow.getByRole('button', { name: /Delete/ }).click();
    await page.getByRole('alertdialog', { name: 'Delete this webhook?' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await hookRow.waitFor({ state: 'detached' });
    await page.getByText('No webhooks.').waitFor();
  }, 60_000);

  it('shows another role the pages read-only, with the controls disabled and a line saying why', async () => {
    await nav('Provisioning', 'Provisioning');
    await page.getByRole('combobox', { name: 'Role (local only)' }).selectOption('Viewer');
    const note = page.getByRole('note');
    await note.waitFor();
    await expect(note.textContent()).resolves.toBe(
      'Read-only: you are signed in as Viewer. Only Owner or SystemAdmin can change provisioning, tokens and webhooks.',
    );
    await page.getByRole('heading', { name: 'Provisioning is off' }).waitFor();
    await expect(page.getByRole('button', { name: 'Enable' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Generate Token' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'DELETE', exact: true }).isDisabled()).resolves.toBe(true);
    await screenshot(page, '12-viewer-read-only');
    await expectAccessible('read-only Provisioning');
    await nav('Events', 'Events and webhooks');
    await expect(page.getByRole('button', { name: 'Register webhook' }).isDisabled()).resolves.toBe(true);
    await nav('Users', 'Users');
    await page.getByRole('row', { name: /ann\.lee@example\.com/ }).waitFor(); // reading still works
    await page.getByRole('combobox', { name: 'Role (local only)' }).selectOption('Owner');
    await page.getByRole('note').waitFor({ state: 'detached' });
  }, 60_000);

  it('is usable at 390×844: nothing wider than the screen, every control reachable', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    try {
      for (const [hash, heading, name] of [
        ['#/provisioning', 'Provisioning', '13-phone-provisioning'],
        ['#/users', 'Users', '14-phone-users'],
        ['#/audit', 'Audit log', '15-phone-audit'],
      ] as const) {
        await small.goto(`${origin}/admin/${hash}`);
        await small.getByRole('heading', { level: 1, name: heading }).waitFor();
        await small.waitForLoadState('networkidle');
        const widths = await small.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
        expect([heading, widths.page <= widths.screen]).toEqual([heading, true]);
        await small.screenshot({ path: join(__dirname, 'screenshots', `${name}.png`), fullPage: true });
        expect([heading, await seriousViolations(small)]).toEqual([heading, []]);
      }
      await expect(small.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Events' }).isVisible()).resolves.toBe(
        true,
      );
    } finally {
      await phone.close();
    }
  }, 60_000);

  it('would see an accessibility fault: the axe check is not blind under the console’s Content-Security-Policy', async () => {
    await page.goto(`${origin}/admin/#/users`);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.evaluate(() => document.querySelector('main')?.append(Object.assign(document.createElement('input'), { type: 'text' })));
    expect((await seriousViolations(page)).map((v) => v.id)).toContain('label');
  });
});
