// Distributed mode's settings, checked without a Redis: what --queue accepts and how it fails.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { parseQueueLocation } from '../src/queue/connection.js';
import { CLI, ROOT } from './support/built-cli.js';

describe('parseQueueLocation', () => {
  it('takes redis:// and rediss:// URLs with a key prefix', () => {
    expect(parseQueueLocation('redis://127.0.0.1:6379')).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'feedloom' });
    expect(parseQueueLocation('rediss://user:secret@queue.example:6380/2', 'site-a')).toEqual({ url: 'rediss://user:secret@queue.example:6380/2', prefix: 'site-a' });
  });

  it('refuses other schemes, text that is no URL and prefixes Redis keys should not hold, never echoing a password', () => {
    expect(() => parseQueueLocation('http://queue.example')).toThrow(ConfigError);
    expect(() => parseQueueLocation('postgres://u:hunter2@db.example/x')).toThrow(/must be a redis:\/\//);
    expect(() => parseQueueLocation('postgres://u:hunter2@db.example/x')).not.toThrow(/hunter2/);
    expect(() => parseQueueLocation('localhost:6379')).toThrow(ConfigError);
    expect(() => parseQueueLocation('redis://127.0.0.1', 'two words')).toThrow(/--queue-prefix/);
    expect(() => parseQueueLocation('redis://worker:s3cret@queue.example:6379', 'bad prefix')).not.toThrow(/s3cret/);
    expect(() => parseQueueLocation('http://worker:s3cret@queue.example')).toThrow('"http://worker:***@queue.example" must be');
  });
});

describe('feedloom scheduler and worker', () => {
  it('exit 1 with the reason when --queue is missing or wrong', () => {
    for (const [args, reason] of [
      [['worker'], '--queue redis://host:port is required'],
      [['scheduler', '--queue', 'http://queue.example'], 'must be a redis:// or rediss:// URL'],
      [['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '0'], 'must be a number above 0'],
      [['start', '--queue', 'redis://127.0.0.1:1'], 'distributed mode runs as "feedloom scheduler --queue URL"'],
    ] as const) {
      const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
      expect(result.status, result.stdout + result.stderr).toBe(1);
      expect(result.stdout + result.stderr).toContain(reason);
    }
  });

  it('describe themselves in --help', () => {
    const result = spawnSync(process.execPath, [CLI, 'worker', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--lock-seconds');
    expect(spawnSync(process.execPath, [CLI, '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout).toMatch(/scheduler .*Redis/);
  });
});
