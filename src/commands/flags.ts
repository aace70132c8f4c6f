// The flags every command shares, and the one way a command's arguments are parsed.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { SiteOverrides } from '../config/site.js';
import { ConfigError, describeError } from '../errors.js';
import { HELP } from './help.js';

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_SOURCES_FAILED = 2;

export const COMMON_OPTIONS = {
  sources: { type: 'string', default: 'sources' },
  out: { type: 'string', default: 'out' },
  // No default here: without the flag, `state:` in site.yaml decides, then DEFAULT_STATE_FILE.
  state: { type: 'string' },
  'base-url': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const SERVER_OPTIONS = {
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
  'access-log': { type: 'boolean', default: false },
} as const;

export const QUEUE_OPTIONS = {
  queue: { type: 'string' },
  'queue-prefix': { type: 'string', default: 'feedloom' },
} as const;

export type Flags = Record<string, string | boolean | undefined>;

/** Parses a command's flags; prints help or the error itself and gives the exit status then. */
export function parseCommand(command: string, args: string[], options: ParseArgsConfig['options'], allowPositionals = false): { values: Flags; positionals: string[] } | { exit: number } {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals, strict: true }) as { values: Flags; positionals: string[] };
  } catch (error) {
    process.stderr.write(`feedloom ${command}: ${describeError(error)}\n\n${HELP[command]}\n`);
    return { exit: EXIT_FATAL };
  }
  if (parsed.values.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return { exit: EXIT_OK };
  }
  return parsed;
}

/** What --sources, --out, --state and --base-url say, as every command that reads the site uses them. */
export interface SiteFlags {
  sourcesDir: string;
  outDir: string;
  /** --state as given; resolved with site.yaml by chooseStateLocation(). */
  state: string | undefined;
  overrides: SiteOverrides;
}

export function siteFlags(values: Flags): SiteFlags {
  return {
    sourcesDir: values.sources as string,
    outDir: (values.out as string | undefined) ?? COMMON_OPTIONS.out.default,
    state: values.state as string | undefined,
    overrides: {
      ...(typeof values['base-url'] === 'string' ? { baseUrl: values['base-url'] } : {}),
      ...(typeof values.schedule === 'string' ? { schedule: values.schedule } : {}),
    },
  };
}

export function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`--${flag}: "${text}" must be a number above 0`);
  return value;
}

/** --port as a TCP port number, or a ConfigError naming the flag. */
export function portFlag(value: unknown): number {
  const text = String(value);
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`--port: "${text}" is not a port number (0 to 65535)`);
  return port;
}
