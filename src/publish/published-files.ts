// What the last full publish left in out/, kept in the state: every file's path (relative to
// out/), size and modification time. A publish that is cut short (kill -9, a full disk, an
// unwritable folder) never records one, and a file someone deleted or changed no longer matches
// it: either way the next pass publishes again instead of trusting out/ to be complete.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store.js';
import { type PublishDueParts, readWatermark, setWatermark, WATERMARKS, writeWatermark } from '../store/watermarks.js';

/** Size and modification time, by "/"-separated path relative to out/. */
export type PublishedFiles = Record<string, [size: number, mtimeMs: number]>;

export async function readPublishedFiles(store: Store): Promise<PublishedFiles | undefined> {
  return readWatermark(store, WATERMARKS.publishedFiles);
}

/** Records the files a publish has just put in place; undefined forgets them (a publish begins). */
export async function recordPublishedFiles(store: Store, outDir: string, files: readonly string[] | undefined): Promise<void> {
  if (files === undefined) return writeWatermark(store, WATERMARKS.publishedFiles, undefined);
  const manifest: PublishedFiles = {};
  for (const file of [...files].sort()) {
    const stat = statSync(file);
    manifest[path.relative(outDir, file).split(path.sep).join('/')] = [stat.size, stat.mtimeMs];
  }
  await writeWatermark(store, WATERMARKS.publishedFiles, manifest);
}

/**
 * Whether a file is as the last full publish left it; a file that publish did not record (an
 * archive page written by an earlier version) counts as intact while it is there.
 */
export function fileIntact(outDir: string, manifest: PublishedFiles | undefined): (file: string) => boolean {
  return (file) => {
    const record = manifest?.[path.relative(outDir, file).split(path.sep).join('/')];
    if (record) return sameFile(file, ...record);
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
}

/** Whether every file of the last full publish is still in out/ as it left it. */
export function publishedFilesIntact(outDir: string, manifest: PublishedFiles | undefined): boolean {
  if (manifest === undefined) return false;
  for (const [relative, [size, mtimeMs]] of Object.entries(manifest)) {
    if (!sameFile(path.join(outDir, relative), size, mtimeMs)) return false;
  }
  return true;
}

/** Any way a file can be missing (gone, its folder replaced by a file, unreadable) counts as not the same. */
function sameFile(file: string, size: number, mtimeMs: number): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && stat.size === size && stat.mtimeMs === mtimeMs;
  } catch {
    return false;
  }
}

export type PublishPart = keyof PublishDueParts;

export interface PublishDue {
  /** Marks a part of the publish as due, once per pass and part, before the pass changes the state. */
  mark(part: PublishPart): Promise<void>;
}

export function publishDue(store: Store): PublishDue {
  const marked = new Set<PublishPart>();
  return {
    async mark(part) {
      if (marked.has(part)) return;
      marked.add(part);
      // One read: a part already due is left as it is, else the mark is written with it.
      const due = await duePublish(store);
      if (!due[part]) await setWatermark(store, WATERMARKS.publishDue, { ...due, [part]: true });
    },
  };
}

/** What the last pass left due (kill -9 before it published, a failed publish). */
export async function duePublish(store: Store): Promise<PublishDueParts> {
  const due = await readWatermark(store, WATERMARKS.publishDue);
  // `true`: a mark from an earlier version, which owed both.
  if (due === true) return { feeds: true, status: true };
  return { feeds: due?.feeds === true, status: due?.status === true };
}

export async function clearPublishDue(store: Store): Promise<void> {
  await writeWatermark(store, WATERMARKS.publishDue, undefined);
}
