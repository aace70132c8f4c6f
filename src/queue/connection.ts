// Distributed mode runs on Redis through BullMQ: one queue of source jobs that any number of
// workers take from, and one queue of publish jobs that only one worker at a time runs.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrl } from '../shared/url-secrets.js';
import { ConfigError } from '../errors.js';

export const SOURCES_QUEUE = 'feedloom-sources';
export const PUBLISH_QUEUE = 'feedloom-publish';

/** Job names on the sources queue: one remote source, or every captured page under sources/. */
export const SOURCE_JOB = 'source';
export const PAGES_JOB = 'pages';
export const PUBLISH_JOB = 'publish';

export interface SourceJobData {
  /** The source id (its file name under sources/ without .yaml); absent for the pages job. */
  source?: string;
  /** The schedule's tick a job queued again after Redis lost it stands for. */
  tick?: number;
}

export interface QueueLocation {
  url: string;
  /** Key prefix in Redis, so several sites (or test runs) can share one server. */
  prefix: string;
}

/** Reads --queue: a redis:// or rediss:// URL. */
export function parseQueueLocation(text: string, prefix = 'feedloom'): QueueLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--queue: "${redactUrl(text)}" is not a URL; give redis://host:port`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`--queue: "${redactUrl(text)}" must be a redis:// or rediss:// URL`);
  }
  if (!/^[A-Za-z0-9_.:-]+$/.test(prefix)) throw new ConfigError(`--queue-prefix: "${prefix}" may hold only letters, digits and _ . : -`);
  return { url: text, prefix };
}

/**
 * A connection for BullMQ. Workers block on Redis, so commands must wait out a reconnect rather
 * than fail after a few retries (BullMQ asks for maxRetriesPerRequest: null). While Redis is away
 * the client keeps trying, and each failed attempt is a log line, not a crash.
 */
export function connectRedis(location: QueueLocation, logger?: Logger): Redis {
  const redis = new Redis(location.url, { maxRetriesPerRequest: null });
  logErrors(redis, `Redis at ${redactUrl(location.url)}`, logger);
  return redis;
}

/**
 * Logs what a Redis client, queue or worker reports going wrong, at most one line every 10 s
 * per emitter however often it retries; without a listener these would be unstructured noise.
 */
export function logErrors(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }, what: string, logger?: Logger): void {
  let lastLoggedMs = 0;
  emitter.on('error', (error: Error) => {
    if (Date.now() - lastLoggedMs < 10_000) return;
    lastLoggedMs = Date.now();
    logger?.warn({ stage: 'queue', err: error.message }, `${what}: ${error.message} (retrying)`);
  });
}
