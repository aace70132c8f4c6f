// A PostgreSQL state an earlier version wrote, brought up to date by the next pass: the unique
// `updated` instant it kept (briefs that shared a minute moved on by whole seconds) and the links
// into out/ it stored give way to the source's dates and no link, and the feeds come out as a
// clean state writes them.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entryPageUrl } from '../../src/layout.js';
import { SCHEMA_VERSION } from '../../src/store/postgres-schema.js';
import { openStore } from '../../src/store/open-store.js';
import { filesUnder, passWithLogs, TempDirs, writePage, type PageSpec } from '../support/feed-site.js';
import { schemaOf, TestSchemas } from './support/postgres.js';

const schemas = new TestSchemas();
const temps = new TempDirs();
afterAll(async () => {
  temps.cleanup();
  await schemas.end();
});

const NOW = new Date('2026-10-24T12:00:00Z');
const SITE_URL = 'https://quay.example.test/';
const PAGE: PageSpec = {
  captured: '2026-10-24T09:30:00+01:00',
  lead: 'The lifeboat station opens its doors to visitors this weekend.',
  briefs: [
    { time: '08:15', topic: 'Tides', text: 'Spring tides bring the highest water of the month on Sunday.' },
    { time: '08:15', topic: 'Fishing', text: 'The mackerel boats stay in port while the swell settles.' },
    { time: '08:15', topic: 'Transport', text: 'The quay bus runs every twenty minutes from Monday.' },
    { time: '07:58', topic: 'Council', text: 'Parking charges on the seafront are frozen for the winter.' },
  ],
};

async function site() {
  const dir = temps.make('pg-upgrade');
  const sourcesDir = path.join(dir, 'sources');
  writePage(sourcesDir, 'quay.txt', PAGE);
  writeFileSync(path.join(sourcesDir, 'site.yaml'), `title: Quay Desk\nurl: ${SITE_URL}\ntimezone: Europe/London\n`);
  return { sourcesDir, outDir: path.join(dir, 'out'), location: await schemas.fresh() };
}

async function pass(where: Awaited<ReturnType<typeof site>>) {
  const store = await openStore(where.location);
  try {
    return (await passWithLogs({ sourcesDir: where.sourcesDir, outDir: where.outDir, store, now: () => NOW })).summary;
  } finally {
    await store.close();
  }
}

async function storedRows(location: string): Promise<string[]> {
  const rows = await schemas.query<{ id: string; link: string | null; published_ms: number; updated_ms: number }>(
    `SELECT id, link, published_ms::float8 AS published_ms, updated_ms::float8 AS updated_ms FROM ${schemaOf(location)}.entries ORDER BY id COLLATE "C"`,
  );
  return rows.map((row) => `${row.id} ${row.link} ${new Date(row.published_ms).toISOString()} ${new Date(row.updated_ms).toISOString()}`);
}

function outFiles(outDir: string): [string, string][] {
  return filesUnder(outDir)
    .filter((name) => name !== 'status.json')
    .map((name) => [name, readFileSync(path.join(outDir, name), 'utf8')]);
}

describe('a PostgreSQL state an earlier version wrote', () => {
  it('gets the source dates and no links into out/ back on the next pass, and the feeds a clean state writes', async () => {
    const clean = await site();
    await pass(clean);
    const upgraded = await site();
    await pass(upgraded);

    // What an earlier version left: the three 08:15 briefs at :00, :01 and :02 under a unique
    // constraint on `updated`, links into out/ in a column that may not be empty, and the
    // schema version from before both changes.
    const schema = schemaOf(upgraded.location);
    const shared = await schemas.query<{ id: string }>(`SELECT id FROM ${schema}.entries WHERE published_ms = $1 ORDER BY id COLLATE "C"`, [Date.parse('2026-10-24T07:15:00Z')]);
    expect(shared).toHaveLength(3);
    for (const [index, { id }] of shared.entries()) {
      await schemas.query(`UPDATE ${schema}.entries SET published_ms = published_ms + $1, updated_ms = updated_ms + $1 WHERE id = $2`, [index * 1000, id]);
    }
    const withoutLink = await schemas.query<{ id: string }>(`SELECT id FROM ${schema}.entries WHERE link IS NULL`);
    expect(withoutLink.length).toBe(5);
    for (const { id } of withoutLink) await schemas.query(`UPDATE ${schema}.entries SET link = $1 WHERE id = $2`, [entryPageUrl(SITE_URL, id), id]);
    await schemas.query(`ALTER TABLE ${schema}.entries ALTER COLUMN link SET NOT NULL`);
    await schemas.query(`ALTER TABLE ${schema}.entries ADD CONSTRAINT entries_updated_unique UNIQUE (updated_ms) DEFERRABLE INITIALLY DEFERRED`);
    // Schema version 1 is the release before both changes; the columns added since go too.
    for (const column of ['briefs', 'brief_lists', 'degraded_from']) await schemas.query(`ALTER TABLE ${schema}.sources DROP COLUMN ${column}`);
    await schemas.query(`DELETE FROM ${schema}.schema_migrations WHERE version > $1`, [1]);
    expect(await storedRows(upgraded.location)).not.toEqual(await storedRows(clean.location));

    const summary = await pass(upgraded);
    expect(summary.entriesUpdated).toBe(2);
    expect(await storedRows(upgraded.location)).toEqual(await storedRows(clean.location));
    expect(outFiles(upgraded.outDir)).toEqual(outFiles(clean.outDir));
    const versions = await schemas.query<{ version: number }>(`SELECT max(version) AS version FROM ${schema}.schema_migrations`);
    expect(versions[0]?.version).toBe(SCHEMA_VERSION);
    // And the pass after that has nothing left to repair.
    expect((await pass(upgraded)).entriesUpdated).toBe(0);
  }, 60_000);
});
