// gzip and br forms of published files, made once when a file is published, so a server never
// compresses per request. They live beside the state, not in out/, named by the file's path and
// content hash; a new version replaces the old one's forms. They are made once the publish is
// recorded: readers have the new files by then, and a server that is asked for a file before
// its forms are there (or that finds none, when they could not be written) compresses it once.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { describeError } from '../errors.js';
import { isRarelyReadFile } from '../layout.js';
import { writeAtomically } from './write-file.js';

/** Smaller files are not worth compressing: headers would outweigh the saving. */
export const MIN_COMPRESS_BYTES = 256;
// Feeds and the pages beside them are polled all day; entry pages and archives are read now and then.
const COMPRESSIBLE = /\.(xml|json|html|opml|xsl)$/;

export interface CompressedForms {
  gzip: Buffer;
  br: Buffer;
}

export function contentHash(body: Uint8Array): string {
  return createHash('sha1').update(body).digest('base64url');
}

export function compress(body: Uint8Array): CompressedForms {
  return {
    gzip: gzipSync(body, { level: 9 }),
    // Quality 6 is most of 11's saving at a fraction of its time, which every pass would pay.
    br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  };
}

function formPath(formsDir: string, relative: string, hash: string, encoding: keyof CompressedForms): string {
  return path.join(formsDir, `${relative}@${hash}.${encoding === 'gzip' ? 'gz' : 'br'}`);
}

/** Writes the forms of files just published under `outDir`, and drops their older versions' forms. */
export function writeCompressedForms(outDir: string, files: readonly string[], formsDir: string): void {
  for (const file of files) {
    const relative = path.relative(outDir, file);
    if (isRarelyReadFile(relative) || !COMPRESSIBLE.test(relative)) continue;
    const body = readFileSync(file);
    if (body.length < MIN_COMPRESS_BYTES) continue;
    const hash = contentHash(body);
    const folder = path.dirname(path.join(formsDir, relative));
    mkdirSync(folder, { recursive: true });
    const prefix = `${path.basename(relative)}@`;
    for (const name of readdirSync(folder)) {
      if (name.startsWith(prefix) && !name.startsWith(`${prefix}${hash}.`)) rmSync(path.join(folder, name), { force: true });
    }
    const forms = compress(body);
    writeAtomically(formPath(formsDir, relative, hash, 'gzip'), forms.gzip);
    writeAtomically(formPath(formsDir, relative, hash, 'br'), forms.br);
  }
}

/** writeCompressedForms after a recorded publish: forms that cannot be written fail nothing, and are logged. */
export function leaveCompressedForms(outDir: string, files: readonly string[], formsDir: string, logger: Logger): void {
  try {
    writeCompressedForms(outDir, files, formsDir);
  } catch (error) {
    const reason = describeError(error);
    logger.warn({ stage: 'publish', code: 'FORMS_NOT_WRITTEN', forms: formsDir, reason }, `compressed forms not written: ${reason}; a server compresses those files at their first request`);
  }
}

/** The forms made at publish time for this version of the file, if there are any. */
export function readCompressedForms(formsDir: string, relative: string, hash: string): CompressedForms | undefined {
  try {
    return { gzip: readFileSync(formPath(formsDir, relative, hash, 'gzip')), br: readFileSync(formPath(formsDir, relative, hash, 'br')) };
  } catch {
    return undefined;
  }
}
