// YAML goes through the `yaml` package, loaded on first use: it takes longer to load than a pass
// over thousands of unchanged pages takes to run, and such a pass reads no YAML at all.
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

const require = createRequire(import.meta.url);
let yaml: YamlModule | undefined;

export function parseYaml(text: string): unknown {
  yaml ??= require('yaml') as YamlModule;
  return yaml.parse(text);
}
