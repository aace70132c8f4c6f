// The one place that knows which parts of a URL are secrets: the userinfo (a password, or a token
// given as the user name) and query parameters whose names say they carry a key, a token, a
// password, a session or a signature. What the process shows (status.json, logs, messages,
// `feedloom sources`) is redacted here; links published in feeds lose them altogether.

const SECRET_PARAMETER =
  /^(?:key|api[-_]?key|apikey|access[-_]?key|(?:access|auth|refresh|id|private|bearer)?[-_]?token|auth|secret|client[-_]?secret|password|passwd|pwd|sig|signature|session|session[-_]?id|x-amz-(?:signature|credential|security-token))$/i;

const MASK = '***';

/** Whether a query parameter's name says its value is a credential. */
function isSecretParameter(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    // A malformed escape: judge the name as written.
  }
  return SECRET_PARAMETER.test(decoded);
}

/**
 * A URL as logs, messages and published status may show it: `user:***@`, `***@` for a user name
 * alone (often a token), and `***` for the value of each secret-looking query parameter. Works on
 * the text as written, so a URL without secrets comes back unchanged, valid or not.
 */
export function redactUrl(text: string): string {
  const start = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (!start) return text;
  const authorityEnd = text.slice(start[0].length).search(/[/?#]/);
  const authority = authorityEnd === -1 ? text.slice(start[0].length) : text.slice(start[0].length, start[0].length + authorityEnd);
  const rest = authorityEnd === -1 ? '' : text.slice(start[0].length + authorityEnd);
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : `${redactUserinfo(authority.slice(0, at))}@${authority.slice(at + 1)}`;
  return `${start[0]}${host}${redactQuery(rest)}`;
}

function redactUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  return colon === -1 ? MASK : `${userinfo.slice(0, colon)}:${MASK}`;
}

/** `rest` is the path, query and fragment; only the query's secret values change. */
function redactQuery(rest: string): string {
  const queryStart = rest.indexOf('?');
  if (queryStart === -1) return rest;
  const fragmentStart = rest.indexOf('#', queryStart);
  const query = fragmentStart === -1 ? rest.slice(queryStart + 1) : rest.slice(queryStart + 1, fragmentStart);
  const redacted = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals !== -1 && isSecretParameter(pair.slice(0, equals)) ? `${pair.slice(0, equals + 1)}${MASK}` : pair;
    })
    .join('&');
  return `${rest.slice(0, queryStart + 1)}${redacted}${fragmentStart === -1 ? '' : rest.slice(fragmentStart)}`;
}

/** Every URL inside a message (an error's reason), redacted. */
export function redactUrlsIn(message: string): string {
  return message.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi, redactUrl);
}

/**
 * A URL fit to publish as a link: no userinfo and no secret-looking query parameters. Anything
 * else stays as written; text that is not a URL is returned unchanged.
 */
export function withoutCredentials(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  const secrets = [...url.searchParams.keys()].filter(isSecretParameter);
  if (url.username === '' && url.password === '' && secrets.length === 0) return text;
  url.username = '';
  url.password = '';
  for (const name of secrets) url.searchParams.delete(name);
  return url.href;
}
