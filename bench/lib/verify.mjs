// Failing loudly when a run cannot measure what it claims, and progress lines on stderr (stdout
// carries the report).

/** The run could not measure what it claims: not a failed target. */
export class VerifyError extends Error {}

export function fail(message) {
  throw new VerifyError(message);
}

export function progress(message) {
  process.stderr.write(`${message}\n`);
}

/** The last `lines` lines of a child's output, for an error message. */
export function tail(text, lines = 20) {
  return (text ?? '').trimEnd().split('\n').slice(-lines).join('\n');
}
