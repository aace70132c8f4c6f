// A pino logger whose JSON lines are kept as parsed objects, for tests that compare log lines
// as data (a line's fields, not its text).
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger at `level` and the lines it has written so far (filled as it logs). */
export function captureLogs(level = 'info'): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level }, sink), logs };
}
