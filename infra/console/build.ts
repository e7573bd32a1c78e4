/**
 * Builds the admin console (Vite) into a folder: `npm start` serves it at /admin/, and the CDK
 * stack bundles it into the console's S3 bucket (infra/constructs/admin-console.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const CONSOLE_DIR = import.meta.dirname ?? __dirname;
const VITE = join(CONSOLE_DIR, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');

/** Builds synchronously (CDK's local bundling is synchronous); throws with Vite's output on failure. */
export function buildConsole(outDir: string): void {
  execFileSync(process.execPath, [VITE, 'build', CONSOLE_DIR, '--outDir', outDir, '--emptyOutDir'], {
    cwd: CONSOLE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
