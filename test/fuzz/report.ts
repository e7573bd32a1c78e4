/**
 * The figures of a run and its failures, as text: failing requests grouped by class (rules
 * broken, route, status), the most severe first, each request printed so that it can be sent
 * again (credentials redacted, bodies truncated) and replayed by index with the same seed.
 */
import type { CampaignReport, Exchange } from './campaign';

const SEVERITY = [
  'transport',
  'status-5xx',
  'expected-status',
  'scim-password-returned',
  'scim-error-body',
  'admin-problem-body',
  'scim-error-status',
  'admin-problem-status',
  'scim-content-type',
  'admin-content-type',
  'scim-error-scimType',
  'scim-success-body',
  'admin-success-body',
  'scim-list-shape',
  'scim-bulk-shape',
  'scim-resource-shape',
  'scim-location',
  'scim-etag',
  'allow-header',
  'www-authenticate',
  'slow',
];

const severity = (rule: string): number => {
  const i = SEVERITY.indexOf(rule);
  return i < 0 ? SEVERITY.length : i;
};

/** Removes credentials from text: SCIM tokens (altered ones too), JWTs, long Basic credentials. */
export function redact(text: string, secrets: readonly { value: string; label: string }[] = []): string {
  let out = text;
  for (const s of secrets) if (s.value) out = out.split(s.value).join(s.label);
  return out
    .replace(/scim_[0-9A-Za-z]{4,}(?:_[0-9A-Za-z]*)?/g, 'scim_<redacted>')
    .replace(/eyJ[\w-]{8,}\.[\w-]*(?:\.[\w-]*)?/g, '<JWT redacted>')
    .replace(/(Basic )[A-Za-z0-9+/=]{40,}/g, '$1<redacted>');
}

/** Text with control characters and surrogates as \u escapes, to print and copy (JSON bodies stay JSON). */
const visible = (s: string): string =>
  [...s]
    .map((c) => {
      const code = c.charCodeAt(0);
      const odd =
        code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029 || (c.length === 1 && code >= 0xd800 && code <= 0xdfff);
      return odd ? `\\u${code.toString(16).padStart(4, '0')}` : c;
    })
    .join('');

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** The request and its answer, to read and to send again. */
export function formatExchange(x: Exchange, secrets: readonly { value: string; label: string }[] = [], width = 300): string {
  const r = x.request;
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? (v as string[]).map((h) => JSON.stringify(h)).join(', ') : JSON.stringify(v)}`)
    .join('; ');
  const body =
    r.body === undefined
      ? '(none)'
      : Buffer.isBuffer(r.body)
        ? `(${r.body.length} bytes) base64 ${clip(r.body.toString('base64'), width)}`
        : `(${Buffer.byteLength(r.body)} bytes) ${clip(visible(r.body), width)}`;
  const res = x.response;
  const answer =
    res.status === 0
      ? `no answer: ${res.error ?? ''}`
      : `${res.status} Content-Type: ${String(res.headers['content-type'] ?? '(none)')} (${Math.round(res.ms)} ms)`;
  return redact(
    [
      `#${r.index} [${r.category} | ${r.shape}] ${r.method} ${clip(r.path, width)}`,
      `    headers: ${clip(headers, width)}`,
      `    body: ${body}`,
      `    -> ${answer}`,
      `    response: ${clip(res.body, width) || '(empty)'}`,
      ...(x.violations.length ? [`    violations: ${x.violations.map((v) => `${v.rule} (${v.detail})`).join('; ')}`] : []),
    ].join('\n'),
    secrets,
  );
}

export interface FailureClass {
  readonly key: string;
  readonly rules: readonly string[];
  readonly route: string;
  readonly status: number;
  readonly tags: readonly string[];
  readonly exchanges: readonly Exchange[];
}

/** Failing requests grouped by (rules broken, route, status), the most severe class first. */
export function failureClasses(failures: readonly Exchange[]): FailureClass[] {
  const groups = new Map<string, { rules: string[]; route: string; status: number; tags: readonly string[]; exchanges: Exchange[] }>();
  for (const x of failures) {
    const rules = [...new Set(x.violations.map((v) => v.rule))].sort((a, b) => severity(a) - severity(b));
    // Traits by family (`query-key`, `header-name`, `url`): one class for every prototype-named key.
    const families = [...new Set((x.request.tags ?? []).map((t) => t.split(':')[0] ?? t))].sort();
    const tags = families.length ? ` | ${families.join(',')}` : '';
    // A trait explains a failure whatever the route: such failures make one class across routes.
    const route = families.length ? 'any route' : x.route;
    const key = `${rules.join('+')} | ${route} | ${x.response.status}${tags}`;
    const g = groups.get(key) ?? { rules, route, status: x.response.status, tags: families, exchanges: [] };
    g.exchanges.push(x);
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([key, g]) => ({ key, ...g }))
    .sort((a, b) => severity(a.rules[0] ?? '') - severity(b.rules[0] ?? '') || b.exchanges.length - a.exchanges.length);
}

const tally = (items: readonly string[]): [string, number][] => {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
};

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function formatFigures(r: CampaignReport, concurrency: number): string {
  const lines: string[] = [];
  const total = r.fuzzMs / 1000;
  lines.push(`Fuzz run: seed ${r.seed}, ${r.requested} requests, ${concurrency} in parallel`);
  lines.push(
    `  sent ${r.sent} in ${secs(r.fuzzMs)} (${total > 0 ? Math.round(r.sent / total) : 0} requests/s); setup ${secs(r.setupMs)}, integrity checks ${secs(r.checkMs)}`,
  );
  if (r.skipped) lines.push(`  skipped ${r.skipped} self-destructive requests (disable provisioning, delete the fuzzer's token)`);
  if (r.notSent.length) lines.push(`  NOT SENT (Node's client refused them; a generator bug): ${r.notSent.length}`);
  lines.push(
    `  by status class: ${Object.entries(r.statusClasses)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  lines.push(
    `  by status: ${Object.entries(r.statusCodes)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  lines.push(
    `  5xx: ${r.fiveXx}; SCIM errors whose body is not a SCIM error: ${r.nonScimErrorBodies}; resources created by the run: ${r.created}`,
  );
  lines.push('  by route:                                   total     2xx     3xx     4xx     5xx  no answer');
  for (const [route, classes] of Object.entries(r.routes).sort((a, b) => a[0].localeCompare(b[0]))) {
    const sum = Object.values(classes).reduce((n, v) => n + v, 0);
    const col = (k: string): string => String(classes[k] ?? 0).padStart(8);
    lines.push(
      `    ${route.padEnd(40)}${String(sum).padStart(8)}${col('2xx')}${col('3xx')}${col('4xx')}${col('5xx')}${col('no answer').padStart(11)}`,
    );
  }
  lines.push(
    `  by category (mean ms): ${Object.entries(r.categories)
      .sort()
      .map(([k, v]) => `${k} ${v} (${Math.round((r.categoryMs[k] ?? 0) / v)})`)
      .join(', ')}`,
  );
  const rules = Object.entries(r.violationsByRule).sort((a, b) => severity(a[0]) - severity(b[0]));
  lines.push(`  violations by rule: ${rules.length ? rules.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`);
  lines.push(
    `  integrity: ${r.integrity.ok ? 'OK' : `FAILED (${r.integrity.problems.length} problems)`}: watched users and groups compared, listings ${Object.entries(
      r.integrity.listed,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (by startIndex and by cursor), ${r.integrity.readableChecked} fuzzer resources read back`,
  );
  for (const p of r.integrity.problems.slice(0, 50)) lines.push(`    - ${p}`);
  lines.push(
    `  latency: p50 ${Math.round(r.latency.p50)} ms, p90 ${Math.round(r.latency.p90)} ms, p99 ${Math.round(r.latency.p99)} ms, max ${Math.round(r.latency.max)} ms`,
  );
  lines.push(
    `  slowest: ${r.slowest.map((s) => `#${s.index} ${s.method} ${clip(s.path, 60)} ${s.status} ${Math.round(s.ms)} ms`).join('; ')}`,
  );
  return lines.join('\n');
}

export function formatFailures(r: CampaignReport, secrets: readonly { value: string; label: string }[], examples = 3): string {
  const lines: string[] = [];
  const classes = failureClasses(r.failures);
  if (classes.length) lines.push(`\n${r.failures.length} failing requests in ${classes.length} classes (most severe first):`);
  classes.forEach((c, n) => {
    lines.push(
      `\n[${n + 1}] ${c.rules.join(' + ')} | ${c.route} | HTTP ${c.status || 'none'}${c.tags.length ? ` | ${c.tags.join(', ')}` : ''} | ${c.exchanges.length} requests`,
    );
    if (c.route === 'any route') {
      const routes = tally(c.exchanges.map((x) => x.route));
      const traits = tally(c.exchanges.flatMap((x) => x.request.tags ?? []));
      lines.push(`  routes: ${routes.map(([s, k]) => `${s} (${k})`).join('; ')}`);
      lines.push(`  traits: ${traits.map(([s, k]) => `${s} (${k})`).join('; ')}`);
    }
    const shapes = tally(c.exchanges.map((x) => `${x.request.category} ${x.request.shape}`));
    lines.push(
      `  shapes: ${shapes
        .slice(0, 10)
        .map(([s, k]) => `${s} (${k})`)
        .join('; ')}${shapes.length > 10 ? `; … ${shapes.length - 10} more` : ''}`,
    );
    const bodies = tally(c.exchanges.map((x) => clip(x.response.body, 200)));
    lines.push(
      `  responses: ${bodies
        .slice(0, 3)
        .map(([b, k]) => `${redact(b) || '(empty)'} (${k})`)
        .join(' | ')}`,
    );
    for (const x of c.exchanges.slice(0, examples)) lines.push(formatExchange(x, secrets));
    for (const x of c.exchanges.slice(examples)) {
      lines.push(
        redact(
          `  #${x.request.index} ${x.request.method} ${clip(x.request.path, 120)} [${x.request.shape}] -> ${x.response.status}`,
          secrets,
        ),
      );
    }
  });
  for (const x of r.notSent) lines.push(`not sent: ${formatExchange(x, secrets)}\n    (${x.response.error ?? ''})`);
  return lines.join('\n');
}
