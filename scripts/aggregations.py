"""Time the index's aggregations that decide what the database keeps counted
(docs/design.md, "Stored counts"): a terms aggregation over every person,
outlet and topic, and one entity's monthly histogram.

    DATABASE_URL=… SEARCH_INDEX_DIR=… .venv/bin/python scripts/aggregations.py
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")

import django

django.setup()

from articles import search  # noqa: E402
from articles.models import Outlet, Person  # noqa: E402
from articles.search.question import Question  # noqa: E402

RUNS = 20


def timed(label, ask):
    ask()
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        result = ask()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms"
    )
    return result


def main():
    engine = search._engine()
    everything = Question()
    for field in ("person", "outlet", "topic"):
        every = {"field": field, "size": 1_000_000, "segment_size": 1_000_000}
        result = timed(
            f"terms over every {field}",
            lambda every=every: engine.aggregate(everything, {"t": {"terms": every}}),
        )
        print(f"  {len(result['t']['buckets']):,} buckets")
    rng = random.Random(1)
    people = Person.objects.public().order_by("-published_count")
    pools = {
        "people": list(people.values_list("pk", flat=True)[:2_000]),
        "outlets": list(Outlet.objects.public().values_list("pk", flat=True)),
    }
    for field, pool in pools.items():
        picks = iter(rng.sample(pool, min(20, len(pool))) * (RUNS + 1))

        def one(picks=picks, field=field):
            pk = next(picks)
            value = frozenset([pk]) if field == "outlets" else (pk,)
            return search.over_time(Question(**{field: value}), unit="month")

        timed(f"monthly histogram of one of the {field}", one)


if __name__ == "__main__":
    main()
