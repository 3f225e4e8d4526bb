"""Look after the search index: say how it stands, rebuild it, keep it caught
up, and find and repair drift from the database (articles.search.sync)."""

import os
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from articles.models import SearchChange
from articles.search import sync
from articles.search.engine import EngineUnavailable, WriterBusy


class Command(BaseCommand):
    help = (
        "Without options, say how the search index stands. --rebuild builds it "
        "anew from the database (searches keep working meanwhile); --follow "
        "applies the database's changes as they come, until stopped; --check "
        "compares it with the database and repairs what differs."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rebuild", action="store_true")
        action.add_argument("--follow", action="store_true")
        action.add_argument("--check", action="store_true")
        parser.add_argument(
            "--no-repair",
            action="store_true",
            help="With --check: report drift only (exit status 1 if any).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="With --follow: seconds between looks at the outbox.",
        )
        parser.add_argument(
            "--threads", type=int, default=2, help="With --rebuild: indexing threads."
        )

    def handle(self, *args, **options):
        try:
            if options["rebuild"]:
                self.rebuild(options["threads"])
            elif options["follow"]:
                self.follow(options["interval"])
            elif options["check"]:
                self.find_drift(repair=not options["no_repair"])
            else:
                self.status()
        except EngineUnavailable as error:
            raise CommandError(
                f"{error} Build it with `manage.py search_index --rebuild`."
            ) from error

    def status(self):
        engine = sync.engine()
        pending = SearchChange.objects.count()
        oldest = SearchChange.objects.order_by("pk").first()
        self.stdout.write(f"Folder: {engine.root}")
        if not engine.exists():
            self.stdout.write("No index yet: build it with --rebuild.")
        else:
            searcher = engine.searcher()
            path = os.path.join(engine.root, engine.generation())
            self.stdout.write(
                f"Generation {engine.generation()}: {searcher.num_docs:,} articles "
                f"in {searcher.num_segments} segments, {_size(path) / 1e6:,.1f} MB."
            )
        waiting = f"{pending:,} changes waiting to be applied"
        if oldest is not None:
            age = (timezone.now() - oldest.changed_at).total_seconds()
            waiting += f", the oldest for {age:,.0f} s"
        self.stdout.write(waiting + ".")

    def rebuild(self, threads):
        started = time.monotonic()

        def progress(done, elapsed):
            if done % 50_000 < 2_000:
                self.stdout.write(f"  {done:,} articles ({done / elapsed:,.0f}/s)")

        total = sync.rebuild(threads=threads, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {total:,} articles in {elapsed:.1f} s "
                f"({total / max(elapsed, 1e-9):,.0f}/s); the new index is served."
            )
        )

    def follow(self, interval):
        stopping = []
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stopping.append(True))
        self.stdout.write(f"Following the outbox every {interval} s; Ctrl-C stops.")
        while not stopping:
            close_old_connections()
            try:
                done = sync.apply()
            except WriterBusy:
                done = 0  # another writer is at it
            except EngineUnavailable as error:
                raise CommandError(
                    f"{error} Build it with `manage.py search_index --rebuild`."
                ) from error
            if done:
                self.stdout.write(f"Applied {done:,} changed articles.")
            time.sleep(interval)
        self.stdout.write("Stopped.")

    def find_drift(self, *, repair):
        drift = sync.check()
        found = sum(len(ids) for ids in drift.values())
        for kind, label in [
            ("missing", "missing from the index"),
            ("extra", "in the index but not in the database"),
            ("stale", "indexed as they were before a change"),
        ]:
            ids = drift[kind]
            if ids:
                shown = ", ".join(str(pk) for pk in ids[:10])
                more = f" and {len(ids) - 10:,} more" if len(ids) > 10 else ""
                self.stdout.write(f"{len(ids):,} articles {label}: {shown}{more}.")
        if not found:
            self.stdout.write(self.style.SUCCESS("The index matches the database."))
            return
        if not repair:
            raise CommandError(f"{found:,} articles differ; run --check to repair.")
        repaired = sync.repair(drift)
        self.stdout.write(self.style.SUCCESS(f"Repaired {repaired:,} articles."))


def _size(path) -> int:
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(path)
        for name in names
    )
