/**
 * `npm run bench [-- --quick] [--group-members N]`: measures what each SCIM operation costs in
 * DynamoDB calls, capacity units and latency, on DynamoDB Local through the local gateway, and
 * checks the targets. Writes bench-results/latest.json. Not part of `npm test`.
 */
import { join } from 'node:path';
import { startBench } from './harness';
import { figures, printTable, printTargets, writeReport, type OperationFigures, type Target } from './report';
import { groupScale } from './workloads/groups';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number`);
  return n;
}

const scimCalls = (rows: OperationFigures[], op: string): number => rows.find((r) => r.operation === op)?.callsPerOp.scim ?? NaN;
const scimCommands = (rows: OperationFigures[], op: string): Record<string, number> =>
  rows.find((r) => r.operation === op)?.commandsPerOp.scim ?? {};
const writes = (commands: Record<string, number>): number =>
  Object.entries(commands)
    .filter(([c]) => /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(c))
    .reduce((n, [, v]) => n + v, 0);

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const members = option('group-members', quick ? 2000 : 100_000);
  const started = Date.now();
  console.log(`SCIM benchmark${quick ? ' (quick)' : ''}: group of ${members} members, DynamoDB Local`);
  const bench = await startBench();
  try {
    const facts = await groupScale(bench, { members, batch: 1000 });
    const rows = figures(bench.samples);
    console.log('');
    printTable(rows);

    const small = writes(scimCommands(rows, 'PATCH /Groups add 1 member (small group)'));
    const large = writes(scimCommands(rows, 'PATCH /Groups add 1 member (large group)'));
    const smallRemove = writes(scimCommands(rows, 'PATCH /Groups remove 1 member (small group)'));
    const largeRemove = writes(scimCommands(rows, 'PATCH /Groups remove 1 member (large group)'));
    const noMembers = scimCommands(rows, 'GET /Groups/{id}?excludedAttributes=members');
    const listNoMembers = scimCommands(rows, 'GET /Groups?filter=displayName eq&excludedAttributes=members');
    const batchWrites = writes(scimCommands(rows, 'PATCH /Groups add 1000 members'));
    const targets: Target[] = [
      {
        name: `add 1 member: write calls at ${members} members = at 0 members (O(1))`,
        figure: `${large} vs ${small}`,
        pass: large === small && large <= 1,
      },
      {
        name: `remove 1 member: write calls at ${members} members = at 0 members (O(1))`,
        figure: `${largeRemove} vs ${smallRemove}`,
        pass: largeRemove === smallRemove && largeRemove <= 1,
      },
      { name: 'add 1,000 members: write calls <= ceil(1000/25) = 40', figure: String(batchWrites), pass: batchWrites <= 40 },
      {
        name: 'GET /Groups/{id}?excludedAttributes=members reads no member item (no Query)',
        figure: JSON.stringify(noMembers),
        pass: !('Query' in noMembers),
      },
      {
        name: 'GET /Groups?filter=displayName eq&excludedAttributes=members: one index Query, no member Query',
        figure: JSON.stringify(listNoMembers),
        pass: (listNoMembers.Query ?? 0) === 1,
      },
      {
        name: "full GET of the group stays under Lambda's 6 MB response limit",
        figure: `${facts.fullGetBytes} bytes, members ${facts.fullGetHasMembers ? 'included' : 'omitted (over 10,000)'}`,
        pass: facts.fullGetBytes < 6 * 1024 * 1024,
      },
      {
        name: "DELETE of the group answers well within API Gateway's 29 s",
        figure: `${Math.round(facts.deleteMs)} ms`,
        pass: facts.deleteMs < 10_000,
      },
      {
        name: 'background cleanup leaves no member item',
        figure: `${facts.memberItemsLeft} left after ${facts.cleanupRuns} run(s)`,
        pass: facts.memberItemsLeft === 0,
      },
    ];
    printTargets(targets);
    void scimCalls;
    const file = join(__dirname, '..', '..', 'bench-results', 'latest.json');
    await writeReport(file, {
      date: new Date().toISOString(),
      quick,
      members,
      durationSeconds: Math.round((Date.now() - started) / 1000),
      facts,
      operations: rows,
      targets,
    });
    console.log(`\nwritten: bench-results/latest.json (${Math.round((Date.now() - started) / 1000)} s)`);
    if (targets.some((t) => !t.pass)) process.exitCode = 1;
  } finally {
    await bench.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
