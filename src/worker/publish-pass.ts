// The third use case of every mode: publish what the state holds to out/, after sweeping away
// the temporary files a process killed mid-write left there. A single pass publishes at its end;
// in the fleet, the one publish job running at a time does, so nothing else writes to out/ then.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { describeError, PublishError } from '../errors.js';
import { publishSite, type PublishSiteOptions, type PublishSiteResult } from '../publish/publish-site.js';
import { removeStaleTempFiles } from '../publish/write-file.js';

export interface PublishPassOptions extends PublishSiteOptions {
  /**
   * Whether the state is settled: every source of the round committed. Archive pages are written
   * once and never change, so they may be added only from a settled state; the feeds meanwhile
   * show the newest entries, and the archives catch up at the next settled publish.
   */
  settled: boolean;
}

export async function publishPass(options: PublishPassOptions): Promise<PublishSiteResult> {
  const { outDir, logger } = options;
  checkOutDir(outDir);
  const swept = removeStaleTempFiles(outDir);
  if (swept > 0) logger.info({ files: swept }, 'temporary files of an earlier, interrupted write removed');
  const site = options.settled || !options.site.archive ? options.site : { ...options.site, archive: false };
  const { settled: _settled, ...publishing } = options;
  return publishSite({ ...publishing, site });
}

/** Makes out/ if need be; throws PublishError when it cannot be written, before anything is read. */
export function checkOutDir(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
    accessSync(outDir, constants.W_OK);
  } catch (error) {
    throw new PublishError(`output folder ${outDir} is not writable: ${describeError(error)}`, { cause: error });
  }
}
