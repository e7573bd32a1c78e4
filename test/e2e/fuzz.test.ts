/**
 * A short run of the fuzzer of test/fuzz (`npm run fuzz` sends 10,000) on every `npm test`: the same
 * generators and checker, a fixed seed, against the local stack. A failure prints each failing
 * request; `npm run fuzz -- --seed 20261201 --owned-users 20 --owned-groups 6 --replay <index>` sends one again
 * (the same seed and the same number of the fuzzer's own resources make the same request).
 */
import { runCampaign, stackTarget, type CampaignReport } from '../fuzz/campaign';
import { formatFailures } from '../fuzz/report';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';

const SEED = 20261201;
const REQUESTS = 600;

describe(`hostile HTTP requests (fuzzer, seed ${SEED}, ${REQUESTS} requests)`, () => {
  let stack: TestStack;
  let report: CampaignReport;
  let secrets: { value: string; label: string }[];

  beforeAll(async () => {
    stack = await startTestStack();
    const token = await seedToken(stack.tokens);
    const viewer = await stack.signAdminToken('Viewer');
    const aim = stackTarget(stack, token, viewer);
    secrets = aim.secrets;
    report = await runCampaign({
      ...aim.target,
      seed: SEED,
      requests: REQUESTS,
      concurrency: 8,
      ownedUsers: 20,
      ownedGroups: 6,
      beforeChecks: () => stack.runMembershipCleanup(),
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('sends every request it generates', () => {
    expect(report.notSent.map((x) => `#${x.request.index}: ${x.response.error ?? ''}`)).toEqual([]);
    expect(report.sent + report.skipped).toBe(REQUESTS);
  });

  it('answers every request below 500, SCIM errors as SCIM error JSON and admin errors as problem details', () => {
    expect(formatFailures(report, secrets)).toBe('');
    expect(report.fiveXx).toBe(0);
    expect(report.nonScimErrorBodies).toBe(0);
  });

  it('leaves the watched users and groups as they were, and full listings page to the end', () => {
    expect(report.integrity.problems).toEqual([]);
  });
});
