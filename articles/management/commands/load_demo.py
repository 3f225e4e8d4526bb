from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article

DEMO_FIXTURE = "fixtures/demo.json"


class Command(BaseCommand):
    help = (
        "Load the demo collection (fixtures/demo.json) into an empty archive. "
        "An archive that already holds articles is left as it is, so curators' "
        "edits are never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when the archive holds articles (demo records are reset).",
        )

    def handle(self, *args, force=False, **options):
        if not force and Article.objects.exists():
            self.stdout.write(
                "The archive already holds articles; demo data not loaded."
            )
            return
        # The archive's loaddata recounts what it loaded (commands/loaddata.py).
        call_command("loaddata", DEMO_FIXTURE, verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {Article.objects.count()} demo articles.")
        )
