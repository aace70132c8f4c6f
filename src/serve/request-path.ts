// A request target -> a file under out/, or a refusal. Only files under out/ are ever served:
// traversal (raw or percent-encoded), backslashes, NUL bytes, dot files and symlinks that lead
// out of out/ are all refused.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export type ResolvedPath = { kind: 'file'; file: string } | { kind: 'bad-request'; reason: string } | { kind: 'not-found' };

export function resolveRequestPath(rawTarget: string, outRoot: string): ResolvedPath {
  if (!rawTarget.startsWith('/')) return { kind: 'bad-request', reason: 'request target must start with /' };
  const rawPath = rawTarget.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'bad-request', reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { kind: 'bad-request', reason: 'NUL byte in path' };
  if (decoded.includes('\\') || rawPath.includes('\\')) return { kind: 'bad-request', reason: 'backslash in path' };
  const segments = decoded.split('/').filter((segment) => segment !== '');
  // ".." and dot files (temporary files, .git, ...) are never served.
  if (segments.some((segment) => segment.startsWith('.'))) return { kind: 'not-found' };
  let file = path.join(outRoot, ...segments);
  try {
    if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
    // "/rss.xml/" names a folder called rss.xml, which there is not.
    else if (decoded.endsWith('/')) return { kind: 'not-found' };
    const real = realpathSync(file);
    if (real !== outRoot && !real.startsWith(`${outRoot}${path.sep}`)) return { kind: 'not-found' };
    if (!statSync(real).isFile()) return { kind: 'not-found' };
    return { kind: 'file', file: real };
  } catch {
    return { kind: 'not-found' };
  }
}
