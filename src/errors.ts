// One error class per failure family. The message starts with the stage, the cause is kept.

export type Stage = 'config' | 'ingest' | 'normalize' | 'store' | 'render' | 'publish' | 'worker';

export class FeedloomError extends Error {
  readonly stage: Stage;
  /** The message as given to the constructor. */
  readonly messageWithoutStage: string;

  constructor(stage: Stage, message: string, options?: { cause?: unknown }) {
    super(`${stage}: ${message}`, options);
    this.name = new.target.name;
    this.stage = stage;
    this.messageWithoutStage = message;
  }
}

/** site.yaml, a page's front matter or a command-line option is wrong. */
export class ConfigError extends FeedloomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

/** One source could not be read or understood; the pass goes on without it. */
export class SourceError extends FeedloomError {
  readonly source: string;

  constructor(stage: Stage, source: string, message: string, options?: { cause?: unknown }) {
    super(stage, message, options);
    this.source = source;
  }
}

export class StoreError extends FeedloomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store', message, options);
  }
}

/** Another process runs a pass on the same state. */
export class LockError extends FeedloomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('worker', message, options);
  }
}

export class PublishError extends FeedloomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('publish', message, options);
  }
}

/** The message of anything thrown, for log lines. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
