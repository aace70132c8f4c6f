// The text of `feedloom --help` and of each command's --help.
import { VERSION } from '../version.js';

const COMMON_HELP = `Options:
  --sources DIR     captured pages (*.txt, *.html) and site.yaml   [default: sources]
  --out DIR         where the feeds are written                     [default: out]
  --state FILE|URL  a SQLite file kept outside --out, or a postgres:// URL
                    (overrides state in site.yaml)                  [default: .feedloom/state.db]
  --base-url URL    public URL of --out (overrides url in site.yaml)
  -h, --help        show this help`;

export const HELP: Record<string, string> = {
  main: `feedloom ${VERSION}: captured article pages in, RSS 2.0, Atom 1.0 and JSON Feed 1.1 out.

Usage: feedloom <command> [options]

Commands:
  run      one pass, then exit (for system cron)
  start    a pass at once, then passes on a schedule (a long-running service)
  sources  every source with its kind, schedule and health
  serve    serve out/ over HTTP, with /healthz and /metrics
  import-opml FILE   add the feeds of an OPML subscription list as sources
  inspect FILE|URL   what the news-page reader finds on one HTML page, and why
  scheduler  distributed mode: keep every source's job on a Redis queue
  worker     distributed mode: run source and publish jobs from that queue

Run "feedloom <command> --help" for a command's options.`,
  run: `Usage: feedloom run [options]

One pass: read every page under --sources, remember new and changed entries, write the feeds.
Exit status: 0 every source was fine; 2 some sources failed and the feeds were written from
the rest; 1 nothing could be done (bad site config, output folder not writable).

${COMMON_HELP}`,
  'import-opml': `Usage: feedloom import-opml FILE [--sources DIR]

Adds a feed source (sources/<id>.yaml, kind: feed) for every outline with an xmlUrl in the
OPML file. Sources whose URL is already there are skipped; no file is ever overwritten.

Options:
  --sources DIR     where the source files go                       [default: sources]
  -h, --help        show this help`,
  inspect: `Usage: feedloom inspect FILE|URL [--sources DIR] [--timezone ZONE] [--json]

Reads one saved HTML page (or fetches one) the way a pass reads an HTML page with no selectors,
and prints what it found: the lead, each list of timestamped briefs with its score, order and
items (each with the instant it was dated at), the candidate lists turned down and why, the
zone the briefs were dated in and why, and machine-readable times that were not believed.
Nothing is stored or published. Exit status 1 when the page cannot be read.

Options:
  --sources DIR     where site.yaml gives the site's zone and fetch settings [default: sources]
  --timezone ZONE   date the briefs in this IANA zone, as a page's timezone: would
  --json            the whole reading as one JSON document
  -h, --help        show this help`,
  sources: `Usage: feedloom sources [--sources DIR] [--state FILE|URL] [--json | --opml]

Lists every source: captured page files and remote sources (sources/<id>.yaml), with kind,
schedule and health from the state (last success, last error, failures in a row, next
attempt). Exit status 1 when the site config is bad.

Options:
  --sources DIR     captured pages and source files                [default: sources]
  --state FILE|URL  SQLite file or postgres:// URL (overrides site.yaml) [default: .feedloom/state.db]
  --json            one JSON document instead of a table
  --opml            the remote feed sources as an OPML 2.0 subscription list
  -h, --help        show this help`,
  start: `Usage: feedloom start [options] [--schedule CRON]

A pass at once, then one on every tick of the schedule. Passes never overlap. SIGINT or
SIGTERM ends the process after the current pass, with no partial file left behind.

${COMMON_HELP}
  --schedule CRON   when to run passes (overrides schedule in site.yaml) [default: */15 * * * *]
  --watch           also start a pass as soon as something under --sources changes
  --serve           also serve --out over HTTP in this process (see feedloom serve --help)
  --port PORT       with --serve                                    [default: 8080]
  --host HOST       with --serve                                    [default: 127.0.0.1]
  --access-log      with --serve: one JSON line per request`,
  serve: `Usage: feedloom serve [--out DIR] [--port PORT] [--host HOST] [--state FILE|URL] [--sources DIR]

Serves the files in --out: feeds with their own content types, strong ETags and Last-Modified,
304s, HEAD, gzip and br, Cache-Control for one schedule interval, CORS on the JSON feed. Nothing
outside --out is ever served. GET /healthz answers 200 while passes keep finishing on schedule,
else 503 with the reason; GET /metrics answers in the Prometheus text format.

Options:
  --out DIR         what to serve                                   [default: out]
  --port PORT       TCP port                                        [default: 8080]
  --host HOST       address to listen on                            [default: 127.0.0.1]
  --access-log      log one JSON line per request
  --state FILE|URL  the state, for /healthz and /metrics (overrides site.yaml)
                                                                    [default: .feedloom/state.db]
  --sources DIR     where site.yaml is, for the schedule            [default: sources]
  --queue URL       also report a distributed fleet in /metrics (redis://host:port)
  --queue-prefix P  Redis key prefix of that fleet                   [default: feedloom]
  -h, --help        show this help`,
  scheduler: `Usage: feedloom scheduler --queue redis://host:port [--queue-prefix P] [--state postgres://...]
                          [--sources DIR] [--base-url URL] [--refresh SECONDS]

Distributed mode: keeps one repeatable job per source on the queue, on the source's own
schedule (else the site's), keyed by the source id, and one job for the captured pages. Looks
at --sources again every --refresh seconds for sources added or removed. Workers do the work.
When Redis comes back empty, puts the schedules back at once and, with --state, queues again
every source whose last tick went by unread.

Options:
  --queue URL       Redis that BullMQ keeps the queues in (required)
  --queue-prefix P  Redis key prefix, one per site                   [default: feedloom]
  --state URL       the workers' state, read only when Redis has lost its jobs
  --sources DIR     captured pages, source files and site.yaml       [default: sources]
  --base-url URL    public URL of the feeds (overrides url in site.yaml)
  --refresh SECONDS how often to look at --sources again             [default: 60]
  -h, --help        show this help`,
  worker: `Usage: feedloom worker --queue redis://host:port --state postgres://... [options]

Distributed mode: takes source jobs off the queue (fetch, parse, normalize, store), and publish
jobs, which rewrite the feeds in --out, one at a time across every worker. Run as many as you
like, on any machine that shares --sources, --out and the state. At most 2 requests at a time go
to one host across all of them (per_host in site.yaml). SIGTERM finishes the active jobs first.

Options:
  --queue URL       Redis that BullMQ keeps the queues in (required)
  --queue-prefix P  Redis key prefix, one per site                   [default: feedloom]
  --state LOCATION  a postgres:// URL shared by every worker (a SQLite file works on one machine)
  --sources DIR     captured pages, source files and site.yaml       [default: sources]
  --out DIR         where the feeds are written                      [default: out]
  --base-url URL    public URL of --out (overrides url in site.yaml)
  --concurrency N   source jobs this worker runs at once             [default: 16]
  --lock-seconds S  a job's lock; a killed worker's jobs wait this long [default: 30]
  --publish-delay S a change is published this long after it is stored [default: 2]
  -h, --help        show this help`,
};
