"""Measure the JSON API's latency in-process against the current database.

Each scenario's requests go through Django's test client (URL routing,
middleware, DRF, serialisation: everything but the network and the WSGI
server), with throttling off. Timings are taken without query capture; the
number of SQL queries per request is counted on separate requests.
"""

import random
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from articles.models import Article, ArticlePerson, ArticleTopic, LinkState

API = "/api/v1/articles/"


@dataclass
class Scenario:
    name: str
    urls: list[str]
    timings: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.timings)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]


class Command(BaseCommand):
    help = (
        "Time the article API (list, deep page, filtered list, searches, detail) "
        "against the current database and print p50, p95 and max latency per "
        "scenario with the SQL queries per request. Read-only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--depth",
            type=int,
            default=20,
            help="Pages to follow through `next` for the deep-page scenario.",
        )
        parser.add_argument(
            "--only", nargs="*", help="Run only these scenarios (by name)."
        )

    def handle(self, *args, **options):
        if not Article.objects.published().exists():
            raise CommandError(
                "No published articles to benchmark; fill the archive first "
                "(e.g. manage.py generate_corpus --articles 100000)."
            )
        self.rng = random.Random(options["seed"])
        self.client = Client(HTTP_HOST="localhost")
        with override_settings(API_ANON_RATE="", DEBUG=False):
            scenarios = self.scenarios(options["depth"])
            if options["only"]:
                scenarios = [s for s in scenarios if s.name in options["only"]]
            for scenario in scenarios:
                self.run(scenario, options["requests"], options["warmup"])
        self.report(scenarios, options)

    def get(self, url: str):
        response = self.client.get(url)
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}.")
        return response

    def scenarios(self, depth: int) -> list[Scenario]:
        rng = self.rng
        published = Article.objects.published()
        # The deep page: follow `next` from the first page, as a client would.
        url = API
        for _ in range(depth):
            url = self.get(url).json()["next"]
            if url is None:
                raise CommandError(f"The list has fewer than {depth + 1} pages.")
        parts = urlsplit(url)
        deep = f"{parts.path}?{parts.query}"

        # Filtered lists: outlet and topic pairs that have articles.
        pairs = sorted(
            ArticleTopic.objects.filter(
                state=LinkState.CONFIRMED, article__status="published"
            )
            .values_list("article__outlet__slug", "topic__slug")
            .order_by()
            .distinct()
        )
        filtered = [
            f"{API}?"
            + urlencode(
                {"outlet": outlet, "topic": topic, "published_after": "2015-01-01"}
            )
            for outlet, topic in rng.sample(pairs, min(20, len(pairs)))
        ]

        # Searches: surnames of people mentioned in articles, and two-word queries
        # made of a surname and a word from a title.
        names = list(
            ArticlePerson.objects.exclude(role=ArticlePerson.Role.AUTHOR)
            .values_list("person__name", flat=True)
            .distinct()
        )
        surnames = sorted({n.split(" ", 1)[1] for n in names})
        surname_urls = [
            f"{API}?{urlencode({'q': s})}"
            for s in rng.sample(surnames, min(20, len(surnames)))
        ]
        # Random published articles, the same for the same seed.
        all_ids = sorted(published.values_list("pk", flat=True))
        ids = rng.sample(all_ids, min(200, len(all_ids)))
        titles = list(
            Article.objects.filter(pk__in=ids[:20])
            .order_by("pk")
            .values_list("title", flat=True)
        )
        two_words = []
        for title in titles:
            words = [w for w in title.split() if len(w) > 4]
            query = f"{words[0]} {words[-1]}" if len(words) >= 2 else title
            two_words.append(f"{API}?{urlencode({'q': query})}")

        details = [f"{API}{pk}/" for pk in ids]
        return [
            Scenario("list", [API]),
            Scenario(f"deep page (page {depth + 1})", [deep]),
            Scenario("filtered list", filtered),
            Scenario("search: surname", surname_urls),
            Scenario("search: two words", two_words),
            Scenario("detail", details),
        ]

    def run(self, scenario: Scenario, requests: int, warmup: int):
        urls = scenario.urls
        for i in range(warmup):
            self.get(urls[i % len(urls)])
        for i in range(requests):
            url = urls[i % len(urls)]
            started = time.perf_counter()
            self.get(url)
            scenario.timings.append((time.perf_counter() - started) * 1000)
        for url in urls[: min(len(urls), 20)]:
            with CaptureQueriesContext(connection) as captured:
                self.get(url)
            scenario.queries.append(len(captured))

    def report(self, scenarios, options):
        self.stdout.write(
            f"{Article.objects.count():,} articles "
            f"({Article.objects.published().count():,} published) on "
            f"{connection.vendor}; {options['requests']} requests per scenario "
            f"after {options['warmup']} to warm up.\n"
        )
        self.stdout.write(
            "| Scenario | p50 ms | p95 ms | max ms | SQL queries per request |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: |")
        for s in scenarios:
            low, high = min(s.queries), max(s.queries)
            queries = str(low) if low == high else f"{low}–{high}"
            self.stdout.write(
                f"| {s.name} | {statistics.median(s.timings):.1f} | "
                f"{s.percentile(95):.1f} | {max(s.timings):.1f} | {queries} |"
            )
