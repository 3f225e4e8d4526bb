import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from articles.backup import FORMAT, ArchiveError, import_archive


class Command(BaseCommand):
    help = (
        f"Restore a {FORMAT} file written by export_archive into an empty, "
        "migrated database, all or nothing, then rebuild the counts. Refuses a "
        "database that already holds archive rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file export_archive wrote.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Rows inserted per statement batch (default 2000).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, batch_size, database, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()
        try:
            result = import_archive(path, using=database, batch_size=batch_size)
        except ArchiveError as error:
            raise CommandError(str(error), returncode=2) from error
        except OSError as error:
            raise CommandError(f"Could not read {path}: {error}") from error
        elapsed = time.perf_counter() - started
        listed = ", ".join(f"{n:,} {kind}" for kind, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {sum(result.counts.values()):,} records from {path} in "
                f"{elapsed:.1f} s: {listed}."
            )
        )
        if result.users_created:
            self.stdout.write(
                f"Created {len(result.users_created)} inactive accounts without "
                f"passwords for the users the archive names: "
                f"{', '.join(result.users_created)}. Activate those who still "
                "work here and set their passwords and groups in the admin."
            )
