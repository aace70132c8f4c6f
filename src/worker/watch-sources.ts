// `feedloom start --watch`: a change under sources/ (a page written, edited, renamed or removed;
// a source file; site.yaml) asks for a pass once the writes have settled for a moment, so a
// page captured into sources/ is published within about a second. The schedule makes sure passes
// never overlap; a change during a pass makes one more pass after it.
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';

/** Quiet time after the last change before the pass starts: a capture written in pieces is read once. */
export const WATCH_SETTLE_MS = 75;

export interface SourceWatcher {
  close: () => void;
}

/** `ignored`: files under sources/ that passes write themselves (a state kept there), by path relative to it. */
export function watchSources(sourcesDir: string, onChange: (file: string) => void, logger: Logger, ignored: (file: string) => boolean = () => false): SourceWatcher {
  let timer: NodeJS.Timeout | undefined;
  let lastFile = '';
  const watcher: FSWatcher = watch(sourcesDir, { recursive: true }, (_event, name) => {
    const file = name?.toString() ?? '';
    // Dot files are not sources (editors' swap files, a writer's temporary file before its rename).
    if (file.split(/[\\/]/).some((part) => part.startsWith('.')) || ignored(file)) return;
    lastFile = file;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(lastFile), WATCH_SETTLE_MS);
  });
  watcher.on('error', (error) => logger.error({ stage: 'ingest', err: error.message }, `watching ${sourcesDir} failed: ${error.message}; passes go on by the schedule`));
  logger.info({ sources: sourcesDir }, 'watching sources for changes');
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
