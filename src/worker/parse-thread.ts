// A parse thread (see parse-threads.ts): takes documents, answers with their entries or the
// reason they could not be read.
import { parentPort } from 'node:worker_threads';
import { documentEntries, type DocumentJob } from './document-entries.js';
import { failureOf, type ThreadReply } from './parse-threads.js';

const port = parentPort;
if (!port) throw new Error('parse-thread.js runs only as a worker thread');

port.on('message', ({ id, job }: { id: number; job: DocumentJob }) => {
  documentEntries(job).then(
    (result) => port.postMessage({ id, result } satisfies ThreadReply),
    (error: unknown) => port.postMessage({ id, failure: failureOf(error) } satisfies ThreadReply),
  );
});
