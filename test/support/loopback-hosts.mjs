// One HTTP handler on loopback hosts 127.0.0.1 to 127.0.0.N, all on one port (the first one
// the system picks), so that a client sees N hosts, as politeness limits count them. Every
// 127.0.0.x address answers on Linux without any set-up.
import { createServer } from 'node:http';

/** Resolves with the port and the servers, one per host, once all of them listen. */
export async function listenOnLoopbackHosts(handler, hosts) {
  const servers = [];
  let port = 0;
  for (let host = 1; host <= hosts; host++) {
    const server = createServer(handler);
    server.keepAliveTimeout = 30_000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, `127.0.0.${host}`, () => resolve());
    });
    port = server.address().port;
    servers.push(server);
  }
  return { port, servers };
}
