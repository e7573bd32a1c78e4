/** Reading a request body (shared/http/json.ts): its nesting is measured on the text, strings and escapes skipped. */
import { jsonDepth, JsonBodyError, MAX_JSON_DEPTH, parseJsonBody } from '../../shared/http/json';

describe('request bodies', () => {
  it('measures how deep objects and arrays nest, not counting brackets inside strings', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[["}')).toBe(1);
    expect(jsonDepth('["\\\\",[[]]]')).toBe(3);
  });

  it('parses a body up to the depth allowed and refuses deeper ones or invalid JSON', () => {
    const nested = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(parseJsonBody(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
    expect(() => parseJsonBody(nested(MAX_JSON_DEPTH + 1))).toThrow(JsonBodyError);
    expect(() => parseJsonBody(nested(1_000_000))).toThrow(/more than 64 deep/);
    expect(() => parseJsonBody('{"a":')).toThrow('not valid JSON');
  });
});
