/**
 * `npx tsx test/bench/cold-start-cli.ts [--runs N] [--source-maps] [--top N]`: bundles the functions
 * as CDK does into bench-results/bundles and prints each bundle's size and its median / p90 cold
 * init time next to the empty baseline (a handler that only builds a DynamoDB client).
 * `--source-maps` adds NODE_OPTIONS=--enable-source-maps, as the deployed functions run.
 * `--top N` lists the N packages that weigh most in each bundle.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { bundleFunctions, EMPTY_BASELINE } from '../../infra/bundle';
import { DEPLOYED_ENV, measureColdInit } from './cold-start';
import { option } from './harness';

/** Bytes in the output per npm package (or per project folder), largest first. */
async function packages(metafile: string, top: number): Promise<string> {
  const meta = JSON.parse(await readFile(metafile, 'utf8')) as Metafile;
  const output = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined);
  const sums = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
    sums.set(pkg, (sums.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(1)}`)
    .join(', ');
}

async function main(): Promise<void> {
  const runs = option('runs', 20);
  const top = option('top', 0);
  const sourceMaps = process.argv.includes('--source-maps');
  const outDir = join(__dirname, '..', '..', 'bench-results', 'bundles');
  const bundles = await bundleFunctions(outDir);
  const env = { ...DEPLOYED_ENV, ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}) };
  console.log(
    `Cold init (require of the bundle), ${runs} fresh processes each, Node.js ${process.version}${sourceMaps ? ', --enable-source-maps' : ''}`,
  );
  const init = await measureColdInit(bundles, { runs, env });
  const base = init[EMPTY_BASELINE];
  const baseBytes = bundles[EMPTY_BASELINE]?.bytes ?? NaN;

  const header = ['bundle', 'KB', 'vs base KB', 'inputs', 'median ms', 'p90 ms', 'vs base ms'];
  const rows = Object.entries(bundles).map(([key, b]) => {
    const t = init[key];
    const dMs = t && base ? t.medianMs - base.medianMs : NaN;
    return [
      key,
      (b.bytes / 1024).toFixed(1),
      key === EMPTY_BASELINE ? '' : `+${((b.bytes - baseBytes) / 1024).toFixed(1)}`,
      String(b.inputs),
      t ? t.medianMs.toFixed(1) : '-',
      t ? t.p90Ms.toFixed(1) : '-',
      key === EMPTY_BASELINE ? '' : `${dMs >= 0 ? '+' : ''}${dMs.toFixed(1)}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  if (top > 0) {
    console.log('');
    for (const [key, b] of Object.entries(bundles)) console.log(`${key}: ${await packages(b.metafile, top)}`);
  }
  console.log(`\nBundles, source maps and metafiles (meta.json) in ${outDir}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
