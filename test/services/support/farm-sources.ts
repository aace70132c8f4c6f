// A site whose sources are a feed farm's feeds: a temporary folder with sources/ holding
// site.yaml and one remote source per feed (farm-0.yaml, farm-1.yaml, ...), and the farm itself.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeedFarm } from '../../support/feed-farm.mjs';

export type FeedFarm = Awaited<ReturnType<typeof startFeedFarm>>;

export interface FarmSources {
  /** The temporary folder: sources/ is in it, and room for out/ and the rest. */
  root: string;
  sources: string;
  farm: FeedFarm;
}

export async function farmSources(name: string, siteYaml: string, farmOptions: Parameters<typeof startFeedFarm>[0]): Promise<FarmSources> {
  const root = mkdtempSync(path.join(tmpdir(), `feedloom-${name}-`));
  const farm = await startFeedFarm(farmOptions);
  const sources = path.join(root, 'sources');
  mkdirSync(sources);
  writeFileSync(path.join(sources, 'site.yaml'), siteYaml);
  for (let index = 0; index < farmOptions.feeds; index++) writeFileSync(path.join(sources, `farm-${index}.yaml`), `kind: feed\nurl: ${farm.feedUrl(index)}\n`);
  return { root, sources, farm };
}
