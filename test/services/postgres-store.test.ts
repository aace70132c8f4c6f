// The state contract against PostgreSQL, and what only a shared database has to get right:
// several writers at once, migrations raced by processes starting together, a lock per schema,
// and batches that cost a fixed number of round trips.
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LockError, StoreError } from '../../src/errors.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { SCHEMA_VERSION } from '../../src/store/postgres-schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { describeStoreContract, item, storables } from '../store-contract.js';
import { postgresUrl, schemaOf, TestSchemas, urlWithSchema } from './support/postgres.js';

const schemas = new TestSchemas();
afterAll(() => schemas.end());

describeStoreContract('PostgresStore', {
  freshLocation: () => schemas.fresh(),
  cleanup: () => schemas.dropAll(),
  setContentHash: async (location, id, hash) => {
    await schemas.query(`UPDATE ${schemaOf(location)}.entries SET content_hash = $1 WHERE id = $2`, [hash, id]);
  },
});

const NOW = Date.parse('2026-09-14T09:01:00Z');

describe('PostgresStore with several writers', () => {
  const stores: Store[] = [];
  const open = async (location: string) => {
    const store = await openStore(location);
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await schemas.dropAll();
  });

  async function updatedInstants(location: string): Promise<number[]> {
    return (await schemas.query<{ updated_ms: string }>(`SELECT updated_ms FROM ${schemaOf(location)}.entries`)).map((row) => Number(row.updated_ms));
  }

  it('never stores an entry twice when two workers store the same entries at once', async () => {
    const location = await schemas.fresh();
    const [a, b] = await Promise.all([open(location), open(location)]);
    // 600 each, 300 of them shared, all in one minute.
    const list = Array.from({ length: 900 }, (_, index) => item(`urn:x:${index}`, '2026-09-14T09:00:00Z'));
    const [countsA, countsB] = await Promise.all([a.applyPass(list.slice(0, 600), [], NOW), b.applyPass(list.slice(300), [], NOW)]);
    expect(await a.entryCount()).toBe(900);
    // Each shared entry is new to exactly one of them.
    expect(countsA.new + countsB.new).toBe(900);
    expect(countsA.unchanged + countsB.unchanged).toBe(300);
    expect(new Set(await updatedInstants(location))).toEqual(new Set([Date.parse('2026-09-14T09:00:00Z')]));
  });

  it('lets the newest capture win whichever writer commits first, and loses no update', async () => {
    const location = await schemas.fresh();
    const [a, b] = await Promise.all([open(location), open(location)]);
    const base = Array.from({ length: 200 }, (_, index) => item(`urn:x:${index}`, '2026-09-14T08:00:00Z', { summary: 'v1' }));
    await a.applyPass(base, [], NOW);
    for (let round = 2; round <= 6; round++) {
      const capturedAt = (minute: number) => new Date(Date.parse('2026-09-14T09:00:00Z') + round * 600_000 + minute * 60_000);
      const older = base.map((entry) => ({ ...entry, summary: `v${round} older`, capturedAt: capturedAt(0) }));
      const newer = base.map((entry) => ({ ...entry, summary: `v${round} newer`, capturedAt: capturedAt(1) }));
      // Alternate who starts first: the outcome must not depend on it.
      const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
      await Promise.all([first.applyPass(newer, [], NOW + round), second.applyPass(older, [], NOW + round)]);
      const stored = await a.feedEntries({}, 500, () => true);
      expect(stored).toHaveLength(200);
      expect(new Set(stored.map((entry) => entry.summary))).toEqual(new Set([`v${round} newer`]));
      expect(new Set(stored.map((entry) => entry.capturedAt.getTime()))).toEqual(new Set([capturedAt(1).getTime()]));
    }
    // Every edit was captured at the same minute, and so shares its updated date.
    expect(new Set(await updatedInstants(location))).toEqual(new Set([Date.parse('2026-09-14T10:01:00Z')]));
  });

  it('keeps the dates of entries that writers store in the same minutes at once', async () => {
    const location = await schemas.fresh();
    const writers = await Promise.all([open(location), open(location), open(location)]);
    await Promise.all(
      writers.map((writer, w) => {
        const list = Array.from({ length: 150 }, (_, index) => item(`urn:x:${w}-${index}`, `2026-09-14T09:0${index % 3}:00Z`));
        return writer.applyPass(list, [], NOW);
      }),
    );
    const instants = await updatedInstants(location);
    expect(instants).toHaveLength(450);
    expect(instants.filter((ms) => ms === Date.parse('2026-09-14T09:01:00Z'))).toHaveLength(150);
    expect(new Set(instants)).toEqual(new Set(['09:00', '09:01', '09:02'].map((time) => Date.parse(`2026-09-14T${time}:00Z`))));
  });

  it('stores a batch of thousands of entries in a few statements, not one each', async () => {
    const location = await schemas.fresh();
    const store = await open(location);
    const list = Array.from({ length: 2000 }, (_, index) => item(`urn:x:${index}`, new Date(Date.parse('2026-09-14T00:00:00Z') + index * 60_000).toISOString()));
    const queries = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await store.beginPass(NOW).storeEntries(storables(list));
      const firstBatch = queries.mock.calls.length;
      // One later capture of them all, half of them edited.
      const recaptured = new Date('2026-09-20T00:00:00Z');
      const edited = list.map((entry, index) => (index % 2 === 0 ? { ...entry, summary: 'edited', capturedAt: recaptured } : { ...entry, capturedAt: recaptured }));
      const later = store.beginPass(NOW + 60_000);
      await later.storeEntries(storables(edited));
      const secondBatch = queries.mock.calls.length - firstBatch;
      // BEGIN, read and lock, insert or update and touch, COMMIT: a handful, however many entries.
      expect(firstBatch).toBeLessThan(12);
      expect(secondBatch).toBeLessThan(12);
      expect(await later.end([])).toEqual({ new: 0, updated: 1000, unchanged: 1000 });
    } finally {
      queries.mockRestore();
    }
  });
});

describe('PostgresStore migrations and locks', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await schemas.dropAll();
  });

  it('migrates a schema once when several processes open it at the same moment', async () => {
    const location = await schemas.fresh();
    stores.push(...(await Promise.all(Array.from({ length: 4 }, () => openStore(location)))));
    const versions = await schemas.query<{ version: number }>(`SELECT version FROM ${schemaOf(location)}.schema_migrations ORDER BY version`);
    expect(versions.map((row) => row.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, index) => index + 1));
  });

  it('refuses a schema a newer feedloom migrated, and names the reason', async () => {
    const location = await schemas.fresh();
    await (await openStore(location)).close();
    await schemas.query(`INSERT INTO ${schemaOf(location)}.schema_migrations (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    const opening = openStore(location);
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(/newer than this feedloom/);
  });

  it('keeps one pass lock per schema: two states in one database never block each other', async () => {
    const [one, two] = await Promise.all([schemas.fresh(), schemas.fresh()]);
    const a = await openStore(one);
    const b = await openStore(two);
    const aAgain = await openStore(one);
    stores.push(a, b, aAgain);
    const releaseA = await a.lockPasses();
    const releaseB = await b.lockPasses();
    await expect(aAgain.lockPasses()).rejects.toThrow(LockError);
    await releaseA();
    const releaseAgain = await aAgain.lockPasses();
    await releaseAgain();
    await releaseB();
  });

  it('frees the pass lock when its store closes without releasing it', async () => {
    const location = await schemas.fresh();
    const holder = await openStore(location);
    await holder.lockPasses();
    await holder.close();
    const other = await openStore(location);
    stores.push(other);
    await (await other.lockPasses())();
  });

  it('says when the server ends the pass lock\'s connection, goes on working, and lets the next pass take the lock', async () => {
    const location = await schemas.fresh();
    const holder = await openStore(location);
    stores.push(holder);
    const lost: string[] = [];
    const release = await holder.lockPasses((reason) => lost.push(reason));
    // The lock's connection is the one holding an advisory lock in this schema's database.
    const holders = await schemas.query<{ pid: number }>("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()");
    expect(holders).toHaveLength(1);
    await schemas.query('SELECT pg_terminate_backend($1)', [holders[0]!.pid]);

    // Without a listener on that connection, its end would have ended this process.
    await vi.waitFor(() => expect(lost).toHaveLength(1));
    expect(lost[0]).toMatch(/connection holding it to .* ended: terminating connection due to administrator command/);
    const other = await openStore(location);
    stores.push(other);
    const releaseOther = await other.lockPasses();
    await expect(release()).resolves.toBeUndefined();
    await releaseOther();
    expect(await holder.passCount()).toBe(0);
  });

  it('names the server, never the password, when it cannot connect', async () => {
    const url = new URL(postgresUrl());
    url.password = 's3cret-word';
    url.port = '1';
    const opening = PostgresStore.open(urlWithSchema(url.href, 'public'));
    await expect(opening).rejects.toThrow(StoreError);
    const message = await opening.catch((error: Error) => error.message);
    expect(message).toContain(`${url.hostname}:1`);
    expect(message).not.toContain('s3cret-word');
  });
});
