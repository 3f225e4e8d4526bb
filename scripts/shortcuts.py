"""Time the engine's shortcuts on a large archive against the long way, in
process, on the same searcher (docs/design.md, "Shortcuts on a large
archive"): counting a results page's facets, months and total from the other
side of a common word, a date-ordered page found in a window of the newest
articles, relevance ranked before statuses are read.

    DATABASE_URL=… SEARCH_INDEX_DIR=… .venv/bin/python scripts/shortcuts.py \
        talks ministry lavrov
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")

import django

django.setup()

from articles import search  # noqa: E402
from articles.search import Question, counting, parse  # noqa: E402
from articles.search.engine import Engine  # noqa: E402

RUNS = 20


def timed(ask) -> tuple[float, float]:
    ask()
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        ask()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def row(label, shortcut, long_way):
    (fast50, fast95), (slow50, slow95) = timed(shortcut), timed(long_way)
    print(f"| {label} | {fast50:.1f} / {fast95:.1f} | {slow50:.1f} / {slow95:.1f} |")


def main(words):
    engine = search._engine()
    aggregations = search._page_aggregations(facets=True, by_month=True)
    print("| question | shortcut p50 / p95 ms | long way p50 / p95 ms |")
    print("| --- | ---: | ---: |")
    for word in words:
        question = Question(text=parse(word))
        total = engine.count(question)
        share = engine.share(question.text, engine.searcher())
        print(f"| `{word}`: {total:,} matches, estimated share {share:.3f} | | |")
        row(
            "counts (total, facets, months)",
            lambda q=question: counting.aggregate(engine, q, aggregations),
            lambda q=question: engine.aggregate(q, aggregations),
        )
        for order in ("newest", "relevance"):
            shortcut = Engine._windowed if order == "newest" else Engine._ranked
            row(
                f"first page, {order}",
                lambda q=question, o=order: engine.search(
                    q, order=o, limit=21, count=False
                ),
                lambda q=question, o=order, s=shortcut: _without(
                    s, lambda: engine.search(q, order=o, limit=21, count=False)
                ),
            )


def _without(shortcut, ask):
    """ask() with the shortcut turned down (it answers None: the long way)."""
    name = shortcut.__name__
    setattr(Engine, name, lambda *args: None)
    try:
        return ask()
    finally:
        setattr(Engine, name, shortcut)


if __name__ == "__main__":
    main(sys.argv[1:] or ["talks", "ministry", "lavrov"])
