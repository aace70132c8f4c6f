// Source path globs for feed filters: "*" stays inside one folder, "**" crosses folders, "?" is
// one character. Paths are relative to sources/ with "/" separators.

export function compileGlob(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      const slash = glob[index + 2] === '/';
      pattern += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') {
      pattern += '[^/]*';
    } else if (char === '?') {
      pattern += '[^/]';
    } else {
      pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`);
}

/** What every path a glob matches starts with: its text up to the first wildcard. */
export function literalPrefix(glob: string): string {
  const wildcard = glob.search(/[*?]/);
  return wildcard === -1 ? glob : glob.slice(0, wildcard);
}

/** True for every path when there are no globs, else when any glob matches. */
export function sourceMatcher(globs: readonly string[] | undefined): (source: string) => boolean {
  if (!globs || globs.length === 0) return () => true;
  const patterns = globs.map(compileGlob);
  return (source) => patterns.some((pattern) => pattern.test(source));
}
