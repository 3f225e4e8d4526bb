"""Time the archive's search beside Datasette serving the same published articles
with SQLite FTS5 (docs/benchmarks.md, "Side by side with Datasette").

Datasette is not a dependency of the archive: install it apart, e.g.

    python3 -m venv /tmp/ds && /tmp/ds/bin/pip install datasette sqlite-utils

Then, with the archive's DATABASE_URL and SEARCH_INDEX_DIR set:

    .venv/bin/python scripts/side_by_side.py export /tmp/side/archive.db
    /tmp/ds/bin/datasette serve /tmp/side/archive.db -p 8001 \
        --setting sql_time_limit_ms 30000
    .venv/bin/gunicorn ... (the archive, production settings, on port 8000)
    .venv/bin/python scripts/side_by_side.py time \
        http://127.0.0.1:8000 http://127.0.0.1:8001

`time` asks both servers the same questions over HTTP from this process, one at a
time, and prints p50 and p95 per question in milliseconds.
"""

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

PAGE = 20


def export(path: Path):
    """Write the published articles (id, title, lead, body, outlet, language,
    published_at) to a SQLite file with an FTS5 index over title, lead and
    body, stemmed with Porter as the archive stems English."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")
    import django

    django.setup()
    from articles.models import Article

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, lead TEXT, "
        "body TEXT, outlet TEXT, language TEXT, published_at TEXT)"
    )
    rows = (
        Article.objects.published()
        .order_by("pk")
        .values_list(
            "pk", "title", "lead", "body", "outlet__name", "language", "published_at"
        )
    )
    batch = []
    for pk, title, lead, body, outlet, language, at in rows.iterator(2_000):
        batch.append((pk, title, lead, body, outlet, language, at and at.isoformat()))
        if len(batch) == 2_000:
            db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
    db.execute("CREATE INDEX articles_published_at ON articles (published_at)")
    db.execute("CREATE INDEX articles_outlet ON articles (outlet)")
    # The external-content FTS5 table Datasette detects (as sqlite-utils makes it).
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5 (title, lead, body, "
        'content="articles", content_rowid="id", '
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.execute(
        "INSERT INTO articles_fts (rowid, title, lead, body) "
        "SELECT id, title, lead, body FROM articles"
    )
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    db.commit()
    (n,) = db.execute("SELECT count(*) FROM articles").fetchone()
    db.execute("VACUUM")
    db.close()
    print(f"{n:,} published articles written to {path}.")


def timed(url: str, repeat: int) -> tuple[list[float], bytes]:
    body = b""
    for _ in range(2):  # warm up
        body = urllib.request.urlopen(url).read()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times, body


RANKED = (
    "select a.id, a.title from articles_fts f join articles a on a.id = f.rowid "
    "where articles_fts match :q order by rank limit 20"
)


def questions(words: dict) -> list[tuple[str, dict, str]]:
    """(label, the archive's API parameters, Datasette's address) for each
    question. Datasette's table view searches and sorts by a column; by
    relevance it is asked in SQL (its table view sorts by id)."""
    asked = []
    api = {"fields": "id,title", "page_size": PAGE}
    table = {"_shape": "objects", "_size": PAGE, "_col": "title"}
    for kind in ("common", "rare", "phrase"):
        text = words[kind]
        q = f'"{text}"' if kind == "phrase" else text
        name = f'phrase "{text}"' if kind == "phrase" else f"{kind} word"
        ranked = {"sql": RANKED, "q": q, "_shape": "objects"}
        asked.append(
            (
                f"{name}, by relevance",
                {**api, "q": q},
                "/archive.json?" + urllib.parse.urlencode(ranked),
            )
        )
        newest = {**table, "_search": q, "_searchmode": "raw"}
        newest["_sort_desc"] = "published_at"
        asked.append(
            (
                f"{name}, newest first",
                {**api, "q": q, "ordering": "-published_at"},
                "/archive/articles.json?" + urllib.parse.urlencode(newest),
            )
        )
    return asked


def measure(archive: str, datasette: str, words: dict, repeat: int):
    print("| question | archive API p50 | p95 | Datasette p50 | p95 | matches |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, ours, theirs in questions(words):
        ours_url = f"{archive}/api/v1/articles/?" + urllib.parse.urlencode(ours)
        a, body = timed(ours_url, repeat)
        count = json.loads(body)["count"]
        b, _ = timed(datasette + theirs, repeat)
        print(
            f"| {label} | {p(a, 50):.1f} | {p(a, 95):.1f} | {p(b, 50):.1f} | "
            f"{p(b, 95):.1f} | {count:,} |"
        )
    # The site's results page (page, count, chart, facets, snippets) beside
    # Datasette's facet query alone.
    for word in (words["common"], words["rare"]):
        page = f"{archive}/articles/?" + urllib.parse.urlencode({"q": word})
        facet = f"{datasette}/archive/articles.json?" + urllib.parse.urlencode(
            {"_search": word, "_facet": "outlet", "_size": 0, "_shape": "objects"}
        )
        a, _ = timed(page, repeat)
        b, _ = timed(facet, repeat)
        print(
            f"| results page with facets, {word!r} (Datasette: the outlet facet "
            f"alone) | {p(a, 50):.1f} | {p(a, 95):.1f} | {p(b, 50):.1f} | "
            f"{p(b, 95):.1f} | |"
        )


def p(values, percentile):
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[percentile - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    to_file = commands.add_parser("export")
    to_file.add_argument("path", type=Path)
    timing = commands.add_parser("time")
    timing.add_argument("archive")
    timing.add_argument("datasette")
    timing.add_argument("--common", default="talks")
    timing.add_argument("--rare", default="kraicrubrecromi")
    timing.add_argument("--phrase", default="astana talks")
    timing.add_argument("--repeat", type=int, default=30)
    options = parser.parse_args()
    if options.command == "export":
        export(options.path)
    else:
        words = {"common": options.common, "rare": options.rare}
        words["phrase"] = options.phrase
        measure(options.archive, options.datasette, words, options.repeat)


if __name__ == "__main__":
    main()
