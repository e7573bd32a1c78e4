import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

interface Report {
  operations: { operation: string; count: number }[];
  targets: { name: string; figure: string; pass: boolean; timed?: boolean }[];
}

// Keeps the benchmark harness from rotting: `npm run bench -- --quick` runs end to end on the
// deployable bundles. Only the targets that count calls, units and bytes are asserted here; the
// timed ones depend on the machine and belong to the benchmark's own report.
describe('npm run bench -- --quick', () => {
  it('runs every workload on the bundles and meets the call-count targets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scim-bench-'));
    const out = join(dir, 'latest.json');
    try {
      await run(
        process.execPath,
        [
          require.resolve('tsx/cli'),
          'test/bench/run.ts',
          '--quick',
          '--cold-runs',
          '2',
          '--throughput-seconds',
          '1',
          '--floor-runs',
          '10',
          '--out',
          out,
        ],
        {
          cwd: root,
          timeout: 230_000,
          maxBuffer: 20 * 1024 * 1024,
        },
      ).catch((e: unknown) => {
        // A failed timed target exits 1 but still writes the report; anything else is a failure.
        if ((e as { code?: number }).code !== 1) throw e;
      });
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      const names = report.operations.map((o) => o.operation);
      for (const op of ['POST /Users', 'GET /Users/{id}', 'PATCH /Groups add 1000 members', 'GET /Users?cursor&count=100 (page 1)']) {
        expect(names).toContain(op);
      }
      const failed = report.targets.filter((t) => !t.timed && !t.pass);
      expect(failed).toEqual([]);
      expect(report.targets.length).toBeGreaterThan(15);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
