// Atomic file replacement: a reader sees the old file or the new one, never a partial one,
// even when the process is killed in the middle of a write.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PublishError } from '../errors.js';
import { killPoint } from '../shared/kill-point.js';

const TEMP_FILE = /^\..+\.feedloom-\d+-\d+\.tmp$/;
let tempCounter = 0;

/** Writes `content` to `file` unless the file already holds exactly that. Returns true if written. */
export function writeIfChanged(file: string, content: string): boolean {
  const bytes = Buffer.from(content, 'utf8');
  try {
    if (readFileSync(file).equals(bytes)) return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new PublishError(`cannot read ${file}`, { cause: error, file });
  }
  writeAtomically(file, bytes);
  return true;
}

export function writeAtomically(file: string, bytes: Uint8Array): void {
  const directory = path.dirname(file);
  // Same folder as the target, so the rename never crosses file systems.
  const temp = path.join(directory, `.${path.basename(file)}.feedloom-${process.pid}-${tempCounter++}.tmp`);
  try {
    mkdirSync(directory, { recursive: true });
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeEveryByte(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    killPoint('written');
    renameSync(temp, file);
    killPoint('renamed');
  } catch (error) {
    rmSync(temp, { force: true });
    throw new PublishError(`cannot write ${file}: ${(error as Error).message}`, { cause: error, file });
  }
}

/**
 * writeSync may write fewer bytes than asked (a nearly full disk, a signal): carry on from where
 * it stopped. A disk that takes nothing more throws (ENOSPC), and the caller drops the file.
 */
function writeEveryByte(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const written = writeSync(fd, bytes, offset, bytes.byteLength - offset);
    if (written <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    offset += written;
  }
}

/** Removes temporary files a killed process left behind under `directory`. Returns how many. */
export function removeStaleTempFiles(directory: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(directory, { recursive: true }) as string[];
  } catch {
    return 0;
  }
  for (const name of names) {
    if (TEMP_FILE.test(path.basename(name))) {
      rmSync(path.join(directory, name), { force: true });
      removed++;
    }
  }
  return removed;
}
