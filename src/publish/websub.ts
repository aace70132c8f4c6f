// WebSub publishing: after a pass changed a feed, tell the hub, so subscribers get the new
// entries within seconds instead of at their next poll. A hub that fails is retried with
// backoff and logged, and never fails the pass.
import type { Logger } from 'pino';
import { request } from 'undici';

export interface HubPingOptions {
  hub: string;
  userAgent: string;
  logger: Logger;
  attempts?: number;
  /** Wait before the second attempt; doubles after each failure. */
  firstRetryMs?: number;
  timeoutMs?: number;
}

export interface HubPingResult {
  url: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

export async function notifyHub(feedUrls: readonly string[], options: HubPingOptions): Promise<HubPingResult[]> {
  return Promise.all(feedUrls.map((url) => pingWithRetries(url, options)));
}

async function pingWithRetries(url: string, options: HubPingOptions): Promise<HubPingResult> {
  const attempts = options.attempts ?? 3;
  let delay = options.firstRetryMs ?? 1000;
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await request(options.hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': options.userAgent },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.body.dump();
      // WebSub hubs answer 2xx (usually 204) when they accept the notification.
      if (response.statusCode >= 200 && response.statusCode < 300) {
        options.logger.debug({ hub: options.hub, feed_url: url, attempt }, 'hub notified');
        return { url, ok: true, attempts: attempt };
      }
      error = `hub answered HTTP ${response.statusCode}`;
    } catch (caught) {
      error = (caught as Error).message;
    }
    if (attempt < attempts) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
  options.logger.warn({ hub: options.hub, feed_url: url, attempts, reason: error }, `hub not notified: ${error}`);
  return { url, ok: false, attempts, error };
}
