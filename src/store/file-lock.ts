// The pass lock of a SQLite state: a file beside it holding the pid of the process that runs a
// pass. A lock left by a process that died is taken over, since its pid is no longer alive.
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { LockError } from '../errors.js';

export function acquireFileLock(lockFile: string): () => void {
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
