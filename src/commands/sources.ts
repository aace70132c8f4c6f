// `feedloom sources` (every source with its health) and `feedloom import-opml FILE`.
import { existsSync } from 'node:fs';
import { loadSiteConfig } from '../config/site.js';
import type { StateLocation } from '../config/state-location.js';
import { describeError } from '../errors.js';
import { redactUrl } from '../shared/url-secrets.js';
import { openStore } from '../store/open-store.js';
import { formatSourceTable, listSources, remoteSourcesOpml } from '../worker/source-list.js';
import { HELP } from './help.js';
import { COMMON_OPTIONS, EXIT_FATAL, EXIT_OK, parseCommand, siteFlags } from './flags.js';
import { stateLocationFor } from './site-state.js';

export async function sourcesCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('sources', args, {
    sources: COMMON_OPTIONS.sources,
    state: COMMON_OPTIONS.state,
    json: { type: 'boolean', default: false },
    opml: { type: 'boolean', default: false },
    help: COMMON_OPTIONS.help,
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const flags = siteFlags(values);
  try {
    const site = await loadSiteConfig(flags.sourcesDir);
    if (values.opml) {
      process.stdout.write(remoteSourcesOpml(flags.sourcesDir, site));
      return EXIT_OK;
    }
    const state = stateLocationFor(flags, site);
    // A state file that does not exist yet is not created just to list sources.
    const records = state.kind === 'sqlite' && !existsSync(state.file) ? new Map() : await readSourceRecords(state);
    const rows = listSources(flags.sourcesDir, site, records);
    process.stdout.write(values.json ? `${JSON.stringify({ sources: rows }, null, 2)}\n` : `${formatSourceTable(rows)}\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`feedloom sources: ${describeError(error)}\n`);
    return EXIT_FATAL;
  }
}

export async function importOpmlCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('import-opml', args, { sources: COMMON_OPTIONS.sources, help: COMMON_OPTIONS.help }, true);
  if ('exit' in parsed) return parsed.exit;
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) {
    process.stderr.write(`feedloom import-opml: give exactly one OPML file\n\n${HELP['import-opml']}\n`);
    return EXIT_FATAL;
  }
  try {
    const { importOpml } = await import('../config/opml-import.js');
    const result = importOpml(file, parsed.values.sources as string);
    for (const added of result.added) process.stdout.write(`added   ${added.id}  ${redactUrl(added.url)}\n`);
    for (const skipped of result.skipped) process.stdout.write(`skipped ${redactUrl(skipped.url)}  (${skipped.reason})\n`);
    process.stdout.write(`${result.added.length} added, ${result.skipped.length} skipped\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`feedloom import-opml: ${describeError(error)}\n`);
    return EXIT_FATAL;
  }
}

async function readSourceRecords(state: StateLocation) {
  const store = await openStore(state);
  try {
    return await store.sourceRecords();
  } finally {
    await store.close();
  }
}
