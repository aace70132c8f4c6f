// What long-running commands share: waiting for a signal, and the queue they are pointed at.
import { ConfigError } from '../errors.js';

export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export async function queueLocation(url: string | undefined, prefix: string) {
  if (!url) throw new ConfigError('--queue redis://host:port is required');
  const { parseQueueLocation } = await import('../queue/connection.js');
  return parseQueueLocation(url, prefix);
}
