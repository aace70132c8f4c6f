// Atomic writes when the disk cannot take every byte: a short write (what writeSync does on a
// nearly full disk) is carried on until every byte is down, and a failure leaves the good file.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PublishError } from '../src/errors.js';
import { writeIfChanged } from '../src/publish/write-file.js';
import { TempDirs } from './support/feed-site.js';

// How the mocked writeSync behaves: at most `chunk` bytes a call, and ENOSPC after `capacity`.
const disk = vi.hoisted(() => ({ chunk: Infinity, capacity: Infinity, written: 0, calls: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = (fd: number, buffer: Uint8Array, offset = 0, length = buffer.byteLength - offset, position?: number | null) => {
    disk.calls++;
    if (disk.written >= disk.capacity) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const take = Math.min(length, disk.chunk, disk.capacity - disk.written);
    disk.written += take;
    return fs.writeSync(fd, buffer, offset, take, position);
  };
  return { ...fs, writeSync, default: { ...fs, writeSync } };
});

const dirs = new TempDirs();
afterEach(() => {
  Object.assign(disk, { chunk: Infinity, capacity: Infinity, written: 0, calls: 0 });
  dirs.cleanup();
});

const content = `<rss>${'x'.repeat(5000)}</rss>\n`;

describe('writeIfChanged on a disk that takes a few bytes at a time', () => {
  it('goes on writing until every byte is in the file', () => {
    const file = path.join(dirs.make('short-write'), 'rss.xml');
    disk.chunk = 700;
    expect(writeIfChanged(file, content)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(disk.calls).toBe(Math.ceil(Buffer.byteLength(content) / 700));
  });
});

describe('writeIfChanged on a disk that fills up mid-write', () => {
  it('keeps the good file, removes its temporary file and names the errno and the file', () => {
    const dir = dirs.make('disk-full');
    const file = path.join(dir, 'rss.xml');
    writeFileSync(file, '<rss>good</rss>\n');
    disk.chunk = 1000;
    disk.capacity = 2500;
    let thrown: unknown;
    try {
      writeIfChanged(file, content);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PublishError);
    expect(thrown).toMatchObject({ stage: 'publish', code: 'PUBLISH_FAILED', errno: 'ENOSPC', file });
    expect(readFileSync(file, 'utf8')).toBe('<rss>good</rss>\n');
    expect(readdirSync(dir)).toEqual(['rss.xml']);
  });

  it('leaves no file at all where there was none', () => {
    const dir = dirs.make('disk-full-new');
    const file = path.join(dir, 'entries', 'page.html');
    disk.capacity = 10;
    expect(() => writeIfChanged(file, content)).toThrow(PublishError);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(path.join(dir, 'entries'))).toEqual([]);
  });
});

describe('writeIfChanged with a name the file system refuses', () => {
  it('names the errno (ENAMETOOLONG) and the file', () => {
    const file = path.join(dirs.make('long-name'), `${'n'.repeat(300)}.xml`);
    expect(() => writeIfChanged(file, content)).toThrow(expect.objectContaining({ code: 'PUBLISH_FAILED', errno: 'ENAMETOOLONG', file }));
  });
});
