// Small readers for YAML values. Each names the file and the key in its error, so an operator
// can fix a config without reading code.
import { ConfigError } from '../errors.js';
import type { Person } from '../model.js';
import { type DateFields, impossibleDateFields } from '../shared/calendar.js';

export type YamlMap = Record<string, unknown>;

export class FieldReader {
  constructor(readonly file: string) {}

  fail(key: string, reason: string): never {
    throw new ConfigError(`${this.file}: key "${key}": ${reason}`);
  }

  map(value: unknown, key: string): YamlMap {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(key, 'must be a mapping of keys to values');
    return value as YamlMap;
  }

  rejectUnknown(map: YamlMap, allowed: readonly string[], prefix = ''): void {
    for (const key of Object.keys(map)) {
      if (!allowed.includes(key)) this.fail(prefix + key, `unknown key (allowed: ${allowed.join(', ')})`);
    }
  }

  string(value: unknown, key: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(key, 'must be text');
    const text = String(value).trim();
    if (text === '') this.fail(key, 'must not be empty');
    return text;
  }

  stringList(value: unknown, key: string): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value : [value];
    return items.map((item, index) => this.string(item, `${key}[${index}]`) ?? this.fail(`${key}[${index}]`, 'must not be empty'));
  }

  absoluteUrl(value: unknown, key: string): string | undefined {
    const text = this.string(value, key);
    if (text === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(key, `"${text}" is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') this.fail(key, `"${text}" must be an http or https URL`);
    return url.href;
  }

  timezone(value: unknown, key: string): string | undefined {
    const text = this.string(value, key);
    if (text === undefined) return undefined;
    if (!isTimeZone(text)) this.fail(key, `"${text}" is not an IANA time zone name (such as Europe/Kyiv)`);
    return text;
  }

  /** ISO 8601 date and time with an explicit offset: a capture time without one is ambiguous. */
  instant(value: unknown, key: string): Date | undefined {
    if (value instanceof Date) return value;
    const text = this.string(value, key);
    if (text === undefined) return undefined;
    const shape = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i.exec(text);
    if (!shape) this.fail(key, `"${text}" is not an ISO 8601 date and time with an offset (such as 2026-03-01T09:30:00+02:00)`);
    // Date would roll 2026-02-30 over to March 2: a date that does not exist is refused instead.
    const impossible = impossibleDateFields(shape.slice(1).map((field) => (field === undefined ? 0 : Number(field))) as DateFields);
    if (impossible) this.fail(key, `"${text}" is not a date and time that exists: ${impossible}`);
    const date = new Date(text.replace(' ', 'T'));
    if (Number.isNaN(date.getTime())) this.fail(key, `"${text}" is not an ISO 8601 date and time with an offset (such as 2026-03-01T09:30:00+02:00)`);
    return date;
  }

  language(value: unknown, key: string): string | undefined {
    const text = this.string(value, key);
    if (text === undefined) return undefined;
    if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(text)) this.fail(key, `"${text}" is not a language tag (such as en or en-GB)`);
    return text;
  }

  /** `author: Jane Doe` or `author: { name, email, url }`. */
  person(value: unknown, key: string): Person | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return { name: this.string(value, key)! };
    const map = this.map(value, key);
    this.rejectUnknown(map, ['name', 'email', 'url'], `${key}.`);
    const name = this.string(map.name, `${key}.name`) ?? this.fail(`${key}.name`, 'is required');
    const email = this.string(map.email, `${key}.email`);
    if (email !== undefined && !/^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+$/.test(email)) this.fail(`${key}.email`, `"${email}" is not an e-mail address`);
    const url = this.absoluteUrl(map.url, `${key}.url`);
    return { name, ...(email ? { email } : {}), ...(url ? { url } : {}) };
  }
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

