/**
 * Canonical text for filters and paths; `parseFilter(formatFilter(f))` gives back `f`.
 *
 * Canonical form: keywords and operators in lower case, single spaces, strings as JSON
 * (`JSON.stringify`), `not (…)` with a space, `path[…]` without one, and only the parentheses
 * the precedence needs (`not` > `and` > `or`, both left-associative). Numbers: `-0` is written
 * `0`, integers beyond 2^53 in exponent form (so they read back as numbers, not as bare-word
 * IDs), and non-finite numbers (not JSON) as `null`.
 */
import type { AttrPath, CompValue, Filter, PatchPath } from './ast';

export function formatAttrPath(p: AttrPath): string {
  return `${p.uri === undefined ? '' : `${p.uri}:`}${p.name}${p.sub === undefined ? '' : `.${p.sub}`}`;
}

export function formatValue(v: CompValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return 'null';
  if (v === 0) return '0';
  const text = String(v);
  return Number.isInteger(v) && !Number.isSafeInteger(v) && !/e/i.test(text) ? v.toExponential() : text;
}

const wrap = (f: Filter, needsParens: boolean): string => (needsParens ? `(${formatFilter(f)})` : formatFilter(f));

export function formatFilter(f: Filter): string {
  switch (f.kind) {
    case 'compare':
      return `${formatAttrPath(f.path)} ${f.op} ${formatValue(f.value)}`;
    case 'present':
      return `${formatAttrPath(f.path)} pr`;
    case 'not':
      return `not (${formatFilter(f.filter)})`;
    case 'valuePath':
      return `${formatAttrPath(f.path)}[${formatFilter(f.filter)}]`;
    case 'and':
      return `${wrap(f.left, f.left.kind === 'or')} and ${wrap(f.right, f.right.kind === 'or' || f.right.kind === 'and')}`;
    case 'or':
      return `${formatFilter(f.left)} or ${wrap(f.right, f.right.kind === 'or')}`;
    case 'term':
      return f.text;
  }
}

export function formatPatchPath(p: PatchPath): string {
  const filter = p.filter === undefined ? '' : `[${formatFilter(p.filter)}]`;
  return `${formatAttrPath(p.attr)}${filter}${p.subAfterFilter === undefined ? '' : `.${p.subAfterFilter}`}`;
}
