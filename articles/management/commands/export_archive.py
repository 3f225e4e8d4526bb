import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from articles.backup import FORMAT, VERSION, export_archive


class Command(BaseCommand):
    help = (
        f"Write the whole archive to PATH as a {FORMAT} file (version {VERSION}: "
        "gzip-compressed JSON Lines, see docs/operations.md), for backups and for "
        "moving an archive between databases. Restore it with import_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to write, e.g. archive.jsonl.gz.")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace PATH if it exists (only once the new export is complete).",
        )
        parser.add_argument(
            "--compresslevel",
            type=int,
            default=6,
            choices=range(1, 10),
            metavar="1-9",
            help="gzip level: 1 is fastest, 9 smallest (default 6).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, overwrite, compresslevel, database, **options):
        from pathlib import Path

        target = Path(path)
        if target.exists() and not overwrite:
            raise CommandError(
                f"{target} exists; choose another name or pass --overwrite."
            )
        if target.is_dir():
            raise CommandError(f"{target} is a directory; give a file name.")
        started = time.perf_counter()
        try:
            result = export_archive(target, using=database, compresslevel=compresslevel)
        except OSError as error:
            raise CommandError(f"Could not write {target}: {error}") from error
        elapsed = time.perf_counter() - started
        listed = ", ".join(f"{n:,} {kind}" for kind, n in result.counts.items() if n)
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {sum(result.counts.values()):,} records to {target} "
                f"({result.size / 1e6:,.1f} MB) in {elapsed:.1f} s: {listed}."
            )
        )
