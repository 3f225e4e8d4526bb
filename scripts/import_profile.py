"""Profile the importing process of an import of synthetic JSON Lines records
(bench_import's), on an empty, migrated archive: where its time goes, by
function (cProfile), or with --statements by SQL statement and table written.

    DATABASE_URL=… SEARCH_INDEX_DIR=… .venv/bin/python scripts/import_profile.py 5000
    DATABASE_URL=… SEARCH_INDEX_DIR=… .venv/bin/python scripts/import_profile.py \
        5000 --statements

Leaves what it imported (use a throwaway database).
"""

import cProfile
import json
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")

import django

django.setup()

from django.db import connection  # noqa: E402

from articles.ingest import service  # noqa: E402
from articles.ingest.service import Importer, default_workers, path_sources  # noqa: E402
from articles.management.commands.bench_import import (  # noqa: E402
    PEOPLE,
    SUBJECTS,
    lexicon,
    synthetic_article,
)
from articles.models import Article, Person, Topic  # noqa: E402


class Statements:
    """Seconds and calls per SQL statement (its first 100 characters) and
    per table written by COPY or executemany (service._insert_rows)."""

    def __init__(self):
        self.seconds, self.calls = Counter(), Counter()

    def add(self, key, began):
        self.seconds[key] += time.perf_counter() - began
        self.calls[key] += 1

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.add(re.sub(r"\s+", " ", sql)[:100], began)

    def rows_written(self, insert):
        def timed(model, fields, rows, **options):
            began = time.perf_counter()
            try:
                return insert(model, fields, rows, **options)
            finally:
                self.add(f"rows of {model.__name__} (_insert_rows)", began)

        return timed

    def report(self):
        for key, seconds in self.seconds.most_common(20):
            print(f"{seconds:7.2f} s {self.calls[key]:6,}×  {key}")


def main(records: int, statements: bool):
    if Article.objects.exists():
        sys.exit("Run on an empty, migrated archive.")
    rng = random.Random(1)
    words = lexicon(rng)
    for name in PEOPLE:
        Person.objects.get_or_create(name=name)
    for subject in SUBJECTS:
        Topic.objects.get_or_create(name=subject.removeprefix("the "))
    path = Path(tempfile.mkdtemp()) / "records.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(records):
            record = synthetic_article(rng, n, words)
            record.pop("tag")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    importer = Importer(max_bytes=1 << 30, workers=default_workers())
    sources = path_sources([path], max_bytes=importer.max_bytes)
    timed, profile = Statements(), cProfile.Profile()
    with ExitStack() as stack:
        if statements:
            stack.enter_context(connection.execute_wrapper(timed))
            service._insert_rows = timed.rows_written(service._insert_rows)
        else:
            profile.enable()
            stack.callback(profile.disable)
        began = time.perf_counter()
        items = list(importer.run(sources))
        elapsed = time.perf_counter() - began
    print(f"{len(items):,} records in {elapsed:.1f} s = {len(items) / elapsed:,.0f}/s")
    if statements:
        timed.report()
    else:
        pstats.Stats(profile).sort_stats("cumtime").print_stats(40)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(arguments[0]) if arguments else 5000, "--statements" in sys.argv)
