// The state contract against SQLite, a new state file in a temporary folder for every test.
import path from 'node:path';
import Database from 'better-sqlite3';
import { TempDirs } from './support/feed-site.js';
import { describeStoreContract } from './store-contract.js';

const dirs = new TempDirs();

describeStoreContract('SqliteStore', {
  freshLocation: async () => path.join(dirs.make('store'), 'state', 'state.db'),
  cleanup: async () => dirs.cleanup(),
  setContentHash: async (location, id, hash) => {
    const db = new Database(location);
    db.prepare('UPDATE entries SET content_hash = ? WHERE id = ?').run(hash, id);
    db.close();
  },
});
