// Politeness across every worker on every machine: at most `perHost` requests at a time to one
// host in total. Each host has a sorted set in Redis of the slots taken, scored by when each
// lease ends. A lease is short and renewed while its request runs, so a worker that dies
// mid-request holds its slot a few seconds at most. Redis's own clock scores the leases, so
// machines with skewed clocks still agree.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HostLimiter, type SlotLimiter } from '../ingest/host-limiter.js';

// KEYS[1]: the host's slots. ARGV: lease ms, slots per host, this request's token.
const TAKE_SLOT = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[1]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
  return 1
end
return 0
`;

// KEYS[1]: the host's slots. ARGV: lease ms, the token. Extends a lease still held.
const RENEW_SLOT = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[1]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
end
return 0
`;

// KEYS[1]: the host's slots. ARGV: slots per host. 1 when every slot is taken.
const ALL_TAKEN = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 1 end
return 0
`;

export interface HostSlotsOptions {
  redis: Redis;
  prefix: string;
  perHost: number;
  /** Requests this process has in flight at most, to any hosts. */
  overall: number;
  /** How long a slot outlives the worker holding it; renewed every third of it. */
  leaseMs: number;
  /** How long to wait before asking again for a host whose slots are all taken. */
  retryMs?: number;
}

export class RedisHostSlots implements SlotLimiter {
  private readonly local: HostLimiter;
  private readonly retryMs: number;

  constructor(private readonly options: HostSlotsOptions) {
    // The per-process cap still holds; only the per-host one is shared.
    this.local = new HostLimiter(options.perHost, options.overall);
    this.retryMs = options.retryMs ?? 50;
  }

  /** Whether every slot of `host` is taken across the fleet now: a request to it would wait. */
  async allTaken(host: string): Promise<boolean> {
    return (await this.options.redis.eval(ALL_TAKEN, 1, this.keyOf(host), this.options.perHost)) === 1;
  }

  private keyOf(host: string): string {
    return `${this.options.prefix}:host-slots:${host}`;
  }

  async acquire(host: string): Promise<() => void> {
    const releaseLocal = await this.local.acquire(host);
    const key = this.keyOf(host);
    const token = randomUUID();
    try {
      while ((await this.options.redis.eval(TAKE_SLOT, 1, key, this.options.leaseMs, this.options.perHost, token)) !== 1) {
        // Jitter keeps waiting workers from asking in lockstep.
        await new Promise((resolve) => setTimeout(resolve, this.retryMs * (0.5 + Math.random())));
      }
    } catch (error) {
      releaseLocal();
      throw error;
    }
    const renewal = setInterval(() => {
      this.options.redis.eval(RENEW_SLOT, 1, key, this.options.leaseMs, token).catch(() => undefined);
    }, this.options.leaseMs / 3);
    renewal.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      releaseLocal();
      // A failed release only means the slot is held until its lease ends.
      this.options.redis.zrem(key, token).catch(() => undefined);
    };
  }
}
