/**
 * SCIM filter and PATCH path parsing (RFC 7644 sections 3.4.2.2 and 3.5.2): a hand-written
 * tokenizer and recursive-descent parser. Precedence: `not` > `and` > `or`, both binary
 * operators left-associative; keywords and operators are case-insensitive.
 *
 * Tolerance for what identity providers send (the only values outside the grammar accepted):
 * - unquoted values (`externalId eq jyoung`, Entra ID's documented lookup): a bare word after an
 *   operator is a string unless it is true/false/null (any case) or a JSON number (integers beyond
 *   2^53 stay strings: they are IDs). A bare word may hold letters, digits and `_ . @ + : / ~ -`
 *   (ids, e-mail addresses, dates); anything else (a single-quoted string, a comma, a brace) is
 *   400 invalidFilter;
 * - any whitespace (space, tab, CR, LF) in any amount between tokens;
 * - `emails[type eq "work"].value eq "x"` is read as `emails[type eq "work" and value eq "x"]`.
 *
 * Every error is a ScimError 400 (invalidFilter; invalidPath for PATCH paths) whose detail names
 * the position (1-based) and the token.
 */
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from '../limits';
import { ScimError } from '../messages/error';
import type { AttrPath, CompareOp, CompValue, Filter, PatchPath } from './ast';

export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH };

type ErrorType = 'invalidFilter' | 'invalidPath' | 'invalidValue' | 'invalidSyntax';

const COMPARE_OPS: readonly string[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] satisfies CompareOp[];
const isCompareOp = (s: string): s is CompareOp => COMPARE_OPS.includes(s);

const NAME = '(?:[A-Za-z][A-Za-z0-9_-]*|\\$[Rr][Ee][Ff])';
const ATTR_NAME_RE = new RegExp(`^${NAME}$`);
const NAME_AND_SUB_RE = new RegExp(`^(${NAME})(?:\\.(${NAME}))?$`);
const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER_RE = /^-?\d+$/;
/** What an unquoted value may hold (Entra ID's `externalId eq jyoung`, ids, e-mail addresses, dates). */
const BARE_VALUE_RE = /^[\w.@+:/~-]+$/;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const DELIMITERS = new Set(['(', ')', '[', ']', '"']);
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

type Punct = '(' | ')' | '[' | ']';
type Token =
  | { readonly type: 'punct'; readonly text: Punct; readonly pos: number }
  | { readonly type: 'string'; readonly text: string; readonly value: string; readonly pos: number }
  | { readonly type: 'word'; readonly text: string; readonly pos: number };

const quote = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

function fail(kind: ErrorType, message: string, pos?: number): never {
  const label = kind === 'invalidPath' ? 'Invalid path' : kind === 'invalidFilter' ? 'Invalid filter' : 'Invalid attribute path';
  throw ScimError.typed(kind, `${label}: ${message}${pos === undefined ? '' : ` at position ${pos + 1}`}`);
}

function readString(input: string, start: number, kind: ErrorType): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < input.length) {
    const c = input.charAt(i);
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i += 1;
      continue;
    }
    const e = input.charAt(i + 1);
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(input.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(input.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      fail(kind, `invalid escape ${quote(input.slice(i, i + 6))} in string`, i);
    }
  }
  return fail(kind, `unterminated string ${quote(input.slice(start))} starting`, start);
}

function tokenize(input: string, kind: ErrorType): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (WHITESPACE.has(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: 'punct', text: c, pos: i });
      i += 1;
    } else if (c === '"') {
      const { value, end } = readString(input, i, kind);
      tokens.push({ type: 'string', text: input.slice(i, end), value, pos: i });
      i = end;
    } else {
      let j = i;
      while (j < input.length && !WHITESPACE.has(input.charAt(j)) && !DELIMITERS.has(input.charAt(j))) j += 1;
      tokens.push({ type: 'word', text: input.slice(i, j), pos: i });
      i = j;
    }
  }
  return tokens;
}

/** `[URI ":"] ATTRNAME ["." ATTRNAME]`; the attribute name is what follows the last colon. */
function toAttrPath(text: string, pos: number, kind: ErrorType): AttrPath {
  const colon = text.lastIndexOf(':');
  const uri = colon >= 0 ? text.slice(0, colon) : undefined;
  if (uri !== undefined && !URI_RE.test(uri)) fail(kind, `invalid schema URI in attribute path ${quote(text)}`, pos);
  const m = NAME_AND_SUB_RE.exec(text.slice(colon + 1));
  if (!m?.[1]) return fail(kind, `invalid attribute path ${quote(text)}`, pos);
  return { ...(uri === undefined ? {} : { uri }), name: m[1], ...(m[2] === undefined ? {} : { sub: m[2] }) };
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly kind: ErrorType,
    private readonly inputLength: number,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(): Token | undefined {
    const t = this.tokens[this.i];
    if (t) this.i += 1;
    return t;
  }

  fail(message: string, at?: Token): never {
    return fail(this.kind, message, at ? at.pos : this.inputLength);
  }

  found(t: Token | undefined): string {
    return t ? `found ${quote(t.text)}` : 'found end of input';
  }

  isWord(t: Token | undefined, word: string): boolean {
    return t?.type === 'word' && t.text.toLowerCase() === word;
  }

  isPunct(t: Token | undefined, p: Punct): boolean {
    return t?.type === 'punct' && t.text === p;
  }

  expectPunct(p: Punct, opener: Token): void {
    const t = this.next();
    if (!this.isPunct(t, p))
      this.fail(`expected ${quote(p)} to close ${quote(opener.text)} at position ${opener.pos + 1}, ${this.found(t)}`, t);
  }

  enter(t: Token): void {
    this.depth += 1;
    if (this.depth > MAX_FILTER_DEPTH) this.fail(`nesting deeper than ${MAX_FILTER_DEPTH} levels`, t);
  }

  leave(): void {
    this.depth -= 1;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t) this.fail(`unexpected ${quote(t.text)}; expected "and", "or" or the end of the filter`, t);
  }

  /** FILTER: or-expressions of and-expressions of unary expressions. */
  filter(inValue: boolean): Filter {
    let left = this.conjunction(inValue);
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction(inValue) };
    }
    return left;
  }

  private conjunction(inValue: boolean): Filter {
    let left = this.unary(inValue);
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary(inValue) };
    }
    return left;
  }

  private unary(inValue: boolean): Filter {
    const t = this.next();
    if (t?.type === 'word' && t.text.toLowerCase() === 'not' && this.isPunct(this.peek(), '(')) {
      const open = this.next() as Token;
      this.enter(open);
      const filter = this.filter(inValue);
      this.expectPunct(')', open);
      this.leave();
      return { kind: 'not', filter };
    }
    if (t && this.isPunct(t, '(')) {
      this.enter(t);
      const filter = this.filter(inValue);
      this.expectPunct(')', t);
      this.leave();
      return filter;
    }
    if (t?.type !== 'word') return this.fail(`expected an attribute path, "(" or "not", ${this.found(t)}`, t);
    return this.attributeExpression(t, inValue);
  }

  private attributeExpression(t: Token, inValue: boolean): Filter {
    const path = toAttrPath(t.text, t.pos, this.kind);
    const open = this.peek();
    if (!open || !this.isPunct(open, '[')) return this.operation(path, t);
    if (inValue) this.fail(`nested "[" inside the value filter of an attribute path`, open);
    if (path.sub !== undefined) this.fail(`a value filter cannot follow the sub-attribute in ${quote(t.text)}`, open);
    this.next();
    const inner = this.valueFilter(open);
    const after = this.peek();
    if (after?.type === 'word' && after.text.startsWith('.')) {
      // `emails[type eq "work"].value eq "x"`: the element must also satisfy `value eq "x"`.
      this.next();
      const name = after.text.slice(1);
      if (!ATTR_NAME_RE.test(name)) this.fail(`invalid sub-attribute ${quote(after.text)}`, after);
      return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: this.operation({ name }, after) } };
    }
    return { kind: 'valuePath', path, filter: inner };
  }

  /** The inside of `[...]`, after the `[`, up to and including the `]`. */
  valueFilter(open: Token): Filter {
    this.enter(open);
    const inner = this.filter(true);
    this.expectPunct(']', open);
    this.leave();
    return inner;
  }

  private operation(path: AttrPath, pathToken: Token): Filter {
    const t = this.next();
    if (t?.type !== 'word') return this.fail(`expected an operator after ${quote(pathToken.text)}, ${this.found(t)}`, t);
    const op = t.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!isCompareOp(op)) return this.fail(`unknown operator ${quote(t.text)}`, t);
    const value = this.value(t);
    if (value === null && op !== 'eq' && op !== 'ne') this.fail(`operator ${quote(t.text)} cannot compare with null`, t);
    return { kind: 'compare', path, op, value };
  }

  private value(opToken: Token): CompValue {
    const t = this.next();
    if (t?.type === 'string') return t.value;
    if (t?.type !== 'word') return this.fail(`expected a value after ${quote(opToken.text)}, ${this.found(t)}`, t);
    const lower = t.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (!NUMBER_RE.test(t.text)) {
      if (!BARE_VALUE_RE.test(t.text)) {
        this.fail(`the value ${quote(t.text)} is not a JSON string, number, true, false or null; quote it: "…"`, t);
      }
      return t.text;
    }
    const n = Number(t.text);
    if (!Number.isFinite(n)) return this.fail(`number ${quote(t.text)} is out of range`, t);
    if (INTEGER_RE.test(t.text) && !Number.isSafeInteger(n)) return t.text;
    return n === 0 ? 0 : n;
  }
}

function run<T>(text: unknown, kind: ErrorType, what: string, body: (p: Parser) => T): T {
  if (typeof text !== 'string') return fail(kind, `${what} must be a string`);
  if (text.length > MAX_FILTER_LENGTH) return fail(kind, `${what} is longer than ${MAX_FILTER_LENGTH} characters`);
  try {
    const tokens = tokenize(text, kind);
    if (tokens.length === 0) return fail(kind, `${what} is empty`);
    return body(new Parser(tokens, kind, text.length));
  } catch (e) {
    if (e instanceof ScimError) throw e;
    return fail(kind, `${what} could not be parsed (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Parses a `filter` query parameter or SearchRequest filter. */
export function parseFilter(text: string): Filter {
  return run(text, 'invalidFilter', 'the filter', (p) => {
    const f = p.filter(false);
    p.expectEnd();
    return f;
  });
}

/** Parses a PATCH operation's `path`: `attrPath` or `valuePath ["." subAttr]`. */
export function parsePatchPath(text: string): PatchPath {
  return run(text, 'invalidPath', 'the path', (p) => {
    const first = p.next();
    if (first?.type !== 'word') return p.fail(`expected an attribute path, ${p.found(first)}`, first);
    const attr = toAttrPath(first.text, first.pos, 'invalidPath');
    const open = p.next();
    if (!open) return { attr };
    if (!p.isPunct(open, '[')) return p.fail(`unexpected ${quote(open.text)} after the attribute path`, open);
    if (attr.sub !== undefined) p.fail(`a value filter cannot follow the sub-attribute in ${quote(first.text)}`, open);
    const filter = p.valueFilter(open);
    const after = p.next();
    if (!after) return { attr, filter };
    const sub = after.type === 'word' && after.text.startsWith('.') ? after.text.slice(1) : undefined;
    if (sub === undefined || !ATTR_NAME_RE.test(sub)) return p.fail(`unexpected ${quote(after.text)} after the value filter`, after);
    const rest = p.next();
    if (rest) p.fail(`unexpected ${quote(rest.text)} after the path`, rest);
    return { attr, filter, subAfterFilter: sub };
  });
}

/**
 * Parses a bare attribute path (`attributes`, `excludedAttributes`, `sortBy`): no value filter.
 * Errors are invalidFilter unless the caller names another scimType.
 */
export function parseAttrPath(text: string, scimType: ErrorType = 'invalidFilter'): AttrPath {
  return run(text, scimType, 'the attribute path', (p) => {
    const first = p.next();
    if (first?.type !== 'word') return p.fail(`expected an attribute path, ${p.found(first)}`, first);
    const path = toAttrPath(first.text, first.pos, scimType);
    const rest = p.next();
    if (rest && p.isPunct(rest, '[')) p.fail(`a value filter is not allowed in an attribute path`, rest);
    if (rest) p.fail(`unexpected ${quote(rest.text)} after the attribute path`, rest);
    return path;
  });
}
