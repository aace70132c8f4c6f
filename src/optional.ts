// `{ ...optional('key', value) }` adds a key only when it has a value, so objects never carry
// `key: undefined` (which JSON output and deep equality would both notice).

export function optional<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}
