// `feedloom start`: a pass at once, then passes on a cron schedule. Passes never overlap, and
// a signal ends the process only between passes, so no file is ever left half-written.
import cron, { type Logger as CronLogger } from 'node-cron';
import type { Logger } from 'pino';
import { describeError } from '../errors.js';

export interface ScheduleOptions {
  schedule: string;
  logger: Logger;
  /** Runs one pass; must not throw for a failing source, may throw when nothing could be done. */
  pass: () => Promise<void>;
}

export interface RunningSchedule {
  /** Resolves when the schedule has stopped and the last pass has finished. */
  stopped: Promise<void>;
  stop: (reason: string) => Promise<void>;
  /**
   * A pass as soon as possible (sources changed): now, or right after the running one ends;
   * any number of requests while one runs make one more pass, never an overlap.
   */
  requestPass: (trigger: string) => void;
}

export function startSchedule(options: ScheduleOptions): RunningSchedule {
  const { logger } = options;
  let running: Promise<void> | undefined;
  let stopping = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  // A requested pass waiting for the running one to end.
  let requested: string | undefined;
  const run = (trigger: string) => {
    logger.debug({ trigger }, 'pass starting');
    running = options.pass().catch((error) => logger.error({ err: describeError(error) }, `pass failed: ${describeError(error)}`));
    void running.finally(() => {
      running = undefined;
      const next = requested;
      requested = undefined;
      if (next !== undefined && !stopping) run(next);
    });
  };
  const tick = (trigger: string) => {
    if (stopping) return;
    if (running) {
      logger.warn({ trigger }, 'previous pass still running; this one is skipped');
      return;
    }
    run(trigger);
  };
  const requestPass = (trigger: string) => {
    if (stopping) return;
    if (running) requested = trigger;
    else run(trigger);
  };

  const task = cron.schedule(options.schedule, () => tick('schedule'), { name: 'feedloom-pass', logger: cronLogger(logger) });
  logger.info({ schedule: options.schedule, next_pass: task.getNextRun()?.toISOString() }, 'schedule started');
  tick('start');

  const stop = async (reason: string) => {
    if (stopping) return stopped;
    stopping = true;
    logger.info({ reason }, running ? 'stopping after the current pass' : 'stopping');
    await task.stop();
    await task.destroy();
    if (running) await running;
    resolveStopped();
    return stopped;
  };
  return { stopped, stop, requestPass };
}

/** node-cron's own messages (a missed tick, say) as log lines like every other, not coloured console text. */
function cronLogger(logger: Logger): CronLogger {
  const cronLog = logger.child({ component: 'node-cron' });
  const text = (message: string | Error) => (message instanceof Error ? message.message : message);
  return {
    info: (message) => cronLog.info(message),
    warn: (message) => cronLog.warn(message),
    error: (message, error) => cronLog.error({ ...(error ? { err: describeError(error) } : {}) }, text(message)),
    debug: (message) => cronLog.debug(text(message)),
  };
}
