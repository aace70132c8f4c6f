// feedloom's commands: the first argument names one; each lives in a module of its own.
import { VERSION } from '../version.js';
import { EXIT_FATAL, EXIT_OK } from './flags.js';
import { HELP } from './help.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { importOpmlCommand, sourcesCommand } from './sources.js';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: (args) => runCommand('run', args),
  start: (args) => runCommand('start', args),
  sources: sourcesCommand,
  serve: serveCommand,
  'import-opml': importOpmlCommand,
  // The news-page reader loads cheerio: only when asked.
  inspect: async (args) => (await import('./inspect.js')).inspectCommand(args),
  // Distributed mode's commands load BullMQ and Redis only when they run.
  scheduler: async (args) => (await import('./scheduler.js')).schedulerCommand(args),
  worker: async (args) => (await import('./worker.js')).workerCommand(args),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP.main}\n`);
    return command === undefined ? EXIT_FATAL : EXIT_OK;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(`feedloom: unknown command "${command}"\n\n${HELP.main}\n`);
    return EXIT_FATAL;
  }
  return run(rest);
}
