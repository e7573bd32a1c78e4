import { randomUUID } from 'node:crypto';
import { UniquenessError, VersionConflictError } from '../../shared/scim/ports';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { resourceKeys } from '../../shared/store/keys';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { createTestTable } from '../support/dynamo';

const user = (userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  ...extra,
});

describe('user repository on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let repo: DynamoResourceRepository;
  let clock = 0;
  const at = (): string => new Date(Date.UTC(2026, 10, 29, 10, 0, clock++)).toISOString();

  beforeEach(async () => {
    table = await createTestTable();
    repo = new DynamoResourceRepository(table.db, table.tableName, 'User');
  });
  afterEach(() => table.destroy());

  it('creates, reads by id, by userName (any case) and by externalId, and counts', async () => {
    const created = await repo.create('u1', user('Alice@Example.com', { externalId: 'ext-1' }), { at: at() });
    expect(created).toMatchObject({ id: 'u1', version: 1 });
    expect(await repo.get('u1')).toEqual(created);
    expect((await repo.findByName('alice@example.COM'))?.id).toBe('u1');
    expect((await repo.findByExternalId('ext-1')).map((r) => r.id)).toEqual(['u1']);
    expect(await repo.findByExternalId('EXT-1')).toEqual([]); // externalId is caseExact
    expect((await repo.listState()).count).toBe(1);
  });

  it('refuses a second user with the same userName in another case, also when both are created at once', async () => {
    await repo.create('u1', user('bob'), { at: at() });
    await expect(repo.create('u2', user('BOB'), { at: at() })).rejects.toBeInstanceOf(UniquenessError);

    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => repo.create(`c${i}`, user('carol'), { at: at() })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(UniquenessError);
    }
    expect((await repo.listState()).count).toBe(2);
  });

  it('treats look-alike names as the same name: trailing spaces, NFC and NFD forms, case', async () => {
    const nfc = 'Jos\u00e9@example.com';
    const nfd = 'Jose\u0301@example.com';
    expect(nfc).not.toBe(nfd);
    await repo.create('u1', user('Alice'), { at: at() });
    for (const lookalike of ['Alice ', ' alice', 'ALICE\t']) {
      await expect(repo.create(`x-${lookalike.length}`, user(lookalike), { at: at() })).rejects.toBeInstanceOf(UniquenessError);
    }
    await repo.create('u2', user(nfc), { at: at() });
    await expect(repo.create('u3', user(nfd), { at: at() })).rejects.toBeInstanceOf(UniquenessError);
    expect((await repo.findByName(nfd))?.id).toBe('u2');
    expect((await repo.get('u2'))?.resource.userName).toBe(nfc); // stored exactly as sent
    // A rename to a look-alike of itself keeps its own guard; to someone else's is refused.
    const alice = (await repo.get('u1'))!;
    const renamed = await repo.replace(alice, user('alice '), { at: at() });
    await expect(repo.replace(renamed, user(nfd.toUpperCase()), { at: at() })).rejects.toBeInstanceOf(UniquenessError);
  });

  it('replaces only the version it read, and moves the userName guard on a rename', async () => {
    const v1 = await repo.create('u1', user('dave'), { at: at() });
    const v2 = await repo.replace(v1, user('David'), { at: at() });
    expect(v2.version).toBe(2);
    await expect(repo.replace(v1, user('dave2'), { at: at() })).rejects.toBeInstanceOf(VersionConflictError);
    // The old name is free again, the new one is taken.
    await expect(repo.create('u2', user('dave'), { at: at() })).resolves.toBeDefined();
    await expect(repo.create('u3', user('DAVID'), { at: at() })).rejects.toBeInstanceOf(UniquenessError);
  });

  it('keeps a deleted user until its retention ends (DynamoDB TTL), out of reads, lists and counts, and restores it', async () => {
    const v1 = await repo.create('u1', user('erin', { externalId: 'ext-e' }), { at: at() });
    await repo.remove(v1, { at: at(), retainUntil: '2026-12-29T10:00:00.000Z' });
    expect(await repo.get('u1')).toBeUndefined();
    expect(await repo.findByName('erin')).toBeUndefined();
    expect(await repo.findByExternalId('ext-e')).toEqual([]);
    expect((await repo.page({ limit: 10 })).items).toEqual([]);
    expect((await repo.listState()).count).toBe(0);
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: resourceKeys.item('User', 'u1') }));
    expect(Item?.ttl).toBe(Date.parse('2026-12-29T10:00:00.000Z') / 1000);

    const [deleted, ...more] = await repo.findDeletedByExternalId('ext-e');
    expect(more).toEqual([]);
    expect(deleted).toMatchObject({ id: 'u1', retainUntil: '2026-12-29T10:00:00.000Z', resource: { userName: 'erin' } });
    const restored = await repo.restore(deleted!, user('erin', { externalId: 'ext-e', active: true }), { at: at() });
    expect(restored).toMatchObject({ id: 'u1', version: 3 });
    expect((await repo.get('u1'))?.resource).toMatchObject({ userName: 'erin', active: true });
    expect((await repo.listState()).count).toBe(1);
    const { Item: back } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: resourceKeys.item('User', 'u1') }));
    expect(back?.ttl).toBeUndefined();
  });

  it('erases a deleted record at once, and only a deleted record', async () => {
    const v1 = await repo.create('u1', user('erica', { externalId: 'ext-x' }), { at: at() });
    expect(await repo.erase('u1', {})).toBe(false); // a live user is not erased
    await repo.remove(v1, { at: at(), retainUntil: '2026-12-29T10:00:00.000Z' });
    expect(await repo.erase('u1', {})).toBe(true);
    expect(await repo.getDeleted('u1')).toBeUndefined();
    expect(await repo.findDeletedByExternalId('ext-x')).toEqual([]);
    expect(await repo.erase('u1', {})).toBe(false);
  });

  it('moves the listing generation with every create and delete, not with a replace', async () => {
    const g0 = (await repo.listState()).generation;
    const v1 = await repo.create('u1', user('gen'), { at: at() });
    const g1 = (await repo.listState()).generation;
    const v2 = await repo.replace(v1, user('gen', { title: 'x' }), { at: at() });
    expect((await repo.listState()).generation).toBe(g1);
    await repo.remove(v2, { at: at(), retainUntil: at() });
    expect(g1).toBeGreaterThan(g0);
    expect((await repo.listState()).generation).toBeGreaterThan(g1);
  });

  it('lists in creation order in pages, resuming after a position, forwards and backwards', async () => {
    for (let i = 0; i < 7; i++) await repo.create(`id-${randomUUID()}`, user(`user${i}`), { at: at() });
    const first = await repo.page({ limit: 3 });
    expect(first.items.map((r) => r.resource.userName)).toEqual(['user0', 'user1', 'user2']);
    const lastOfFirst = first.items[2]!;
    const second = await repo.page({ after: repo.positionOf(lastOfFirst), limit: 3 });
    expect(second.items.map((r) => r.resource.userName)).toEqual(['user3', 'user4', 'user5']);
    const back = await repo.page({ limit: 2, descending: true });
    expect(back.items.map((r) => r.resource.userName)).toEqual(['user6', 'user5']);
  });

  it('remembers list positions for an hour, within one generation of the listing', async () => {
    const u = await repo.create('u1', user('frank'), { at: at() });
    const now = new Date('2026-11-29T10:00:00Z');
    await repo.putMarker('all', 101, { position: repo.positionOf(u), generation: 7 }, now.toISOString());
    expect(await repo.getMarker('all', 101, 7, new Date(now.getTime() + 3599_000))).toEqual(repo.positionOf(u));
    expect(await repo.getMarker('all', 101, 8, now)).toBeUndefined();
    expect(await repo.getMarker('all', 101, 7, new Date(now.getTime() + 3601_000))).toBeUndefined();
    expect(await repo.getMarker('all', 201, 7, now)).toBeUndefined();
  });

  it('keeps the password hash through a replace that does not send one', async () => {
    const v1 = await repo.create('u1', user('gina'), { at: at(), passwordHash: 'scrypt$hash' });
    const v2 = await repo.replace(v1, user('gina', { title: 'Eng' }), { at: at() });
    expect(v2.passwordHash).toBe('scrypt$hash');
    expect((await repo.get('u1'))?.passwordHash).toBe('scrypt$hash');
  });

  describe('with uniqueExternalId (cdk deploy -c uniqueExternalId=true)', () => {
    let unique: DynamoResourceRepository;
    beforeEach(() => {
      unique = new DynamoResourceRepository(table.db, table.tableName, 'User', { uniqueExternalId: true });
    });

    it('refuses a second user with the same externalId, also when both are created at once', async () => {
      await unique.create('u1', user('hank', { externalId: 'ext-h' }), { at: at() });
      await expect(unique.create('u2', user('ivan', { externalId: 'ext-h' }), { at: at() })).rejects.toMatchObject({
        name: 'UniquenessError',
        attribute: 'externalId',
      });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => unique.create(`x${i}`, user(`x${i}`, { externalId: 'ext-race' }), { at: at() })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('frees an externalId changed by a replace or held by a deleted user; a restore claims it again', async () => {
      const v1 = await unique.create('u1', user('jane', { externalId: 'ext-1' }), { at: at() });
      const v2 = await unique.replace(v1, user('jane', { externalId: 'ext-2' }), { at: at() });
      await expect(unique.create('u2', user('kim', { externalId: 'ext-1' }), { at: at() })).resolves.toBeDefined();
      await unique.remove(v2, { at: at(), retainUntil: at() });
      const [deleted] = await unique.findDeletedByExternalId('ext-2');
      await expect(unique.restore(deleted!, user('jane', { externalId: 'ext-2' }), { at: at() })).resolves.toMatchObject({ id: 'u1' });
      await expect(unique.create('u3', user('lee', { externalId: 'ext-2' }), { at: at() })).rejects.toBeInstanceOf(UniquenessError);
    });

    it('lets a new user take the externalId of a deleted one; the deleted one then cannot be restored with it', async () => {
      const v1 = await unique.create('u1', user('mia', { externalId: 'ext-m' }), { at: at() });
      await unique.remove(v1, { at: at(), retainUntil: at() });
      await expect(unique.create('u2', user('noa', { externalId: 'ext-m' }), { at: at() })).resolves.toMatchObject({ id: 'u2' });
      const [deleted] = await unique.findDeletedByExternalId('ext-m');
      await expect(unique.restore(deleted!, user('mia', { externalId: 'ext-m' }), { at: at() })).rejects.toMatchObject({
        attribute: 'externalId',
      });
    });
  });
});
