// Starts the HTTP server over out/ with health and metrics read from the state.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { SiteConfig } from '../model.js';
import type { Store } from '../store/store.js';
import { scheduleIntervalMs } from '../config/cron-expression.js';
import { passHealth } from './health.js';
import type { FeedMetrics } from './metrics.js';
import { createFeedServer } from './server.js';

export interface RunningServer {
  server: Server;
  url: string;
  close: () => Promise<void>;
}

export async function startFeedServer(options: {
  outDir: string;
  site: SiteConfig;
  /** Absent when the state could not be opened: `stateProblem` says why, and /healthz answers 503 with it. */
  store: Store | undefined;
  stateProblem?: string;
  metrics: FeedMetrics;
  host: string;
  port: number;
  logger: Logger;
  formsDir?: string;
  /** One JSON line per request (`--access-log`). */
  accessLog?: boolean;
}): Promise<RunningServer> {
  const intervalMs = scheduleIntervalMs(options.site.schedule, Date.now());
  const server = createFeedServer({
    outDir: options.outDir,
    // Readers may keep a file for one schedule interval: it cannot change sooner.
    maxAgeSeconds: Math.round(intervalMs / 1000),
    logger: options.logger,
    health: () => (options.store ? passHealth(options.store, intervalMs, Date.now()) : { healthy: false, reason: `the state cannot be read: ${options.stateProblem ?? 'not opened'}`, last_pass: null }),
    metrics: () => options.metrics.render(),
    ...(options.formsDir ? { formsDir: options.formsDir } : {}),
    ...(options.accessLog ? { accessLog: true } : {}),
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once it listens, an error of the server's own (out of file descriptors, say) is logged and
  // the server goes on; unheard, it would end the process, and every feed with it.
  server.on('error', (error) => options.logger.error({ err: error.message }, `server error: ${error.message}`));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}/`;
  options.logger.info({ url, out: options.outDir }, 'serving feeds');
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
