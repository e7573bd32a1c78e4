/**
 * `npm run dev:token -- --role <Role>`: prints a local admin JWT for any role, signed with the
 * development key the local gateway verifies (start `npm start` once first to create it).
 */
import { join } from 'node:path';
import { devKeys } from './dev-auth';
import { PROJECT_ROOT } from './stack';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--role');
  const role = i >= 0 ? process.argv[i + 1] : undefined;
  if (!role) {
    console.error('Usage: npm run dev:token -- --role <Role>   (e.g. Owner, SystemAdmin, Viewer)');
    process.exit(2);
  }
  const localDir = process.env.SCIM_LOCAL_DIR ?? join(PROJECT_ROOT, '.local');
  const keys = await devKeys(join(localDir, 'dev-signing-key.json'));
  const name = role.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  console.log(await keys.sign({ sub: `local-${name}`, email: `${name}@localhost`, groups: [role] }));
}

void main();
