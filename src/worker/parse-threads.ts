// Fetched documents are parsed and normalized on worker threads when a pass reads many sources:
// parsing XML, sanitizing HTML and normalizing items take most of a cold pass's time, and the
// pass's own thread is busy enough with fetching and storing. A pass with few sources, a machine
// with one core, `fetch.parse_threads: 0` in site.yaml, or a run from the TypeScript sources (no
// built thread script) parses on the pass's own thread instead; the entries are the same either way.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describeError, FeedloomError, SourceError, type Stage } from '../errors.js';
import { type DocumentEntries, documentEntries, type DocumentJob } from './document-entries.js';

export interface DocumentParser {
  parse(job: DocumentJob): Promise<DocumentEntries>;
  close(): Promise<void>;
}

/** Fewer sources than this to read, and starting threads costs more than it saves. */
export const THREADS_FROM_SOURCES = 8;
const MAX_THREADS = 4;
const THREAD_SCRIPT = fileURLToPath(new URL('./parse-thread.js', import.meta.url));

/** One thread per core, up to 4; none on a machine with one core, where they could only wait for it. */
export function defaultParseThreads(cores = availableParallelism()): number {
  return cores < 2 ? 0 : Math.min(cores, MAX_THREADS);
}

/** The parser for a pass that may read `sourceCount` documents, on up to `threads` threads. */
export function documentParser(sourceCount: number, threads = defaultParseThreads()): DocumentParser {
  if (sourceCount < THREADS_FROM_SOURCES || threads < 1 || !existsSync(THREAD_SCRIPT)) return INLINE;
  return new ParseThreads(threads);
}

export const INLINE: DocumentParser = {
  parse: documentEntries,
  close: async () => {},
};

/** What a parse thread answers for one job. */
export type ThreadReply = { id: number; result: DocumentEntries } | { id: number; failure: ThreadFailure };

/** An error as it crosses between threads: its class is lost, so its parts travel. */
export interface ThreadFailure {
  message: string;
  stage?: Stage;
  code?: string;
  source?: string;
}

export function failureOf(error: unknown): ThreadFailure {
  if (!(error instanceof FeedloomError)) return { message: describeError(error) };
  const { message, stage, code } = error;
  return error instanceof SourceError ? { message, stage, code, source: error.source } : { message, stage, code };
}

function errorOf(failure: ThreadFailure, job: DocumentJob): Error {
  if (!failure.stage) return new Error(failure.message);
  return new SourceError(failure.stage, failure.source ?? job.source.id, failure.message, failure.code ? { code: failure.code } : {});
}

interface Pending {
  job: DocumentJob;
  resolve: (result: DocumentEntries) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Documents a thread holds at once: enough to keep it busy while the pass's thread stores a batch. */
const PER_THREAD = 8;

class ParseThreads implements DocumentParser {
  private threads: Thread[] | undefined;
  /** Jobs no thread has room for yet: a thread given all of them would parse them all at once. */
  private readonly queue: { id: number; pending: Pending }[] = [];
  private nextId = 0;

  constructor(private readonly count: number) {}

  parse(job: DocumentJob): Promise<DocumentEntries> {
    // Started by the first document to parse: a pass in which every source answers 304 starts none.
    this.threads ??= Array.from({ length: this.count }, () => this.startThread());
    if (this.threads.length === 0) return documentEntries(job);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, pending: { job, resolve, reject } });
      this.dispatch();
    });
  }

  /** Hands queued jobs to threads with room; with no thread left, parses them here. */
  private dispatch(): void {
    const threads = this.threads ?? [];
    if (threads.length === 0) {
      for (const { pending } of this.queue.splice(0)) documentEntries(pending.job).then(pending.resolve, pending.reject);
      return;
    }
    for (const thread of threads) {
      while (thread.pending.size < PER_THREAD && this.queue.length > 0) {
        const { id, pending } = this.queue.shift()!;
        try {
          thread.worker.postMessage({ id, job: pending.job });
          thread.pending.set(id, pending);
        } catch (error) {
          // A job that cannot be copied to a thread is that source's failure, not the pass's.
          pending.reject(new SourceError('ingest', pending.job.source.id, `cannot hand the document to a parse thread: ${describeError(error)}`));
        }
      }
    }
  }

  private startThread(): Thread {
    const thread: Thread = { worker: new Worker(THREAD_SCRIPT), pending: new Map() };
    thread.worker.on('message', (reply: ThreadReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if ('result' in reply) pending.resolve(reply.result);
      else pending.reject(errorOf(reply.failure, pending.job));
      this.dispatch();
    });
    // A thread that dies takes only its own documents with it; the others, or the pass's own
    // thread when none is left, parse the rest.
    const stop = (reason: string) => {
      if (!this.threads?.includes(thread)) return;
      this.threads = this.threads.filter((other) => other !== thread);
      for (const pending of thread.pending.values()) pending.reject(new SourceError('ingest', pending.job.source.id, `parse thread stopped: ${reason}`));
      thread.pending.clear();
      this.dispatch();
    };
    thread.worker.on('error', (error) => stop(describeError(error)));
    thread.worker.on('exit', (code) => stop(`exited with status ${code}`));
    return thread;
  }

  /** Stops the threads; a document still waiting fails rather than waits forever. */
  async close(): Promise<void> {
    const threads = this.threads ?? [];
    this.threads = [];
    const waiting = [...this.queue.splice(0).map(({ pending }) => pending), ...threads.flatMap((thread) => [...thread.pending.values()])];
    for (const pending of waiting) pending.reject(new SourceError('ingest', pending.job.source.id, 'parse threads closed before the document was parsed'));
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}
