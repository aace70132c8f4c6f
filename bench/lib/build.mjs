// Which build is measured: a copy of dist/ taken at the start, so a rebuild during a long run
// (npm test rebuilds dist/) cannot mix two builds in one table, and the commit it came from.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/**
 * Copies the folder of `cli` (dist/) and package.json to bench/results/.<label>-build-<pid>/.
 * Kept under the repository so dist's bare imports still resolve to its node_modules.
 */
export function snapshotBuild(cli, label) {
  const snapshot = path.join(RESULTS_DIR, `.${label}-build-${process.pid}`);
  rmSync(snapshot, { recursive: true, force: true });
  cpSync(path.dirname(cli), path.join(snapshot, 'dist'), { recursive: true });
  const packageJson = path.join(path.dirname(cli), '..', 'package.json');
  if (existsSync(packageJson)) cpSync(packageJson, path.join(snapshot, 'package.json'));
  return { snapshot, cli: path.join(snapshot, 'dist', path.basename(cli)) };
}

/** git's output in this repository, trimmed; undefined when git is missing or fails. */
export function git(...args) {
  const result = spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** How many files under src/ differ from the commit (0 for a clean tree or no git). */
export function changedSourceFiles() {
  return (git('status', '--porcelain', '--', 'src') ?? '').split('\n').filter(Boolean).length;
}
