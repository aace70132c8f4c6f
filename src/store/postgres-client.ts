// Checking a connection out of the pool. A connection the server ends while it is checked out
// (a restart, a failover, an administrator, an idle timeout) emits 'error' on its client, and
// with nobody listening Node ends the whole process. The next query on it fails anyway, with its
// own error; here the end is only noted, for whoever needs to know (the pass lock does).
import type pg from 'pg';

export async function checkOut(pool: pg.Pool, onLost?: (error: Error) => void): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const onError = (error: Error) => onLost?.(error);
  client.on('error', onError);
  const release = client.release;
  client.release = (destroy?: Error | boolean) => {
    client.removeListener('error', onError);
    return release.call(client, destroy);
  };
  return client;
}
