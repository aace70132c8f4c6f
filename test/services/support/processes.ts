// The command line as separate processes for the distributed-mode tests, and the Redis they share
// (named by FEEDLOOM_TEST_REDIS_URL; .ci/run starts one). Every process started here is killed
// by killAll() if a test left it running.
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI, ROOT } from '../../support/built-cli.js';

export function redisUrl(): string {
  const url = process.env.FEEDLOOM_TEST_REDIS_URL;
  if (!url) throw new Error('FEEDLOOM_TEST_REDIS_URL is not set: point it at a Redis server (.ci/run starts one)');
  return url;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  /** Its exit status (null after a signal). */
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

/** Starts `feedloom ...args`; an unexpected exit (not 0, not SIGKILL) prints what it said. */
export function startCli(args: string[], name = args[0] ?? 'feedloom'): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM') process.stderr.write(`${name} exited with ${code ?? signal}:\n${output.slice(-3000)}\n`);
      resolve(code);
    }),
  );
  started.push(child);
  return { child, output: () => output, exited };
}

export function killAll(): void {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
