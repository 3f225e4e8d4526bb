"""Fill an empty archive with a synthetic but realistic corpus, fast.

The outlets, people and topics are created first; the articles, their links and
quotes come from articles.corpus in numbered batches, each a pure function of
the seed and its number, and are written with COPY on PostgreSQL (by one worker
process a core, each on its own connection, with the secondary indexes dropped
for the load and rebuilt after it) and with executemany elsewhere. The same
seed gives the same corpus, whatever the number of workers. Last, the search
index is built from the database (articles.search.sync.rebuild).
"""

import multiprocessing
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from articles import corpus
from articles.backup import reset_sequences
from articles.cache import bump
from articles.counts import recount, recount_all
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Outlet,
    Person,
    Quote,
    Topic,
)
from articles.search import sync
from articles.text import ascii_slug

# The tables a batch fills, in order, with their columns and the batch's rows.
TABLES = [
    (Article, corpus.ARTICLE_COLUMNS, "articles"),
    (ArticlePerson, corpus.PERSON_LINK_COLUMNS, "people"),
    (ArticleTopic, corpus.TOPIC_LINK_COLUMNS, "topics"),
    (Quote, corpus.QUOTE_COLUMNS, "quotes"),
]
LOADED = [model for model, _, _ in TABLES]
COUNTED = (Outlet, Person, Topic)  # their published articles

# The workers' sessions: no wait for the disk at each commit (a crash loses the
# last batches, not consistency), no search outbox rows (the index is built
# whole afterwards, see migration 0020), and bodies compressed with lz4 rather
# than pglz (where the server has it), several times faster to write and to
# read.
LOADING = "-c synchronous_commit=off -c archive.bulk_load=on"
LZ4 = " -c default_toast_compression=lz4"


def loading_options(params) -> str:
    """The workers' session options, tried on a connection of their own first:
    a worker that cannot connect would be started again and again."""
    import psycopg

    try:
        with psycopg.connect(**params, options=LOADING) as db:
            (lz4,) = db.execute(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'"
            ).fetchone()
    except psycopg.Error as error:
        raise CommandError(
            f"The workers could not open a connection to PostgreSQL: {error}"
        ) from error
    return LOADING + (LZ4 if lz4 else "")


def _tables(rows: corpus.Rows):
    """(table name, column names, rows) for each table a batch fills."""
    for model, columns, attr in TABLES:
        yield model._meta.db_table, columns, getattr(rows, attr)


_plan: corpus.Plan | None = None
_connection = None


def _start_worker(plan, params, options):
    import psycopg

    global _plan, _connection
    _plan = plan
    _connection = psycopg.connect(**params, autocommit=True, options=options)


def _copy_batch(job) -> int:
    """Make batch `number` and write it on this worker's own connection, in one
    transaction."""
    number, first_id, size, now = job
    rows = _plan.batch(number, first_id, size, now)
    with _connection.transaction(), _connection.cursor() as cursor:
        for table, columns, rows_of in _tables(rows):
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows_of:
                    copy.write_row(row)
    return size


class Command(BaseCommand):
    help = (
        "Fill an empty archive with N synthetic articles (with outlets, people, "
        "topics, links and quotes) for benchmarks. Refuses to touch an archive "
        "that has any articles, outlets, people or topics."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--outlets", type=int, default=200)
        parser.add_argument("--people", type=int, default=20_000)
        parser.add_argument("--topics", type=int, default=2_000)
        parser.add_argument("--batch-size", type=int, default=2_000)
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes making and writing batches on PostgreSQL (default: "
            "one a core).",
        )

    def handle(self, *args, **options):
        n = options["articles"]
        for name in (
            "articles",
            "outlets",
            "people",
            "topics",
            "batch_size",
            "workers",
        ):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        filled = [
            str(model._meta.verbose_name_plural)
            for model in (Article, Outlet, Person, Topic)
            if model.objects.exists()
        ]
        if filled:
            raise CommandError(
                "generate_corpus only fills an empty archive, and this one already "
                f"has {', '.join(filled)}. Use a fresh database (createdb, then "
                "migrate) for benchmarks."
            )
        # Workers need the outlets, people and topics committed, and their
        # connections cannot see into a transaction this one is in (a test's).
        copying = connection.vendor == "postgresql" and not connection.in_atomic_block
        if copying:  # before anything is written
            loading = loading_options(connection.get_connection_params())
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        with transaction.atomic():
            outlets = self.make_outlets(options["outlets"])
            people = self.make_people(rng, options["people"])
            topics = self.make_topics(options["topics"])
        plan = corpus.Plan(
            options["seed"],
            outlets=[(o.pk, o.domains[0], city, o.language) for o, city in outlets],
            people=[(p.pk, p.name) for p in people],
            topics=[t.pk for t in topics],
        )
        size = options["batch_size"]
        now = timezone.now()
        jobs = [
            (number, first + 1, min(size, n - first), now)
            for number, first in enumerate(range(0, n, size))
        ]
        if copying:
            self.copy_batches(plan, jobs, options["workers"], loading, started)
        else:
            self.insert_batches(plan, jobs, started)
            recount_all()  # rows written without signals: count them here
        bump()  # and forget cached pages
        reset_sequences([Article])
        self.build_index(options["workers"])
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {n:,} articles, {len(outlets)} outlets, "
                f"{len(people):,} people and {len(topics):,} topics "
                f"in {elapsed:.1f} s."
            )
        )

    def insert_batches(self, plan, jobs, started):
        total = sum(job[2] for job in jobs)
        written = 0
        for number, first_id, size, now in jobs:
            rows = plan.batch(number, first_id, size, now)
            with transaction.atomic(), connection.cursor() as cursor:
                for table, columns, rows_of in _tables(rows):
                    names = ", ".join(connection.ops.quote_name(c) for c in columns)
                    table = connection.ops.quote_name(table)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({marks})", rows_of
                    )
            written += size
            self.report(written, total, started)

    def copy_batches(self, plan, jobs, workers, loading, started):
        """Write the batches with COPY from worker processes, then finish().

        Meanwhile the tables' indexes and foreign keys are dropped: building
        an index or checking a key once over a million rows is far cheaper
        than row by row."""
        tables = [model._meta.db_table for model in LOADED]
        params = connection.get_connection_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef, tablename FROM pg_indexes i "
                "WHERE tablename = ANY(%s) AND schemaname = current_schema() "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname)",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = ANY(%s::regclass[])",
                [tables],
            )
            keys = cursor.fetchall()
            for name, *_ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            for table, name, _ in keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        connection.close()  # the workers must not share this process's socket
        total = sum(job[2] for job in jobs)
        written = 0
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, _start_worker, (plan, params, loading)) as pool:
                for size in pool.imap(_copy_batch, jobs):
                    written += size
                    self.report(written, total, started)
        finally:
            self.finish(indexes, keys, params, workers)

    def finish(self, indexes, keys, params, workers):
        """Count the published articles of every outlet, person and topic and
        build the tables' indexes again, `workers` at a time; then add the
        foreign keys back (each locks its tables against index builds), and
        vacuum and analyse the tables."""
        import psycopg

        def run(statement):
            with psycopg.connect(**params, autocommit=True) as db:
                db.execute("SET maintenance_work_mem = '512MB'")
                db.execute(statement)

        def recount_of(model):
            def recount_all_of_them():
                try:
                    recount(model)
                finally:
                    connection.close()  # this thread's

            return recount_all_of_them

        def in_parallel(tasks):
            with ThreadPoolExecutor(workers) as pool:
                began = time.perf_counter()
                running = {
                    pool.submit(*([task] if callable(task) else [run, task])): name
                    for name, task in tasks
                }
                for done in as_completed(running):
                    done.result()
                    elapsed = time.perf_counter() - began
                    self.stdout.write(f"  {running[done]} (after {elapsed:.0f} s)")

        self.stdout.write(
            f"Building {len(indexes)} indexes, counting, adding {len(keys)} "
            f"foreign keys, {workers} at a time…"
        )
        began = time.perf_counter()
        in_parallel(  # the longest first
            [(f"{model.__name__} counts", recount_of(model)) for model in COUNTED[::-1]]
            + [(name, sql) for name, sql, table in indexes]
        )
        in_parallel(
            (name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table, name, definition in keys
        )
        # Vacuumed as well as analysed: until a table is vacuumed, an index-only
        # scan of it (an entity's links) still reads the table, and autovacuum
        # may take a while to come round.
        in_parallel(
            (f"vacuumed {table}", f"VACUUM (ANALYZE) {table}")
            for table in (m._meta.db_table for m in (*LOADED, *COUNTED))
        )
        self.stdout.write(f"Finished in {time.perf_counter() - began:.1f} s.")

    def build_index(self, threads):
        """Build the search index from what was written (a new generation,
        served when complete)."""
        began = time.perf_counter()

        def progress(done, elapsed):
            if done % 100_000 < 2_000:
                self.stdout.write(f"  indexed {done:,} ({done / elapsed:,.0f}/s)")

        total = sync.rebuild(threads=threads, progress=progress)
        elapsed = time.perf_counter() - began
        self.stdout.write(
            f"Search index: {total:,} articles in {elapsed:.1f} s "
            f"({total / max(elapsed, 1e-9):,.0f}/s)."
        )

    def report(self, written, total, started):
        if written % 100_000 < 2_000 or written == total:
            rate = written / (time.perf_counter() - started)
            self.stdout.write(f"{written:,} articles ({rate:,.0f}/s)")

    def make_outlets(self, count):
        specs = corpus.outlet_specs(count)
        outlets = Outlet.objects.bulk_create(
            Outlet(
                name=spec["name"],
                slug=ascii_slug(spec["name"]),
                homepage=f"https://{spec['domain']}/",
                domains=[spec["domain"]],
                country=spec["country"],
                language=spec["language"],
                ownership=spec["ownership"],
                description=f"{spec['name']}, a news outlet based in "
                f"{spec['city'].title()}.",
            )
            for spec in specs
        )
        return [(o, spec["city"]) for o, spec in zip(outlets, specs, strict=True)]

    def make_people(self, rng, count):
        people, slugs = [], set()
        for name in corpus.person_names(rng, count):
            first, surname = name.split(" ", 1)
            aliases = [f"{first[0]}. {surname}"]
            if corpus.respell(name) != name:
                aliases.append(corpus.respell(name))
            slug = ascii_slug(name)
            while slug in slugs:
                slug += "-2"
            slugs.add(slug)
            people.append(
                Person(
                    name=name,
                    slug=slug,
                    aliases=aliases,
                    description=rng.choice(corpus.ROLES),
                )
            )
        return Person.objects.bulk_create(people, batch_size=2000)

    def make_topics(self, count):
        """The topic tree, a level at a time so that parents exist first."""
        made: dict[str, Topic] = {}
        pending = corpus.topic_tree(count)
        while pending:
            level = [(n, p) for n, p in pending if p is None or p in made]
            created = Topic.objects.bulk_create(
                Topic(name=name, slug=ascii_slug(name), parent=made.get(parent))
                for name, parent in level
            )
            made.update((t.name, t) for t in created)
            pending = [(n, p) for n, p in pending if n not in made]
        return list(made.values())
