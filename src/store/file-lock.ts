// The pass lock of a SQLite state: an exclusive lock the kernel holds on a small file beside the
// state, for as long as the process that took it lives. It is taken with SQLite's own file
// locking (an exclusive transaction on that file, never written), so it is exclusive however many
// processes race for it, it is released by the kernel when its holder dies (even by kill -9), and
// nothing a file says (a stale pid, a reused one) can block it or let it be taken over. The file
// stays: removing it would let a second process lock a new file while the first holds the old.
import { truncateSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LockError } from '../errors.js';

/** Locks held by this process. A connection nothing refers to would be closed by the garbage collector, and its lock with it. */
const held = new Set<Database.Database>();

/** Where the pass lock of a state file is. */
export function passLockFile(stateFile: string): string {
  return `${stateFile}.pass-lock`;
}

/** Takes the lock at once or throws LockError; the function returned releases it. */
export function acquireFileLock(lockFile: string): () => void {
  let db: Database.Database;
  try {
    db = lockedConnection(lockFile);
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_NOTADB') throw asLockError(error, lockFile);
    // Something else wrote the file (an earlier feedloom's pid, say). A holder never writes it, so
    // nobody holds it: emptied in place (the same file, so a lock taken meanwhile stays), it is
    // a lock file again.
    truncateSync(lockFile, 0);
    try {
      db = lockedConnection(lockFile);
    } catch (again) {
      throw asLockError(again, lockFile);
    }
  }
  held.add(db);
  return () => {
    if (!held.delete(db)) return;
    db.exec('ROLLBACK');
    db.close();
  };
}

/** A connection on the lock file inside an exclusive transaction, or the error that kept it out. */
function lockedConnection(lockFile: string): Database.Database {
  // timeout 0: a held lock is an answer now, not a wait.
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function asLockError(error: unknown, lockFile: string): LockError {
  if ((error as { code?: string }).code === 'SQLITE_BUSY') return new LockError(`another feedloom pass holds ${lockFile}`, { cause: error });
  return new LockError(`cannot take ${lockFile}: ${(error as Error).message}`, { cause: error });
}
