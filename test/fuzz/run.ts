/**
 * `npm run fuzz [-- --seed N] [--requests N] [--concurrency N] [--replay i,j] [--examples N] [--out file.json]
 *   [--owned-users N] [--owned-groups N]`:
 * hostile HTTP requests against the local stack (DynamoDB Local in memory, a fresh table, the real
 * handlers and authorizer behind the local gateway). Prints the seed and the figures; exit code 1
 * on any failure, each failing request printed so that it can be replayed (`--seed S --replay i`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFunctions } from '../../infra/bundle';
import { FUNCTIONS, type FunctionKey } from '../../infra/functions';
import { startDynamoDbLocal, JavaMissingError, type DynamoDbLocal } from '../../infra/local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/store/client';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { seedToken } from '../support/local-stack';
import { passed, runCampaign, stackTarget } from './campaign';
import { randomSeed } from './prng';
import { formatExchange, formatFailures, formatFigures, redact } from './report';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function integerOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not ${JSON.stringify(raw)}`);
  return n;
}

/** Server-side output (handler error logs) while the fuzzer runs, kept apart from the report. */
function captureOutput(): { lines: string[]; restore(): void; print(text: string): void } {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const keep = (chunk: unknown): boolean => {
    for (const line of String(chunk).split('\n')) if (line.trim() && lines.length < 20_000) lines.push(line);
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  return {
    lines,
    restore() {
      process.stdout.write = out;
      process.stderr.write = err;
    },
    print: (text) => void out(`${text}\n`),
  };
}

/** Server log lines, deduplicated (the error name and message, without request ids and times). */
function summariseLogs(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) {
    let key: string;
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      key = [j.level, j.message, j.errorName, j.errorMessage, j.resource, j.method].filter((x) => x !== undefined).join(' | ');
    } catch {
      key = line.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
    }
    counts.set(key.slice(0, 400), (counts.get(key.slice(0, 400)) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(6)}  ${k}`);
}

async function main(): Promise<number> {
  const seed = integerOption('seed', randomSeed());
  const requests = integerOption('requests', 10_000);
  const concurrency = Math.max(1, integerOption('concurrency', 8));
  const examples = integerOption('examples', 3);
  const ownedUsers = integerOption('owned-users', 48);
  const ownedGroups = integerOption('owned-groups', 12);
  const replay = option('replay')
    ?.split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= 0);
  const out = option('out');
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_REGION ??= 'local';
  process.setSourceMapsEnabled(true);

  console.log(
    `SCIM fuzzer: seed ${seed} (repeat with --seed ${seed}), ${replay ? `replaying ${replay.join(',')}` : `${requests} requests`}, ${concurrency} in parallel`,
  );
  const started = performance.now();
  let db: DynamoDbLocal | undefined;
  let stack: LocalStack | undefined;
  const localDir = await mkdtemp(join(tmpdir(), 'scim-fuzz-'));
  try {
    // As `npm start` does: the functions run as the esbuild bundles that would be deployed (tsx cannot
    // load Middy's ES-only package from the TypeScript entries).
    const [bundles, dynamo] = await Promise.all([bundleFunctions(join(localDir, 'bundles'), { baseline: false }), startDynamoDbLocal()]);
    db = dynamo;
    // Whatever ends this process (Ctrl-C included), the Java process goes with it.
    process.once('exit', () => {
      if (dynamo.process.exitCode === null) dynamo.process.kill('SIGKILL');
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
    const tableName = `fuzz-${randomUUID()}`;
    stack = await startLocalStack({
      dynamoEndpoint: db.endpoint,
      tableName,
      port: 0,
      localDir,
      expiryIntervalMs: 0,
      functionFiles: Object.fromEntries(
        (Object.keys(FUNCTIONS) as FunctionKey[]).map((key) => [key, bundles[key]?.file ?? FUNCTIONS[key].entry]),
      ),
    });
    const documents = createDocumentClient();
    const token = await seedToken(new DynamoTokenRepository(documents, tableName));
    documents.destroy();
    const viewer = await stack.signAdminToken('Viewer');
    const { target, secrets } = stackTarget(stack, token, viewer);
    console.log(`  local stack on ${target.origin}, DynamoDB Local on ${db.endpoint}, table ${tableName}`);

    const capture = captureOutput();
    let report;
    try {
      report = await runCampaign({
        ...target,
        seed,
        requests,
        concurrency,
        ownedUsers,
        ownedGroups,
        ...(replay ? { only: replay } : {}),
        beforeChecks: () => (stack as LocalStack).runMembershipCleanup(),
        onProgress: (done, total) => {
          if (done % 1000 === 0 || done === total)
            capture.print(`  … ${done}/${total} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
        },
      });
    } finally {
      capture.restore();
    }

    console.log(formatFigures(report, concurrency));
    const logs = summariseLogs(capture.lines);
    if (logs.length) {
      console.log(`  server log lines while fuzzing: ${capture.lines.length} (${logs.length} distinct):`);
      for (const l of logs.slice(0, 25)) console.log(`    ${redact(l, secrets)}`);
    }
    if (replay) for (const x of report.replayed) console.log(`\n${formatExchange(x, secrets, 4000)}`);
    console.log(formatFailures(report, secrets, examples));
    if (out) {
      await writeFile(
        out,
        redact(
          JSON.stringify(
            {
              ...report,
              failures: report.failures.map((x) => ({
                index: x.request.index,
                route: x.route,
                category: x.request.category,
                shape: x.request.shape,
                tags: x.request.tags,
                method: x.request.method,
                path: x.request.path.slice(0, 2000),
                headers: x.request.headers,
                body: x.request.body === undefined ? undefined : x.request.body.toString().slice(0, 2000),
                status: x.response.status,
                response: x.response.body.slice(0, 2000),
                violations: x.violations,
              })),
              replayed: undefined,
              notSent: report.notSent.map((x) => ({ index: x.request.index, error: x.response.error })),
              serverLogs: logs.slice(0, 200),
            },
            null,
            2,
          ),
          secrets,
        ),
      );
      console.log(`\nReport written to ${out}`);
    }
    const ok = passed(report);
    console.log(
      `\n${ok ? 'PASS' : 'FAIL'}: ${report.failures.length} failing requests, integrity ${report.integrity.ok ? 'OK' : 'FAILED'}; seed ${seed}; ${((performance.now() - started) / 1000).toFixed(1)} s in all.` +
        (ok ? '' : ` Replay one: npm run fuzz -- --seed ${seed} --replay <index>`),
    );
    return ok ? 0 : 1;
  } catch (e: unknown) {
    if (e instanceof JavaMissingError) console.error(e.message);
    else console.error(`Fuzz run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    await stack?.stop().catch(() => undefined);
    await db?.stop().catch(() => undefined);
    await rm(localDir, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
