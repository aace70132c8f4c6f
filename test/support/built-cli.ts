// The built command line, for tests that run it as a user would. `npm test` builds first; a
// test run on its own builds dist/ when it is missing or older than the sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export function buildIfStale(): void {
  const sources = (readdirSync(path.join(ROOT, 'src'), { recursive: true }) as string[]).map((name) => path.join(ROOT, 'src', name));
  const builtMs = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  if (sources.some((file) => statSync(file).mtimeMs > builtMs)) {
    try {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
  }
}
