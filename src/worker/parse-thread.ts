// A parse thread (see parse-threads.ts): takes documents and page files, answers with their
// entries or the reasons they could not be read.
import { parentPort } from 'node:worker_threads';
import { documentEntries } from './document-entries.js';
import { failureOf, pageFilesReplies, type ThreadReply, type ThreadTask } from './parse-threads.js';

const port = parentPort;
if (!port) throw new Error('parse-thread.js runs only as a worker thread');

port.on('message', ({ id, task }: { id: number; task: ThreadTask }) => {
  if ('pages' in task) {
    void pageFilesReplies(task.pages).then((pages) => port.postMessage({ id, pages } satisfies ThreadReply));
    return;
  }
  documentEntries(task.document).then(
    (result) => port.postMessage({ id, result } satisfies ThreadReply),
    (error: unknown) => port.postMessage({ id, failure: failureOf(error) } satisfies ThreadReply),
  );
});
