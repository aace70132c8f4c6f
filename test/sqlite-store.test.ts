// The state contract against SQLite, a new state file in a temporary folder for every test.
import path from 'node:path';
import { TempDirs } from './support/feed-site.js';
import { describeStoreContract } from './store-contract.js';

const dirs = new TempDirs();

describeStoreContract('SqliteStore', {
  freshLocation: async () => path.join(dirs.make('store'), 'state', 'state.db'),
  cleanup: async () => dirs.cleanup(),
});
