/**
 * The one write loop (shared/scim/service/writer.ts), on a resource that keeps changing under
 * every write, or is gone, or collides: the answers an identity provider gets.
 */
import { ScimError } from '../../shared/scim/messages/error';
import { ResourceNotFoundError, UniquenessError, VersionConflictError } from '../../shared/scim/ports';
import { ResourceWriter, type RequestContext } from '../../shared/scim/service/writer';
import { FakeClock } from '../support/clock';

const ctx: RequestContext = { actor: { type: 'scimToken', id: 't1' }, baseUrl: 'https://scim.example/v2' };

function writer(): {
  w: ResourceWriter;
  audits: { action: string; outcome: string; reason?: string }[];
  conflicts: number[];
  sleeps: number[];
} {
  const audits: { action: string; outcome: string; reason?: string }[] = [];
  const conflicts: number[] = [];
  const sleeps: number[] = [];
  const w = new ResourceWriter({
    kind: 'User',
    clock: new FakeClock(new Date('2026-12-01T00:00:00Z')),
    newEventId: () => 'e',
    audit: { record: async (e) => void audits.push({ action: e.action, outcome: e.outcome, ...(e.reason ? { reason: e.reason } : {}) }) },
    onConflict: () => void conflicts.push(1),
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { w, audits, conflicts, sleeps };
}

const caught = async (p: Promise<unknown>): Promise<ScimError> => {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
};

describe('the write loop', () => {
  it.each(['replace', 'patch', 'delete'])('answers a %s that loses every race 503 with Retry-After (never 409, never 500)', async (op) => {
    const { w, conflicts, sleeps, audits } = writer();
    let writes = 0;
    const error = await caught(
      w.modify({
        id: 'u1',
        ctx,
        op,
        preconditions: {},
        read: async () => ({ version: 1 }),
        version: async () => 1,
        change: async () => ({
          write: async () => {
            writes++;
            throw new VersionConflictError('changed');
          },
        }),
      }),
    );
    expect({ status: error.status, scimType: error.scimType, headers: error.headers }).toEqual({
      status: 503,
      scimType: undefined,
      headers: { 'Retry-After': '1' },
    });
    expect(error.toBody()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
    expect(writes).toBe(30);
    expect(conflicts).toHaveLength(30);
    expect(sleeps).toHaveLength(29);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(100);
    expect(audits).toEqual([]); // a 5xx is the service's failure, not a refusal of the client
  });

  it('retries a lost race and answers with the write that landed', async () => {
    const { w, conflicts } = writer();
    let attempt = 0;
    const result = await w.modify({
      id: 'u1',
      ctx,
      op: 'patch',
      preconditions: {},
      read: async () => ({ version: attempt }),
      version: async () => 1,
      change: async () => ({
        write: async () => {
          if (++attempt < 4) throw new VersionConflictError('changed');
          return 'landed';
        },
      }),
    });
    expect(result).toBe('landed');
    expect(conflicts).toHaveLength(3);
  });

  it('answers 412 at once when the client named a version (If-Match or If-None-Match) and the race was lost', async () => {
    for (const preconditions of [{ ifMatch: ['W/"1"'] }, { ifNoneMatch: ['W/"9"'] }]) {
      const { w } = writer();
      let writes = 0;
      const error = await caught(
        w.modify({
          id: 'u1',
          ctx,
          op: 'replace',
          preconditions,
          read: async () => ({}),
          version: async () => 1,
          change: async () => ({
            write: async () => {
              writes++;
              throw new VersionConflictError('changed');
            },
          }),
        }),
      );
      expect(error.status).toBe(412);
      expect(writes).toBe(1);
    }
  });

  it('plans again, even with If-Match, when the race was lost on something other than the resource (its version still holds)', async () => {
    const { w, conflicts } = writer();
    let writes = 0;
    const result = await w.modify({
      id: 'u1',
      ctx,
      op: 'patch',
      preconditions: { ifMatch: ['W/"1"'] },
      read: async () => ({}),
      version: async () => 1,
      change: async () => ({
        write: async () => {
          if (++writes < 3) throw new VersionConflictError('groups were nested meanwhile', { resourceChanged: false });
          return 'landed';
        },
      }),
    });
    expect({ result, writes, conflicts: conflicts.length }).toEqual({ result: 'landed', writes: 3, conflicts: 2 });
  });

  it('answers a precondition that fails 412 before planning anything, and audits the refusal', async () => {
    const { w, audits } = writer();
    let planned = false;
    const error = await caught(
      w.modify({
        id: 'u1',
        ctx,
        op: 'delete',
        preconditions: { ifNoneMatch: ['*'] },
        read: async () => ({}),
        version: async () => 3,
        change: async () => {
          planned = true;
          return { unchanged: undefined };
        },
      }),
    );
    expect(error.status).toBe(412);
    expect(planned).toBe(false);
    expect(audits).toEqual([{ action: 'user.delete', outcome: 'failure', reason: '412' }]);
  });

  it('translates the other domain errors: a collision is 409 uniqueness naming the value, a resource gone is 404', async () => {
    const { w } = writer();
    const unique = await caught(
      w.modify({
        id: 'u1',
        ctx,
        op: 'replace',
        preconditions: {},
        read: async () => ({}),
        version: async () => 1,
        change: async () => ({
          resource: { userName: 'taken@example.com' },
          write: async () => {
            throw new UniquenessError('userName', 'in use');
          },
        }),
      }),
    );
    expect({ status: unique.status, scimType: unique.scimType, detail: unique.message }).toEqual({
      status: 409,
      scimType: 'uniqueness',
      detail: 'A User with userName "taken@example.com" already exists.',
    });
    const gone = await caught(
      w.modify({
        id: 'u1',
        ctx,
        op: 'patch',
        preconditions: {},
        read: async () => ({}),
        version: async () => 1,
        change: async () => ({
          write: async () => {
            throw new ResourceNotFoundError('gone');
          },
        }),
      }),
    );
    expect(gone.status).toBe(404);
    expect(
      (
        await caught(
          w.modify({
            id: 'u2',
            ctx,
            op: 'patch',
            preconditions: {},
            read: async () => undefined,
            version: async () => 1,
            change: async () => ({ unchanged: 1 }),
          }),
        )
      ).status,
    ).toBe(404);
  });
});
