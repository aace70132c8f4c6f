// Opens the state wherever it is kept, loading only the backend it needs: a file path for
// SQLite, a postgres:// URL for PostgreSQL. Nothing outside src/store imports a backend.
import { parseStateLocation, type StateLocation } from '../config/state-location.js';
import type { Store } from './store.js';

export async function openStore(location: string | StateLocation): Promise<Store> {
  const parsed = typeof location === 'string' ? parseStateLocation(location) : location;
  if (parsed.kind === 'sqlite') {
    const { SqliteStore } = await import('./sqlite-store.js');
    return SqliteStore.open(parsed.file);
  }
  // The embedded default never pays for the PostgreSQL client.
  const { PostgresStore } = await import('./postgres-store.js');
  return PostgresStore.open(parsed.url);
}

/**
 * One fact from a SQLite state file that may not be the one in use, read without opening it as
 * the state: nothing is created, migrated or written, and a file that cannot be read is nothing.
 */
export async function peekStateFile(file: string, key: string): Promise<string | undefined> {
  const { peekMeta } = await import('./sqlite-store.js');
  return peekMeta(file, key);
}
