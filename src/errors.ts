// One error class per failure family. Each carries its stage and a stable code as fields, and a
// message that is only the reason: what a log line or status.json shows is built from the fields
// (describeError), so no code ever takes an error apart from its text.

export type Stage = 'config' | 'ingest' | 'normalize' | 'store' | 'render' | 'publish' | 'worker';

export interface ErrorOptions {
  cause?: unknown;
  /** A stable name for what went wrong (UPPER_SNAKE); each class has one for its family. */
  code?: string;
}

export class FeedloomError extends Error {
  readonly stage: Stage;
  readonly code: string;

  constructor(stage: Stage, message: string, code: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.stage = stage;
    this.code = options?.code ?? code;
  }
}

/** site.yaml, a page's front matter or a command-line option is wrong. */
export class ConfigError extends FeedloomError {
  constructor(message: string, options?: ErrorOptions) {
    super('config', message, 'CONFIG_INVALID', options);
  }
}

/** One source could not be read or understood; the pass goes on without it. */
export class SourceError extends FeedloomError {
  readonly source: string;

  constructor(stage: Stage, source: string, message: string, options?: ErrorOptions) {
    super(stage, message, 'SOURCE_UNREADABLE', options);
    this.source = source;
  }
}

export class StoreError extends FeedloomError {
  constructor(message: string, options?: ErrorOptions) {
    super('store', message, 'STORE_FAILED', options);
  }
}

/** Another process runs a pass on the same state. */
export class LockError extends FeedloomError {
  constructor(message: string, options?: ErrorOptions) {
    super('worker', message, 'PASS_LOCKED', options);
  }
}

export interface PublishErrorOptions extends ErrorOptions {
  /** The file that could not be written. */
  file?: string;
}

/** A file in out/ could not be written; `errno` is the system's code (ENOSPC, ENAMETOOLONG, EACCES). */
export class PublishError extends FeedloomError {
  readonly file: string | undefined;
  readonly errno: string | undefined;

  constructor(message: string, options?: PublishErrorOptions) {
    super('publish', message, 'PUBLISH_FAILED', options);
    this.file = options?.file;
    this.errno = errnoCode(options?.cause);
  }
}

function errnoCode(cause: unknown): string | undefined {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** The fields a log line carries for an error: its stage and code, and what else it names. */
export function errorFields(error: unknown): Record<string, string> {
  if (!(error instanceof FeedloomError)) return {};
  const fields: Record<string, string> = { stage: error.stage, code: error.code };
  if (error instanceof PublishError) {
    if (error.errno) fields.errno = error.errno;
    if (error.file) fields.file = error.file;
  }
  return fields;
}

/** Anything thrown, as one line for people: "stage: reason" for feedloom's own errors. */
export function describeError(error: unknown): string {
  if (error instanceof FeedloomError) return `${error.stage}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
