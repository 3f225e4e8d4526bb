"""What the generated articles' first history records cost generate_corpus,
measured inside one run: the time of each batch's history statement (INSERT …
SELECT) against the rest of the batch, so that a busy machine slows both alike.

    createdb -h 127.0.0.1 -U postgres hc
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hc \\
        .venv/bin/python scripts/history_cost.py 100000
    DATABASE_URL=sqlite:////tmp/hc.sqlite3 \\
        .venv/bin/python scripts/history_cost.py 30000

The database must be empty (it is migrated first). On PostgreSQL the batches
are written by two worker processes, as generate_corpus --workers 2 does.
"""

import multiprocessing
import os
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from articles.management.commands import generate_corpus as g  # noqa: E402

HISTORY = f'INSERT INTO "{g.HISTORY._meta.db_table}"'
# Seconds: making the rows, writing them (and on PostgreSQL committing), history.
spent = multiprocessing.Array("d", 3)


def timed_copy_batch(job):
    """generate_corpus's _copy_batch, timed in parts."""
    number, first_id, size, now = job
    began = time.perf_counter()
    rows = g._plan.batch(number, first_id, size, now)
    made = time.perf_counter()
    with g._connection.transaction(), g._connection.cursor() as cursor:
        for table, columns, rows_of in g._tables(rows):
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows_of:
                    copy.write_row(row)
        history = time.perf_counter()
        cursor.execute(*g._history(first_id, size, now, g._plan.seed))
        history = time.perf_counter() - history
    done = time.perf_counter()
    with spent.get_lock():
        spent[0] += made - began
        spent[1] += done - made - history
        spent[2] += history
    return size


def timer(execute, sql, params, many, context):
    began = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        spent[2 if sql.startswith(HISTORY) else 1] += time.perf_counter() - began


def main(n: int):
    call_command("migrate", verbosity=0)
    g._copy_batch = timed_copy_batch  # the workers are forked after this
    out = StringIO()
    began = time.perf_counter()
    with connection.execute_wrapper(timer):
        call_command("generate_corpus", articles=n, workers=2, stdout=out)
    total = time.perf_counter() - began
    print(out.getvalue())
    made, written, history = spent
    if connection.vendor == "postgresql":
        parts = f"batches' rows made {made:.1f} s, written {written:.1f} s"
    else:  # every statement is timed, the batches' and the rest (the recount)
        parts = f"all other statements {written:.1f} s"
    print(
        f"{connection.vendor}, {n:,} articles in {total:.1f} s: {parts}, "
        f"history {history:.1f} s = {history / n * 1000:.3f} ms an article "
        f"(summed over the workers)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
