import getpass
import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.ingest.service import (
    REJECTED,
    Importer,
    Report,
    default_workers,
    finish_batch,
    path_sources,
    start_batch,
)
from articles.models import Article, ImportBatch, Outlet

# The shell's exit code for a program stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130


class Command(BaseCommand):
    help = (
        "Import articles from plain-text pages, saved HTML pages and JSON Lines "
        "files (a folder is read recursively). Exit code 0: nothing rejected; 1: "
        "some input rejected (the rest imported); 2: wrong usage; 130: "
        "interrupted (what was done is kept; run it again for the rest)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="parse and report, write nothing",
        )
        parser.add_argument(
            "--report",
            choices=["text", "json"],
            default="text",
            help="json: a machine-readable report on stdout instead of the summary",
        )
        parser.add_argument(
            "--outlet",
            metavar="SLUG",
            help="the outlet of inputs that name none",
        )
        parser.add_argument(
            "--status",
            choices=Article.Status.values,
            default=Article.Status.DRAFT,
            help="status of imported articles (default: draft)",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            metavar="N",
            help="refuse files larger than N bytes (default: IMPORT_MAX_BYTES, 5 MB)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            metavar="N",
            default=default_workers(),
            help="processes that parse and analyse an import of 400 items or more "
            "(default: one a CPU core; 1: all in this process)",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="the account the import is recorded as (in its report and the "
            "articles' history; default: the system user running the command)",
        )

    def handle(
        self,
        *args,
        paths,
        dry_run,
        report,
        outlet,
        status,
        max_bytes,
        workers,
        user=None,
        **options,
    ):
        default_outlet = None
        if outlet:
            default_outlet = Outlet.objects.filter(slug=outlet).first()
            if default_outlet is None:
                raise CommandError(
                    f"No outlet with the slug “{outlet}”. "
                    "Create it in the admin first.",
                    returncode=2,
                )
        if max_bytes is not None and max_bytes < 1:
            raise CommandError("--max-bytes must be a positive number.", returncode=2)
        if workers < 1:
            raise CommandError("--workers must be a positive number.", returncode=2)
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No account “{user}”.", returncode=2)

        result = Report()
        batch = None
        if not dry_run:
            batch = start_batch(
                origin=ImportBatch.Origin.COMMAND,
                sources=[str(path) for path in paths],
                status=status,
                user=account,
                started_by=system_user(),
            )
        try:
            self.import_into(
                result,
                paths,
                report=report,
                importer=Importer(
                    default_outlet=default_outlet,
                    status=status,
                    dry_run=dry_run,
                    max_bytes=max_bytes,
                    workers=workers,
                    batch=batch,
                ),
            )
        except KeyboardInterrupt:
            if batch is not None:
                finish_batch(batch, result)
            # Each batch is one transaction: the one in flight was rolled back,
            # the ones before it are in, and a re-run skips them as duplicates.
            if dry_run:
                self.stderr.write("Interrupted. Dry run, nothing written.")
            else:
                counts = ", ".join(
                    f"{n} {name}" for name, n in result.summary().items()
                )
                self.stderr.write(
                    "Interrupted. The batches written before the stop are kept "
                    f"({counts} reported so far); the batch being written at the "
                    "stop was undone whole. Run the same command again for the "
                    "rest: what is already in is reported as duplicate."
                )
            sys.exit(INTERRUPTED)

        if batch is not None:
            finish_batch(batch, result)
        if report == "json":
            payload = json.dumps(result.as_dict(), ensure_ascii=False, indent=2)
            self.stdout.write(payload)
        else:
            counts = ", ".join(
                f"{n} {status}" for status, n in result.summary().items()
            )
            prefix = "Dry run, nothing written: " if dry_run else ""
            self.stdout.write(f"{prefix}{counts}.")
            if batch is not None:
                self.stdout.write(
                    f"Kept as import batch {batch.pk}: its report is in the admin, "
                    "under Import batches, and its articles' history names it."
                )
        if result.rejected:
            sys.exit(1)

    def import_into(self, result: Report, paths, *, report: str, importer: Importer):
        """Import the paths, adding each item to result as it is done."""
        items = importer.run(path_sources(paths, max_bytes=importer.max_bytes))
        progress = tqdm(
            items,
            desc="Importing",
            unit=" articles",
            file=sys.stderr,
            disable=None,  # only on a terminal
        )
        try:
            for item in progress:
                result.items.append(item)
                if report == "text" and (item.status == REJECTED or item.warnings):
                    progress.write(describe(item), file=sys.stderr)
        finally:
            progress.close()
            # Ends the worker processes now, not when the generator is collected.
            items.close()


def system_user() -> str:
    """Return who runs the command, as the operating system knows them."""
    try:
        return f"{getpass.getuser()} (import_articles)"
    except (KeyError, OSError):
        return "import_articles"


def describe(item) -> str:
    error = f": {item.error}" if item.error else ""
    lines = [f"{item.status}: {item.source}{error}"]
    lines += [f"  warning: {warning}" for warning in item.warnings]
    return "\n".join(lines)
