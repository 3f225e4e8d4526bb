"""Fill an empty archive with a synthetic but realistic corpus, fast.

The outlets, people and topics are created first; the articles, their links and
quotes come from articles.corpus in numbered batches, each a pure function of
the seed and its number, and are written with COPY on PostgreSQL (by one worker
process a core, each on its own connection, with the secondary indexes dropped
for the load and rebuilt after it) and with executemany elsewhere. The same
seed gives the same corpus, whatever the number of workers.
"""

import multiprocessing
import os
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from articles import corpus
from articles.backup import reset_sequences
from articles.cache import bump
from articles.counts import recount_all
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Outlet,
    Person,
    Quote,
    Topic,
)
from articles.text import ascii_slug

# The tables a batch fills, in order, with their columns and the batch's rows.
TABLES = [
    (Article, corpus.ARTICLE_COLUMNS, "articles"),
    (ArticlePerson, corpus.PERSON_LINK_COLUMNS, "people"),
    (ArticleTopic, corpus.TOPIC_LINK_COLUMNS, "topics"),
    (Quote, corpus.QUOTE_COLUMNS, "quotes"),
]


def _tables(rows: corpus.Rows):
    """(table name, column names, rows) for each table a batch fills."""
    for model, columns, attr in TABLES:
        yield model._meta.db_table, columns, getattr(rows, attr)


_plan: corpus.Plan | None = None
_connection = None


def _start_worker(plan, params):
    import psycopg

    global _plan, _connection
    _plan = plan
    _connection = psycopg.connect(**params, options="-c synchronous_commit=off")


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
        # Workers need the outlets, people and topics committed, and their
        # connections cannot see into a transaction this one is in (a test's).
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.copy_batches(plan, jobs, options["workers"], started)
        else:
            self.insert_batches(plan, jobs, started)
        recount_all()  # rows written without signals: count them here
        bump()  # and forget cached pages
        reset_sequences([Article])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
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

    def copy_batches(self, plan, jobs, workers, started):
        """Write the batches with COPY from worker processes, the tables' secondary
        indexes dropped meanwhile: building an index once over a million rows is
        far cheaper than updating it row by row."""
        tables = [model._meta.db_table for model, _, _ in TABLES]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes i "
                "WHERE tablename = ANY(%s) AND schemaname = current_schema() "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname)",
                [tables],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        params = connection.get_connection_params()
        connection.close()  # the workers must not share this process's socket
        total = sum(job[2] for job in jobs)
        written = 0
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, _start_worker, (plan, params)) as pool:
                for size in pool.imap(_copy_batch, jobs):
                    written += size
                    self.report(written, total, started)
        finally:
            self.stdout.write(f"Rebuilding {len(indexes)} indexes…")
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '512MB'")
                for _, definition in indexes:
                    cursor.execute(definition)

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
