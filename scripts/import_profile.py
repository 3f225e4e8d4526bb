"""Profile the importing process of an import of synthetic JSON Lines records
(bench_import's), on an empty, migrated archive: where its time goes.

    DATABASE_URL=… SEARCH_INDEX_DIR=… .venv/bin/python scripts/import_profile.py 5000

Leaves what it imported (use a throwaway database).
"""

import cProfile
import json
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")

import django

django.setup()

from articles.ingest.service import Importer, default_workers, path_sources  # noqa: E402
from articles.management.commands.bench_import import (  # noqa: E402
    PEOPLE,
    SUBJECTS,
    lexicon,
    synthetic_article,
)
from articles.models import Article, Person, Topic  # noqa: E402


def main(records: int):
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
    profile = cProfile.Profile()
    began = time.perf_counter()
    profile.enable()
    items = list(importer.run(path_sources([path], max_bytes=importer.max_bytes)))
    profile.disable()
    elapsed = time.perf_counter() - began
    print(f"{len(items):,} records in {elapsed:.1f} s under the profiler")
    pstats.Stats(profile).sort_stats("cumtime").print_stats(40)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
