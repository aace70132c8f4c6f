import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeError, LockError, PublishError, SourceError, StoreError } from '../src/errors.js';
import { FetchError } from '../src/ingest/fetch.js';
import { LEVEL, memoryStore, passWithLogs, TempDirs } from './support/feed-site.js';

describe('errors', () => {
  it('keep the stage and a stable code as fields, and only the reason in the message', () => {
    const cases = [
      [new ConfigError('site.yaml: key "url": missing'), 'config', 'CONFIG_INVALID'],
      [new SourceError('normalize', 'a.txt', 'no lead story'), 'normalize', 'SOURCE_UNREADABLE'],
      [new StoreError('cannot open'), 'store', 'STORE_FAILED'],
      [new LockError('another pass holds the lock'), 'worker', 'PASS_LOCKED'],
      [new PublishError('cannot write'), 'publish', 'PUBLISH_FAILED'],
      [new FetchError('wire', 'too-large', 'body too large'), 'ingest', 'FETCH_TOO_LARGE'],
    ] as const;
    for (const [error, stage, code] of cases) {
      expect(error).toMatchObject({ stage, code, name: error.constructor.name });
      expect(error.message).not.toMatch(/^(config|ingest|normalize|store|render|publish|worker):/);
      expect(describeError(error)).toBe(`${stage}: ${error.message}`);
    }
  });

  it('take a more precise code and keep their cause', () => {
    const cause = new Error('ENOSPC');
    const error = new PublishError('cannot write out/rss.xml', { cause, code: 'DISK_FULL' });
    expect(error.code).toBe('DISK_FULL');
    expect(error.cause).toBe(cause);
    expect(describeError('plain')).toBe('plain');
    expect(describeError(cause)).toBe('ENOSPC');
  });
});

describe('a page that cannot be used', () => {
  it('leaves one error line with its stage, code and reason as fields', async () => {
    const dirs = new TempDirs();
    try {
      const sourcesDir = dirs.make('sources');
      writeFileSync(path.join(sourcesDir, 'site.yaml'), 'title: Errors\nurl: https://errors.example/\ntimezone: UTC\n');
      writeFileSync(path.join(sourcesDir, 'empty.txt'), '');
      const store = memoryStore();
      const { logs } = await passWithLogs({ sourcesDir, outDir: dirs.make('out'), store, now: () => new Date('2026-03-01T12:00:00Z') });
      await store.close();
      const skipped = logs.filter((line) => line.msg.startsWith('page skipped'));
      expect(skipped).toEqual([
        expect.objectContaining({ level: LEVEL.error, source: 'empty.txt', stage: 'ingest', code: 'SOURCE_UNREADABLE', reason: 'ingest: page is empty (0 bytes)' }),
      ]);
    } finally {
      dirs.cleanup();
    }
  });
});
