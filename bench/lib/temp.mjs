// A temporary folder for one run, removed at the end unless asked to keep it (or the run failed
// and the caller wants to look at what it left).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { progress } from './verify.mjs';

/**
 * Runs `work(dir)` in a fresh folder under the system's temp. The folder is removed afterwards,
 * unless `keep` is set or `keepOnError` is and `work` threw; then its path is printed.
 */
export async function withTempDir(prefix, { keep = false, keepOnError = false } = {}, work) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  let kept = keep;
  try {
    return await work(dir);
  } catch (error) {
    kept ||= keepOnError;
    throw error;
  } finally {
    if (kept) progress(`temp files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
