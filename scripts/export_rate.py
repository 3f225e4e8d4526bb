"""Time exports to the last byte, in process (the Django test client): each
address twice, the second timed, with its rows and megabytes.

    DATABASE_URL=… SEARCH_INDEX_DIR=… .venv/bin/python scripts/export_rate.py \
        "/api/v1/articles/export/?outlet=tass&format=jsonl" \
        "/articles/export/?outlet=tass&format=csv"

Rows are counted as JSON Lines lines, or as CSV records (not lines: bodies hold
line breaks).
"""

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402


def main(urls):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.CACHE_PAGES = False
    client = Client()
    for url in urls:
        for _ in range(2):
            began = time.perf_counter()
            response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url}: {response.status_code}")
            body = b"".join(response.streaming_content)
            elapsed = time.perf_counter() - began
        if "format=csv" in url:
            rows = sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1
        else:
            rows = body.count(b"\n")
        print(
            f"{url}: {rows:,} articles, {len(body) / 1e6:.1f} MB in {elapsed:.2f} s "
            f"= {rows / elapsed:,.0f} articles/s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
