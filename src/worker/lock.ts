// One pass at a time per state file, across processes: a cron line that fires while the
// previous pass still runs, or `run` beside a running `start`, must not interleave writes.
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { FeedloomError } from '../errors.js';

export class LockError extends FeedloomError {
  constructor(message: string) {
    super('worker', message);
  }
}

export function acquirePassLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new LockError(`another feedloom pass (pid ${holder}) holds ${lockFile}`);
      }
      // Left by a process that died mid-pass.
      rmSync(lockFile, { force: true });
    }
  }
  throw new LockError(`cannot take ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
