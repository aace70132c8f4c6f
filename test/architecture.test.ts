// The folders are the pipeline, and imports follow it: a stage imports the modules every stage
// shares and the stages before it, never one after it. The README's "How it is built" says the same.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** What each part of src/ may import besides itself. "common" is src/*.ts and src/shared/. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  common: [],
  config: ['common'],
  ingest: ['common', 'config'],
  normalize: ['common', 'config'],
  store: ['common', 'config'],
  render: ['common', 'config'],
  publish: ['common', 'config', 'store', 'render'],
  serve: ['common', 'config', 'store', 'publish'],
  worker: ['common', 'config', 'ingest', 'normalize', 'store', 'render', 'publish'],
  queue: ['common', 'config', 'ingest', 'normalize', 'store', 'render', 'publish', 'worker'],
  commands: ['common', 'config', 'ingest', 'normalize', 'store', 'render', 'publish', 'serve', 'worker', 'queue'],
  executable: ['commands'],
};

/**
 * Imports against the pipeline that are known and have yet to go, each with what removes it. The
 * test fails on any other, and on one of these once it is gone, so the list only ever shrinks.
 */
const KNOWN_WRONG: readonly string[] = [];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith('.ts') ? [file] : [];
  });
}

function partOf(file: string): string {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative.length === 1) return relative[0] === 'cli.ts' ? 'executable' : 'common';
  return relative[0] === 'shared' ? 'common' : relative[0]!;
}

/** Relative imports, static and dynamic, as files under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
}

describe('imports follow the pipeline', () => {
  const files = sourceFiles(SRC);

  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap(importsOf).length).toBeGreaterThan(100);
  });

  it('gives every folder of src/ a place in the pipeline', () => {
    const unknown = files.map(partOf).filter((part) => !(part in MAY_IMPORT));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('has no stage import a later one, but for the known imports still to go', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      for (const target of importsOf(file)) {
        const to = partOf(target);
        if (to !== from && !MAY_IMPORT[from]!.includes(to)) wrong.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
      }
    }
    expect(wrong.sort()).toEqual([...KNOWN_WRONG].sort());
  });
});
