// out/ as bytes: every file under a folder, for tests that hold one out/ to another byte for byte.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** Every file under `dir` by "/"-separated relative path, with its bytes. */
export function treeOf(dir: string): Map<string, Buffer> {
  const tree = new Map<string, Buffer>();
  for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isFile()) tree.set(name.split(path.sep).join('/'), readFileSync(file));
  }
  return tree;
}

/** The paths where two trees differ: missing from one, extra in it, or with other bytes. */
export function treeDifferences(actual: Map<string, Buffer>, expected: Map<string, Buffer>): string[] {
  const differences: string[] = [];
  for (const [name, bytes] of expected) {
    const found = actual.get(name);
    if (!found) differences.push(`missing ${name}`);
    else if (!found.equals(bytes)) differences.push(`differs ${name}`);
  }
  for (const name of actual.keys()) if (!expected.has(name)) differences.push(`extra ${name}`);
  return differences;
}

/** Fails with the list of differing paths (not a diff of the bytes) when `dir` is not `expected`. */
export function expectSameTree(dir: string, expected: Map<string, Buffer>, label = dir): void {
  const actual = treeOf(dir);
  expect(actual.size, `${label}: files`).toBeGreaterThan(0);
  expect(treeDifferences(actual, expected), label).toEqual([]);
}
