// Fetched documents, and captured pages, are parsed and normalized on worker threads when a pass
// reads many of them: parsing XML, sanitizing HTML and normalizing items take most of a cold
// pass's time, and the pass's own thread is busy enough with fetching and storing. A pass with
// few sources, a machine with one core, `fetch.parse_threads: 0` in site.yaml, or a run from the
// TypeScript sources (no built thread script) parses on the pass's own thread instead; the
// entries are the same either way.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describeError, FeedloomError, SourceError, type Stage } from '../errors.js';
import { usableCores } from '../shared/usable-cores.js';
import { type DocumentEntries, documentEntries, type DocumentJob } from './document-entries.js';
import { type PageFileEntries, type PageFileOutcome, pageFilesEntries, type PageFilesJob } from './page-file-entries.js';

export interface DocumentParser {
  parse(job: DocumentJob): Promise<DocumentEntries>;
  /** Reads and normalizes page files; each page's outcome in the job's order. Never rejects. */
  readPageFiles(job: PageFilesJob): Promise<PageFileOutcome[]>;
  close(): Promise<void>;
}

/** Fewer sources than this to read, and starting threads costs more than it saves. */
export const THREADS_FROM_SOURCES = 8;
const MAX_THREADS = 4;
const THREAD_SCRIPT = fileURLToPath(new URL('./parse-thread.js', import.meta.url));

/**
 * One thread per core, up to 4; none on a machine with one core, where they could only wait for
 * it. Cores as the CPU quota allows (a worker in a container limited to 0.4 CPU parses inline).
 */
export function defaultParseThreads(cores = usableCores()): number {
  return cores < 2 ? 0 : Math.min(cores, MAX_THREADS);
}

/**
 * For captured pages the pass's own thread stores what the threads parse, and storing is the
 * larger half of the work: a core is left to it. On two cores a second thread only took CPU from
 * the store, and added 35 MB to the peak.
 */
export function defaultPageThreads(cores = usableCores()): number {
  return cores < 2 ? 0 : Math.min(cores - 1, MAX_THREADS);
}

/** The parser for a pass that may read `sourceCount` documents, on up to `threads` threads. */
export function documentParser(sourceCount: number, threads = defaultParseThreads()): DocumentParser {
  if (sourceCount < THREADS_FROM_SOURCES || threads < 1 || !existsSync(THREAD_SCRIPT)) return INLINE;
  return new ParseThreads(threads);
}

export const INLINE: DocumentParser = {
  parse: documentEntries,
  readPageFiles: async (job) => pageFilesEntries(job),
  close: async () => {},
};

/** What a parse thread is asked to do: one fetched document, or a few page files. */
export type ThreadTask = { document: DocumentJob } | { pages: PageFilesJob };

/** A page file's outcome as it crosses between threads. */
export type PageFileReply = { read: PageFileEntries } | { failure: ThreadFailure };

/** What a parse thread answers for one task. */
export type ThreadReply = { id: number; result: DocumentEntries } | { id: number; failure: ThreadFailure } | { id: number; pages: PageFileReply[] };

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

function errorOf(failure: ThreadFailure, source: string): Error {
  if (!failure.stage) return new Error(failure.message);
  return new SourceError(failure.stage, failure.source ?? source, failure.message, failure.code ? { code: failure.code } : {});
}

/** A task handed out and not yet answered. */
interface Pending {
  task: ThreadTask;
  answer: (reply: ThreadReply) => void;
  /** The task could not be done at all (no thread took it, or its thread stopped): why. */
  refuse: (reason: string) => void;
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
    return new Promise((resolve, reject) => {
      this.submit({
        task: { document: job },
        answer: (reply) => {
          if ('result' in reply) resolve(reply.result);
          else if ('failure' in reply) reject(errorOf(reply.failure, job.source.id));
        },
        refuse: (reason) => reject(new SourceError('ingest', job.source.id, reason)),
      });
    });
  }

  readPageFiles(job: PageFilesJob): Promise<PageFileOutcome[]> {
    return new Promise((resolve) => {
      this.submit({
        task: { pages: job },
        answer: (reply) => {
          if (!('pages' in reply)) return;
          resolve(reply.pages.map((page, index) => ('read' in page ? page : { error: errorOf(page.failure, job.pages[index]!.source) })));
        },
        refuse: (reason) => resolve(job.pages.map((page) => ({ error: new SourceError('ingest', page.source, reason) }))),
      });
    });
  }

  private submit(pending: Pending): void {
    // Started by the first task: a pass in which every source answers 304 starts none.
    this.threads ??= Array.from({ length: this.count }, () => this.startThread());
    this.queue.push({ id: this.nextId++, pending });
    this.dispatch();
  }

  /** Hands queued tasks to threads with room; with no thread left, does them here. */
  private dispatch(): void {
    const threads = this.threads ?? [];
    if (threads.length === 0) {
      for (const { pending } of this.queue.splice(0)) runHere(pending);
      return;
    }
    for (const thread of threads) {
      while (thread.pending.size < PER_THREAD && this.queue.length > 0) {
        const { id, pending } = this.queue.shift()!;
        try {
          thread.worker.postMessage({ id, task: pending.task });
          thread.pending.set(id, pending);
        } catch (error) {
          // A task that cannot be copied to a thread is its sources' failure, not the pass's.
          pending.refuse(`cannot hand the document to a parse thread: ${describeError(error)}`);
        }
      }
    }
  }

  private startThread(): Thread {
    // A small young generation: parsing makes short-lived garbage, and a thread let grow its
    // nursery to V8's default held tens of megabytes more at the peak for no gain in speed.
    const thread: Thread = { worker: new Worker(THREAD_SCRIPT, { resourceLimits: { maxYoungGenerationSizeMb: 8 } }), pending: new Map() };
    thread.worker.on('message', (reply: ThreadReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      pending.answer(reply);
      this.dispatch();
    });
    // A thread that dies takes only its own documents with it; the others, or the pass's own
    // thread when none is left, parse the rest.
    const stop = (reason: string) => {
      if (!this.threads?.includes(thread)) return;
      this.threads = this.threads.filter((other) => other !== thread);
      for (const pending of thread.pending.values()) pending.refuse(`parse thread stopped: ${reason}`);
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
    for (const pending of waiting) pending.refuse('parse threads closed before the document was parsed');
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}

/** A task done on this thread, answered as a thread would answer it. */
function runHere(pending: Pending): void {
  const { task } = pending;
  if ('document' in task) {
    documentEntries(task.document).then(
      (result) => pending.answer({ id: -1, result }),
      (error: unknown) => pending.answer({ id: -1, failure: failureOf(error) }),
    );
  } else {
    void pageFilesReplies(task.pages).then((pages) => pending.answer({ id: -1, pages }));
  }
}

/** The replies for page files, as a thread sends them. */
export async function pageFilesReplies(job: PageFilesJob): Promise<PageFileReply[]> {
  return (await pageFilesEntries(job)).map((outcome) => ('read' in outcome ? outcome : { failure: failureOf(outcome.error) }));
}
