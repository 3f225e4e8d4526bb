"""Time pages 2–11 of a search's results with and without the aggregation
cache (articles.search.Aggregator), past the page cache (a session cookie),
in process.

    DATABASE_URL=… SEARCH_INDEX_DIR=… \
        .venv/bin/python scripts/aggregation_cache.py talks
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402


def timed(client, urls) -> str:
    times = []
    for url in urls:
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url}: {response.status_code}")
    return f"p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms"


def main(q):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SITE_SEARCH_RATE = ""  # as bench: no throttle
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "none"  # past the page cache
    urls = [f"/articles/?{urlencode({'q': q, 'page': n})}" for n in range(2, 12)]
    settings.CACHE_PAGES = False
    print(f"pages 2–11 of {q!r}, counted afresh: {timed(client, urls)}")
    settings.CACHE_PAGES = True
    cache.clear()
    client.get(f"/articles/?{urlencode({'q': q})}")  # page 1 counts, and keeps
    print(f"pages 2–11 of {q!r}, counts kept: {timed(client, urls)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "talks")
