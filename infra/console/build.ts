/**
 * Builds the admin console (Vite) into a folder: `npm start` serves it at /admin/, and the CDK
 * stack bundles it into the console's S3 bucket (infra/constructs/admin-console.ts). Vite runs as
 * its own process (its CLI), so that neither CDK's synchronous bundling nor the local stack loads it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// __dirname, not import.meta.dirname: Jest loads this file (through the CDK construct) as CommonJS, where import.meta is a syntax error.
export const CONSOLE_DIR = __dirname;
const VITE = join(CONSOLE_DIR, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');

const args = (outDir: string): string[] => [VITE, 'build', CONSOLE_DIR, '--outDir', outDir, '--emptyOutDir'];
const options = { cwd: CONSOLE_DIR, env: { ...process.env, NODE_ENV: 'production' } };

/** Builds synchronously (CDK's local bundling is synchronous); throws with Vite's output on failure. */
export function buildConsole(outDir: string): void {
  execFileSync(process.execPath, args(outDir), { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The same, without blocking (npm start builds it beside the function bundles). */
export async function buildConsoleAsync(outDir: string): Promise<void> {
  await promisify(execFile)(process.execPath, args(outDir), options);
}
