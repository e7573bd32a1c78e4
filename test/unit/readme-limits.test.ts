/**
 * The README's table of limits says what the code enforces: each row's value is the constant the
 * code reads (a documentation check: the table is written by hand, and must follow the code).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from '../../shared/scim/limits';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the limits table: limit name → first number of the value column. */
function rows(): Map<string, number> {
  const table = README.slice(README.indexOf('<!-- limits:start -->'), README.indexOf('<!-- limits:end -->'));
  const out = new Map<string, number>();
  for (const line of table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Limit'))) {
    const [name = '', value = ''] = line
      .split('|')
      .slice(1)
      .map((c) => c.trim());
    out.set(name, Number((/[\d,]+/.exec(value)?.[0] ?? 'NaN').replace(/,/g, '')));
  }
  return out;
}

describe('the README table of limits', () => {
  it('names every limit with the value the code enforces', () => {
    expect(Object.fromEntries(rows())).toEqual({
      'Resources per page (`count`)': L.MAX_COUNT,
      'Bytes of resources per list page': L.MAX_RESPONSE_BYTES,
      'Members returned with one group': L.MAX_MEMBERS_RETURNED,
      'Groups returned with one user (direct and indirect)': L.MAX_GROUPS_RETURNED,
      'Operations in one PATCH': L.MAX_PATCH_OPERATIONS,
      'Work units per request': L.WORK_BUDGET,
      'Request deadline (ms)': L.REQUEST_DEADLINE_MS,
      'Request body (bytes)': L.MAX_PAYLOAD_BYTES,
      'Operations in one bulk request (`bulk.maxOperations`)': L.MAX_BULK_OPERATIONS,
      'Bulk request body (bytes, `bulk.maxPayloadSize`)': L.MAX_BULK_PAYLOAD_BYTES,
      'Nesting of a JSON body': L.MAX_JSON_DEPTH,
      'Filter length (characters)': L.MAX_FILTER_LENGTH,
      'Filter nesting (parentheses, brackets, `not`)': L.MAX_FILTER_DEPTH,
      'Resources a list built in memory reads (`startIndex` without an exact index, other sorts)': L.MAX_SCAN,
      'Resources one cursor page of an unindexed filter reads': L.MAX_READS_PER_PAGE,
      'Email addresses of one user': L.MAX_EMAILS,
      'Stored resource (bytes)': L.MAX_RESOURCE_BYTES,
      '`userName`, `displayName`, `externalId` (bytes)': L.MAX_KEY_VALUE_BYTES,
      'A string attribute (characters)': L.MAX_STRING_LENGTH,
      'A reference or binary attribute (characters)': L.MAX_BINARY_LENGTH,
      'Nested groups followed from one group': L.MAX_GROUP_NESTING_VISITS,
      'Cursor and `startIndex` position lifetime (seconds)': L.CURSOR_TIMEOUT_SECONDS,
    });
    expect(README).toContain(`(default ${L.DEFAULT_COUNT})`);
  });
});
