// Distributed mode runs on Redis through BullMQ: one queue of source jobs that any number of
// workers take from, and one queue of publish jobs that only one worker at a time runs.
import { Redis } from 'ioredis';
import { redactUrl } from '../config/state-location.js';
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
 * than fail after a few retries (BullMQ asks for maxRetriesPerRequest: null).
 */
export function connectRedis(location: QueueLocation): Redis {
  return new Redis(location.url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
