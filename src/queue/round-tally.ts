// What the source jobs of a fleet round read, added up in Redis until the round's publish job
// takes it: one pass record per publish, like a single process's pass, with every job's counts
// in it and only the publish's files. Kept in Redis so the jobs of every worker add to one tally.
import type { Redis } from 'ioredis';
import { READ_COUNT_FIELDS, type ReadCounts } from '../worker/pass-record.js';

const STARTED = 'startedMs';

export interface RoundTally {
  counts: ReadCounts;
  /** When the round's first job started; undefined when no job has added to the tally. */
  startedMs: number | undefined;
}

export function roundTallyKey(prefix: string): string {
  return `${prefix}:feedloom-round`;
}

/** Adds one job's counts to the round under way, which started no later than `startedMs`. */
export async function addToRound(redis: Redis, prefix: string, counts: ReadCounts, startedMs: number): Promise<void> {
  const key = roundTallyKey(prefix);
  const multi = redis.multi();
  for (const field of READ_COUNT_FIELDS) if (counts[field] !== 0) multi.hincrby(key, field, counts[field]);
  // The earliest start wins, even when the job that started first is the last to finish.
  multi.eval(EARLIER_START, 1, key, String(startedMs));
  await multi.exec();
}

/** The round so far, left in place. */
export async function peekRound(redis: Redis, prefix: string): Promise<RoundTally> {
  return tallyFrom(await redis.hgetall(roundTallyKey(prefix)));
}

/** Takes the round's tally and starts the next one empty, in one step. */
export async function takeRound(redis: Redis, prefix: string): Promise<RoundTally> {
  const key = roundTallyKey(prefix);
  const results = await redis.multi().hgetall(key).del(key).exec();
  return tallyFrom((results?.[0]?.[1] as Record<string, string> | undefined) ?? {});
}

/** Puts back a tally taken by a publish that failed, so its retry records the round whole. */
export async function restoreRound(redis: Redis, prefix: string, tally: RoundTally): Promise<void> {
  if (tally.startedMs !== undefined) await addToRound(redis, prefix, tally.counts, tally.startedMs);
}

function tallyFrom(hash: Record<string, string>): RoundTally {
  const counts = Object.fromEntries(READ_COUNT_FIELDS.map((field) => [field, Number(hash[field] ?? 0)])) as unknown as ReadCounts;
  return { counts, startedMs: hash[STARTED] === undefined ? undefined : Number(hash[STARTED]) };
}

const EARLIER_START = `
local current = redis.call('HGET', KEYS[1], '${STARTED}')
if current == false or tonumber(ARGV[1]) < tonumber(current) then redis.call('HSET', KEYS[1], '${STARTED}', ARGV[1]) end
return 0`;
