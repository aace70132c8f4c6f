"""Parse-only baseline for bench/remote.mjs: feedparser over every *.xml file in a folder.

    /usr/bin/python3 bench/feedparser_parse.py DOCS_DIR

The files are read into memory first, so the timed loop is feedparser.parse() alone (which, by
default, also sanitizes HTML and resolves relative links, as feedloom does). Prints one JSON line:
import and parse times measured inside the process, entry count, bozo count, peak RSS (KB).
"""
import io
import json
import os
import resource
import sys
import time

started = time.perf_counter()
import feedparser  # noqa: E402  (timed: the import is part of the start-up cost, not of parsing)

imported = time.perf_counter()


def main() -> None:
    folder = sys.argv[1]
    names = sorted(name for name in os.listdir(folder) if name.endswith(".xml"))
    documents = []
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            documents.append(handle.read())

    entries = 0
    bozo = 0
    parse_started = time.perf_counter()
    for data in documents:
        # A file-like object: a bare bytes argument would first be tried as a file name.
        parsed = feedparser.parse(io.BytesIO(data))
        entries += len(parsed.entries)
        bozo += 1 if parsed.bozo else 0
    parse_s = time.perf_counter() - parse_started

    print(json.dumps({
        "feedparser": feedparser.__version__,
        "python": sys.version.split()[0],
        "documents": len(documents),
        "entries": entries,
        "bozo": bozo,
        "import_s": imported - started,
        "parse_s": parse_s,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
