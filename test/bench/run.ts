/**
 * `npm run bench [-- --quick] [--users N] [--group-members N] [--import-users N]
 * [--throughput-seconds N] [--floor-runs N] [--event-changes N] [--events-only]`: what each SCIM operation costs in DynamoDB calls,
 * capacity units, latency and bytes — run against the esbuild bundles that would be deployed,
 * through the local gateway, on DynamoDB Local — next to DynamoDB's own floor measured in the same
 * run; search and sort at the seeded size; throughput and CPU with 1, 8 and 32 concurrent clients;
 * each function's bundle size and cold init time. Checks the targets (PASS/FAIL) and writes
 * bench-results/latest.json. Not part of `npm test` (a quick run is, for its call-count targets).
 */
import { join } from 'node:path';
import { bundleFunctions } from '../../infra/bundle';
import { FUNCTIONS, type FunctionKey } from '../../infra/functions';
import { createDocumentClient } from '../../shared/store/client';
import { DEPLOYED_ENV, measureColdInit } from './cold-start';
import { option, progress, startBench } from './harness';
import { figures, printTable, printTargets, writeReport, type OperationFigures, type Target } from './report';
import { seedUsers } from './seed';
import { abusiveRequests } from './workloads/abuse';
import { authorizer, oauthClient } from './workloads/auth';
import { groupScale } from './workloads/groups';
import { entraSync, oktaImport, paging } from './workloads/users';
import {
  FLOOR_OPERATIONS,
  filterPlans,
  measureFloor,
  scaleSearch,
  scaleUser,
  type FilterFigure,
  type ScaleFacts,
} from './workloads/search';
import { printThroughput, throughput } from './workloads/throughput';
import { eventTargets, forkEvents, printEvents } from './events';

const ROOT = join(__dirname, '..', '..');

const row = (rows: OperationFigures[], op: string): OperationFigures | undefined => rows.find((r) => r.operation === op);
const commands = (rows: OperationFigures[], op: string, fn = 'scim'): Record<string, number> => row(rows, op)?.commandsPerOp[fn] ?? {};
const sum = (cs: Record<string, number>, pattern: RegExp): number =>
  Object.entries(cs)
    .filter(([c]) => pattern.test(c))
    .reduce((n, [, v]) => n + v, 0);
const WRITES = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;
const READS = /^(Get|BatchGet|Query|Scan)/;
const show = (cs: Record<string, number>): string => JSON.stringify(cs);

/** The targets of issue 12's search workloads (the full run and --scale-only alike). */
function searchTargets(plans: FilterFigure[], scale: ScaleFacts): Target[] {
  const sorted = (cs: Record<string, number>): string => show(Object.fromEntries(Object.entries(cs).sort()));
  return [
    ...plans.map((p) => ({
      name: `filter ${p.name}: the calls of its plan`,
      figure: `${show(p.measured)} (plan ${show(p.planned)}; ${p.results} found)`,
      pass: sorted(p.measured) === sorted(p.planned),
    })),
    {
      name: 'userName sw by cursor: a deep page reads what page 1 reads',
      figure: `${scale.swPages.first} vs ${scale.swPages.deep} calls (page ${scale.swPages.pages})`,
      pass: scale.swPages.deep <= scale.swPages.first,
    },
    {
      name: 'sortBy=userName by startIndex: a deep page reads what page 1 reads',
      figure: `${scale.sortPages.first} vs ${scale.sortPages.deep} calls (page ${scale.sortPages.page})`,
      pass: scale.sortPages.deep <= scale.sortPages.first + 1,
    },
    {
      name: 'co by cursor: every match once, each page one index read (a Query of at most 2,000 entries)',
      figure: `${scale.coWalk.found} of ${scale.coWalk.expected} in ${scale.coWalk.pages} pages, at most ${scale.coWalk.maxScimReads} Queries a page`,
      pass: scale.coWalk.found === scale.coWalk.expected && scale.coWalk.maxScimReads <= 1,
    },
    {
      name: 'meta.lastModified gt T: exactly the users changed after T',
      figure: `${scale.delta.returned} returned, ${scale.delta.changed} changed`,
      pass: scale.delta.exact,
    },
  ];
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const users = option('users', quick ? 2000 : 100_000);
  const importUsers = option('import-users', quick ? 20 : 300);
  // The group is grown from the seeded users (all but the ones the Okta and Entra flows create), less two kept apart.
  const groupMembers = Math.min(option('group-members', quick ? 2000 : 100_000), users - 2 * importUsers - 2);
  if (groupMembers < 1) throw new Error('--users must leave room for the group (users > 2 x import-users + 2)');
  const coldRuns = option('cold-runs', quick ? 3 : 20);
  const started = Date.now();
  console.log(
    `SCIM benchmark${quick ? ' (quick)' : ''}: ${users} users, a group of ${groupMembers}, Okta/Entra flows of ${importUsers} users`,
  );

  progress('  bundling the functions with esbuild…');
  const outDir = join(ROOT, 'bench-results', 'bundles');
  const bundles = await bundleFunctions(outDir);
  const functionFiles = Object.fromEntries(Object.keys(FUNCTIONS).map((k) => [k, bundles[k]?.file])) as Record<FunctionKey, string>;
  progress(`  bundled ${Object.keys(FUNCTIONS).length} functions\n`);

  const eventChanges = option('event-changes', quick ? 40 : 1000);
  if (process.argv.includes('--events-only')) {
    progress('  change events…\n');
    const ev = await forkEvents(functionFiles, eventChanges);
    printEvents(ev);
    const evTargets = eventTargets(ev);
    printTargets(evTargets);
    if (evTargets.some((t) => !t.pass)) process.exitCode = 1;
    return;
  }

  // The change-event pipeline is left out here (the seeding would make an event of every user): it has a run of its own below.
  const bench = await startBench({ functionFiles, events: false });
  try {
    await bench.measure('authorizer + GET /ServiceProviderConfig (cold)', () => bench.scim('/ServiceProviderConfig'));
    const auth = await authorizer(bench, quick ? 20 : 200);
    await oauthClient(bench, quick ? 20 : 200);
    await oktaImport(bench, importUsers);
    await entraSync(bench, importUsers);

    const db = createDocumentClient();
    const seedStarted = Date.now();
    const seeded = await seedUsers(db, bench.tableName, users - 2 * importUsers, 'member', scaleUser);
    const seedSeconds = Math.round((Date.now() - seedStarted) / 100) / 10;
    db.destroy();
    progress(`  seeded ${seeded.length} users in ${seedSeconds} s\n`);
    const plans = await filterPlans(bench, seeded.length, seeded);
    const scale = await scaleSearch(bench, seeded.length, seeded);
    if (process.argv.includes('--scale-only')) {
      // Search and sort at this size only (for a million users, where paging the whole directory
      // twice and growing a group would take the better part of an hour more).
      const rows = figures(bench.samples);
      printTable(rows);
      const scaleTargets = searchTargets(plans, scale);
      printTargets(scaleTargets);
      console.log(`\nseeded ${seeded.length} users in ${seedSeconds} s; ${Math.round((Date.now() - started) / 1000)} s in all`);
      if (scaleTargets.some((t) => !t.pass)) process.exitCode = 1;
      return;
    }
    const pages = await paging(bench, users);
    // After the paging (its POSTs would change the count the paging checks).
    const floor = await measureFloor(bench, seeded.slice(0, 10), option('floor-runs', quick ? 50 : 200));
    const abuse = await abusiveRequests(bench, seeded.slice(0, 2000));
    const facts = await groupScale(bench, { members: groupMembers, batch: 1000, users: seeded });
    // Last: its creates change the directory the workloads above count.
    const load = await throughput(
      bench,
      { ids: seeded.slice(0, 2000), names: seeded.slice(0, 2000).map((_, i) => `member${i}@example.com`) },
      option('throughput-seconds', quick ? 3 : 10),
    );

    progress('  change events (a process of its own)…');
    const events = await forkEvents(functionFiles, eventChanges);

    progress('  cold init: fresh processes per bundle…');
    // As deployed: the stack's environment, source maps on (NODE_OPTIONS=--enable-source-maps) for functions and baseline alike.
    const cold = await measureColdInit(bundles, { runs: coldRuns, env: { ...DEPLOYED_ENV, NODE_OPTIONS: '--enable-source-maps' } });
    progress('\n');

    const rows = figures(bench.samples);
    console.log('');
    printTable(rows);
    printThroughput(load);
    printEvents(events);

    // DynamoDB's floor: each operation's calls (every function's) at the bare calls' p50, timed in this run.
    const floorOf = (op: string): number => {
      const r = row(rows, op);
      if (!r) return NaN;
      // A page's own Query returns 100 items: it is timed as one; the other calls as themselves.
      const paged = op.includes('page');
      let ms = 0;
      for (const cs of Object.values(r.commandsPerOp)) {
        for (const [command, n] of Object.entries(cs)) {
          if (command === 'Query' && paged) ms += (floor['Query (page of 100)'] ?? NaN) + (n - 1) * (floor.Query ?? NaN);
          else if (command === 'TransactWriteItems')
            ms += n * (floor[op.startsWith('POST') ? 'TransactWriteItems (create)' : 'TransactWriteItems (update)'] ?? NaN);
          else ms += n * (floor[command] ?? NaN);
        }
      }
      return ms;
    };
    const floorOps: string[] = [...FLOOR_OPERATIONS];
    console.log('\nDynamoDB floor (bare calls on this DynamoDB Local, p50 ms): ' + JSON.stringify(floor));
    console.log('operation                                           p50 ms  floor ms  ratio');
    for (const op of floorOps) {
      const p50 = row(rows, op)?.p50Ms ?? NaN;
      console.log(
        `${op.padEnd(50)}  ${p50.toFixed(1).padStart(6)}  ${floorOf(op).toFixed(1).padStart(8)}  ${(p50 / floorOf(op)).toFixed(2).padStart(5)}`,
      );
    }
    const n8 = load.mixed.find((m) => m.clients === 8);
    console.log('\nfunction            bundle KB  cold init median ms  p90 ms');
    for (const [name, c] of Object.entries(cold)) {
      const kb = bundles[name] ? (bundles[name].bytes / 1024).toFixed(0) : '-';
      console.log(`${name.padEnd(18)}  ${kb.padStart(9)}  ${c.medianMs.toFixed(1).padStart(19)}  ${c.p90Ms.toFixed(1).padStart(6)}`);
    }

    const authCalls = commands(rows, 'authorizer + GET /ServiceProviderConfig (warm)', 'scim-authorizer');
    const accessTokenCalls = commands(rows, 'access token + GET /ServiceProviderConfig (warm)', 'scim-authorizer');
    const tokenEndpointCalls = commands(rows, 'POST /api/oauth2/token (client credentials)', 'token');
    const getUser = commands(rows, 'GET /Users/{id}');
    // An indexed lookup is one index Query; a user found brings its groups (part of its representation,
    // and of its version): one membership Query more per user returned. A group's member count is on
    // its own item: no read more.
    const lookups: [string, number, string][] = [
      ['GET /Users?filter=userName eq (miss)', 1, '1 read call'],
      ['GET /Users?filter=externalId eq (hit)', 2, '1 index Query + 1 Query for the groups of the user found'],
      ['GET /Users?filter=userName eq (hit)', 2, '1 index Query + 1 Query for the groups of the user found'],
      ['GET /Groups?filter=displayName eq&excludedAttributes=members', 1, '1 read call'],
    ];
    const post = commands(rows, 'POST /Users');
    const patchCalls = [
      'PATCH /Users (Entra multi-valued replace)',
      'PATCH /Users (Entra path-less replace, dotted and URN keys)',
      'PATCH /Users (Entra disable, "False")',
    ];
    const addK = commands(rows, 'PATCH /Groups add 1000 members');
    const page1 = sum(commands(rows, 'GET /Users?startIndex&count=100 (page 1)'), READS);
    const pageN = sum(commands(rows, 'GET /Users?startIndex&count=100 (deep page)'), READS);
    const rcu1 = row(rows, 'GET /Users?startIndex&count=100 (page 1)')?.rcuPerOp ?? NaN;
    const rcuN = row(rows, 'GET /Users?startIndex&count=100 (deep page)')?.rcuPerOp ?? NaN;
    const cursor1 = sum(commands(rows, 'GET /Users?cursor&count=100 (page 1)'), READS);
    const cursorN = sum(commands(rows, 'GET /Users?cursor&count=100 (deep page)'), READS);
    const baseline = cold['empty-baseline']?.medianMs ?? NaN;
    const scimCold = cold.scim?.medianMs ?? NaN;
    const targets: Target[] = [
      ...floorOps.map((op) => {
        const p50 = row(rows, op)?.p50Ms ?? NaN;
        const f = floorOf(op);
        return {
          name: `${op}: p50 within 1.3x of its DynamoDB floor`,
          figure: `${p50} ms vs ${f.toFixed(1)} ms (${(p50 / f).toFixed(2)}x)`,
          pass: p50 <= 1.3 * f,
          timed: true,
        };
      }),
      ...searchTargets(plans, scale),
      {
        name: 'throughput: >= 100 requests/s with 8 clients (Entra-like mix)',
        figure: `${n8?.requestsPerSecond ?? NaN} req/s, p50 ${n8?.p50Ms} ms, p99 ${n8?.p99Ms} ms, ${n8?.cpuMsPerRequest} CPU ms/request, ${n8?.errors} errors`,
        pass: (n8?.requestsPerSecond ?? 0) >= 100 && n8?.errors === 0,
        timed: true,
      },
      {
        name: 'authorizer: at most 1 GetItem per request (no cache)',
        figure: show(authCalls),
        pass: (authCalls.GetItem ?? 0) <= 1 && sum(authCalls, READS) <= 1,
      },
      {
        name: 'authorizer with an access token: at most 1 GetItem per request, as with a SCIM token (the JWT is verified without a read)',
        figure: show(accessTokenCalls),
        pass: (accessTokenCalls.GetItem ?? 0) <= 1 && sum(accessTokenCalls, READS) <= 1,
      },
      {
        name: 'token endpoint: 1 GetItem of the client per token issued (its last use written at most once a minute)',
        figure: show(tokenEndpointCalls),
        pass: (tokenEndpointCalls.GetItem ?? 0) <= 1 && sum(tokenEndpointCalls, READS) <= 1,
      },
      {
        name: 'a deleted token is refused from the next request',
        figure: `${auth.refusedAfterMs} ms, ${auth.requestsUntilRefused} request(s)`,
        pass: auth.requestsUntilRefused === 1,
      },
      {
        name: 'GET /Users/{id}: 1 GetItem (+1 Query for groups)',
        figure: show(getUser),
        pass: (getUser.GetItem ?? 0) === 1 && sum(getUser, READS) <= 2,
      },
      ...lookups.map(([op, reads, what]) => ({
        name: `${op}: ${what}`,
        figure: show(commands(rows, op)),
        pass: sum(commands(rows, op), READS) <= reads && (commands(rows, op).Query ?? 0) >= 1,
      })),
      {
        name: 'POST /Users: 1 TransactWriteItems',
        figure: show(post),
        pass: sum(post, WRITES) === 1 && (post.TransactWriteItems ?? 0) === 1,
      },
      ...patchCalls.map((op) => ({
        name: `${op}: 1 write call`,
        figure: show(commands(rows, op)),
        pass: sum(commands(rows, op), WRITES) === 1,
      })),
      {
        name: 'group member add/remove of 1,000: <= ceil(1000/25) = 40 write calls',
        figure: String(sum(addK, WRITES)),
        pass: sum(addK, WRITES) <= 40,
      },
      {
        name: 'add/remove 1 member: same write calls in a large group as in an empty one',
        figure: `${sum(commands(rows, 'PATCH /Groups add 1 member (large group)'), WRITES)} vs ${sum(commands(rows, 'PATCH /Groups add 1 member (small group)'), WRITES)}`,
        pass:
          sum(commands(rows, 'PATCH /Groups add 1 member (large group)'), WRITES) ===
            sum(commands(rows, 'PATCH /Groups add 1 member (small group)'), WRITES) &&
          sum(commands(rows, 'PATCH /Groups remove 1 member (large group)'), WRITES) ===
            sum(commands(rows, 'PATCH /Groups remove 1 member (small group)'), WRITES),
      },
      {
        name: 'GET /Groups/{id}?excludedAttributes=members reads no member item',
        figure: show(commands(rows, 'GET /Groups/{id}?excludedAttributes=members')),
        pass: !('Query' in commands(rows, 'GET /Groups/{id}?excludedAttributes=members')),
      },
      {
        name: `a list page by startIndex costs the same reads at page 1 and page ${Math.floor(users / 100)}`,
        figure: `${page1} calls/${rcu1} RCU vs ${pageN} calls/${rcuN} RCU`,
        pass: pageN <= page1 + 1 && rcuN <= rcu1 * 1.1 + 1,
      },
      {
        name: 'a list page by cursor costs the same reads at page 1 and deep in the list',
        figure: `${cursor1} vs ${cursorN} calls`,
        pass: cursorN <= cursor1,
      },
      {
        name: 'paging by startIndex and by cursor sees every user once',
        figure: `${pages.byIndex} and ${pages.byCursor} of ${users}`,
        pass: pages.byIndex === users && pages.byCursor === users,
      },
      {
        name: 'full GET of the large group < 6 MB',
        figure: `${facts.fullGetBytes} bytes (members ${facts.fullGetHasMembers ? 'included' : 'omitted'})`,
        pass: facts.fullGetBytes < 6 * 1024 * 1024,
      },
      {
        name: 'DELETE of the large group answers in < 10 s, cleanup leaves nothing',
        figure: `${Math.round(facts.deleteMs)} ms, ${facts.memberItemsLeft} items left`,
        pass: facts.deleteMs < 10_000 && facts.memberItemsLeft === 0,
        timed: true,
      },
      ...abuse.map((a) => ({
        name: `${a.name}: answered within the 10 s deadline with ${a.expected.status}${a.expected.scimType ? ` ${a.expected.scimType}` : ''}`,
        figure: `${Math.round(a.ms)} ms, ${a.status}${a.scimType ? ` ${a.scimType}` : ''}`,
        pass: a.ms < 10_000 && a.status === a.expected.status && a.scimType === a.expected.scimType,
        timed: true,
      })),
      {
        name: 'cold init of the SCIM function within 1.5x the empty handler',
        figure: `${scimCold.toFixed(1)} ms vs ${baseline.toFixed(1)} ms (${(scimCold / baseline).toFixed(2)}x)`,
        pass: scimCold <= 1.5 * baseline,
        timed: true,
      },
      ...Object.keys(FUNCTIONS).map((k) => ({
        name: `bundle of ${k} < 500 KB minified`,
        figure: `${((bundles[k]?.bytes ?? 0) / 1024).toFixed(0)} KB`,
        pass: (bundles[k]?.bytes ?? Infinity) < 500 * 1024,
      })),
      ...eventTargets(events),
    ];
    printTargets(targets);
    const seconds = Math.round((Date.now() - started) / 1000);
    const out = process.argv.includes('--out')
      ? String(process.argv[process.argv.indexOf('--out') + 1])
      : join(ROOT, 'bench-results', 'latest.json');
    await writeReport(out, {
      date: new Date().toISOString(),
      quick,
      sizes: { users, groupMembers, importUsers, coldRuns },
      durationSeconds: seconds,
      authorizer: auth,
      seedSeconds,
      floor,
      plans,
      scale,
      throughput: load,
      events,
      paging: pages,
      group: facts,
      abuse,
      functions: Object.fromEntries(Object.keys(cold).map((k) => [k, { bundleBytes: bundles[k]?.bytes ?? null, coldInit: cold[k] }])),
      operations: rows,
      targets,
    });
    console.log(`\nwritten: ${out} (${seconds} s)`);
    if (targets.some((t) => !t.pass)) process.exitCode = 1;
  } finally {
    await bench.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
