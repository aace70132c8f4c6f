// The built command line as a child process: its JSON log lines parsed as they come, a wait for
// a given line, and a kill when the test finishes, whatever happened in it. Call inside a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { CLI, ROOT } from './built-cli.js';
import type { LogLine } from './log-capture.js';

export interface CliProcess {
  process: ChildProcess;
  logs: LogLine[];
  stderr: string[];
  exited: Promise<number | null>;
  /** Resolves with the first line with this message; rejects if the process exits without it. */
  waitForLog: (msg: string, timeoutMs?: number) => Promise<LogLine>;
}

export function spawnCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiters: { msg: string; resolve: (line: LogLine) => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const text of lines) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as LogLine;
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const waitForLog = (msg: string, timeoutMs = 20_000) => {
    const seen = logs.find((line) => line.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`no "${msg}" log line: ${why}; stdout: ${JSON.stringify(logs)}, stderr: ${stderr.join('')}`));
      const timer = setTimeout(() => fail(`not in ${timeoutMs} ms`), timeoutMs);
      // A child that exits without the line will never log it.
      void exited.then((code) => {
        clearTimeout(timer);
        if (!logs.some((line) => line.msg === msg)) fail(`the process exited with ${code}`);
      });
      waiters.push({ msg, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  };
  return { process: child, logs, stderr, exited, waitForLog };
}
