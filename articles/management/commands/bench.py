"""Measure the public site, search, the admin and the API in-process.

Each scenario's requests go through Django's test client (URL routing,
middleware, views, templates, DRF, serialisation: everything but the network
and the WSGI server), with DEBUG and the API throttle off. Timings are taken
without query capture; the SQL queries per request are counted on separate
requests. Every URL is sampled from the data with a seeded generator, so the
same seed on the same data asks the same questions.

The admin is measured as an editor created for the run and force-logged in
inside a transaction that is rolled back, so the user, their session and any
login records leave no trace.
"""

import datetime as dt
import fnmatch
import os
import platform
import random
import re
import shlex
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article, ArticlePerson, ArticleTopic, LinkState, Person
from articles.pagination import estimated_row_count

API = "/api/v1/articles/"
# The issues' targets for p95 server time, in milliseconds: a page, a search
# (its results page with count, chart, facets and snippets, or the API's), the
# admin, and the workbench's comparisons and "what it is about".
TARGETS = {"page": 100, "search": 100, "admin": 300, "workbench": 300}
GROUPS = ["site", "search", "workbench", "admin", "api"]
EDITORS = "Editors"  # the admin is measured as a member of this group
# Scenarios count queries on this many of their distinct URLs at most.
QUERY_SAMPLES = 20
WORD = re.compile(r"[^\W\d_]{4,}")
PHRASE_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass
class Scenario:
    name: str
    group: str
    target: str | None  # a key of TARGETS, or None when the issue sets none
    build: object  # () -> list of URLs; called only for scenarios that run
    urls: list[str] = field(default_factory=list)
    timings: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.timings)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def matches(self, patterns: list[str]) -> bool:
        return any(
            fnmatch.fnmatchcase(self.name, p) or self.group == p for p in patterns
        )


@dataclass
class Query:
    """A search query chosen from the data, with how many published articles the
    search itself finds for it."""

    text: str
    matches: int


class Command(BaseCommand):
    help = (
        "Time the public site, search, the admin changelist and the API against "
        "the current database: p50, p95 and max server time and SQL queries per "
        "request, per scenario, as a markdown table. Leaves the database as found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=100)
        parser.add_argument("--warmup", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--sample",
            type=int,
            default=300,
            help="Published articles sampled for URLs and search words.",
        )
        parser.add_argument(
            "--depth",
            type=int,
            default=20,
            help="API pages to follow through `next` for the deep-page scenario.",
        )
        parser.add_argument(
            "--only",
            nargs="*",
            metavar="NAME",
            help=f"Run only these scenarios: names, shell patterns (api-search-*) "
            f"or groups ({', '.join(GROUPS)}).",
        )
        parser.add_argument(
            "--list", action="store_true", help="List the scenarios and stop."
        )
        parser.add_argument(
            "--cached",
            action="store_true",
            help="Leave the page cache on (by default it is off, so that every "
            "request does its work: the time a reader waits after a change).",
        )

    def handle(self, *args, **options):
        if options["requests"] < 1 or options["warmup"] < 0 or options["sample"] < 1:
            raise CommandError("Give at least one request and one sampled article.")
        self.options = options
        self.rng = random.Random(options["seed"])
        scenarios = self.scenarios()
        if options["list"]:
            for s in scenarios:
                self.stdout.write(f"{s.group:7} {s.name}")
            return
        if options["only"]:
            scenarios = [s for s in scenarios if s.matches(options["only"])]
            if not scenarios:
                raise CommandError(
                    f"No scenario matches {' '.join(options['only'])}; see --list."
                )
        if not Article.objects.published().exists():
            raise CommandError(
                "No published articles to benchmark; fill the archive first "
                "(e.g. manage.py generate_corpus --articles 100000)."
            )
        self.client = Client(HTTP_HOST="localhost")
        self.started, self.load_at_start = timezone.now(), self.load()
        with override_settings(
            API_ANON_RATE="",
            API_ANON_SEARCH_RATE="",
            API_ANON_EXPORT_RATE="",
            SITE_SEARCH_RATE="",
            DEBUG=False,
            CACHE_PAGES=options["cached"],
        ):
            for s in scenarios:
                s.urls = s.build()
                if not s.urls:
                    raise CommandError(f"{s.name}: the data gives no URL to request.")
            self.report_queries()
            for group in GROUPS:
                chosen = [s for s in scenarios if s.group == group]
                if not chosen:
                    continue
                if group == "admin":
                    with self.admin_session():
                        self.run_all(chosen)
                else:
                    self.run_all(chosen)
        self.report(scenarios)

    def run_all(self, scenarios):
        for s in scenarios:
            self.stderr.write(f"  {s.name} ({len(s.urls)} URLs)")
            self.run(s)

    # Requests

    def get(self, scenario: Scenario, url: str) -> bytes:
        """Return the body of a 200 response, consumed to its last byte; any
        other answer stops the run."""
        response = self.client.get(url)
        if response.status_code != 200:
            raise CommandError(
                f"{scenario.name}: GET {url} answered {response.status_code}, not 200."
            )
        if response.streaming:
            return b"".join(response.streaming_content)
        return response.content

    def run(self, scenario: Scenario):
        urls, requests = scenario.urls, self.options["requests"]
        for i in range(self.options["warmup"]):
            self.get(scenario, urls[i % len(urls)])
        for i in range(requests):
            url = urls[i % len(urls)]
            started = time.perf_counter()
            self.get(scenario, url)
            scenario.timings.append((time.perf_counter() - started) * 1000)
        for url in urls[: min(len(urls), QUERY_SAMPLES, max(1, requests))]:
            with CaptureQueriesContext(connection) as captured:
                body = self.get(scenario, url)
            scenario.queries.append(len(captured))
            scenario.lines.append(body.count(b"\n"))

    def admin_session(self):
        return AdminSession(self.client)

    # Data sampled for the URLs

    @cached_property
    def sample(self) -> list[Article]:
        """Return published articles drawn at random (seeded), by primary key."""
        ids = sorted(Article.objects.published().values_list("pk", flat=True))
        chosen = self.rng.sample(ids, min(self.options["sample"], len(ids)))
        by_pk = Article.objects.select_related("outlet").in_bulk(chosen)
        return [by_pk[pk] for pk in chosen]

    @cached_property
    def dated(self) -> list[Article]:
        return [a for a in self.sample if a.published_at is not None]

    def links(self, model, related: str) -> dict[int, list]:
        """Return {article pk: [confirmed linked objects]} for the sample."""
        rows = (
            model.objects.filter(
                article__in=[a.pk for a in self.sample], state=LinkState.CONFIRMED
            )
            .select_related(related)
            .order_by("pk")
        )
        linked = {}
        for row in rows:
            linked.setdefault(row.article_id, []).append(getattr(row, related))
        return linked

    @cached_property
    def topics(self) -> dict[int, list]:
        return self.links(ArticleTopic, "topic")

    @cached_property
    def people(self) -> dict[int, list]:
        return self.links(ArticlePerson, "person")

    def distinct(self, objects, limit=QUERY_SAMPLES) -> list:
        return list(dict.fromkeys(objects))[:limit]

    def year_range(self, article) -> tuple[dt.date, dt.date]:
        year = timezone.localtime(article.published_at, dt.UTC).year
        return dt.date(year, 1, 1), dt.date(year, 12, 31)

    def site_list(self, linked=None, param=None) -> list[str]:
        """Article lists narrowed by a sampled article's outlet, topic or person
        and the year it was published in, so that each finds it at least."""
        urls = []
        for article in self.dated:
            start, end = self.year_range(article)
            if param is None:
                value = article.outlet.slug
            elif linked.get(article.pk):
                value = linked[article.pk][0].slug
            else:
                continue
            query = {param or "outlet": value, "date_from": start, "date_to": end}
            urls.append(f"{reverse('articles:article-list')}?{urlencode(query)}")
        return self.distinct(urls)

    def entity_pages(self, objects) -> list[str]:
        return self.distinct(o.get_absolute_url() for o in objects)

    def all_linked(self, linked) -> list:
        return [o for a in self.sample for o in linked.get(a.pk, [])]

    # Search words, chosen from the sampled articles' bodies

    def count_matches(self, q: str) -> int:
        return search.count(search.Question(text=search.parse(q)))

    @cached_property
    def document_frequency(self) -> Counter:
        return Counter(
            word
            for a in self.sample
            for word in {w.lower() for w in WORD.findall(a.body)}
        )

    @cached_property
    def common_words(self) -> list[Query]:
        """Return the words in the most sampled articles that the search finds
        (stop words find nothing on PostgreSQL and are passed over)."""
        chosen = []
        for word, _ in self.document_frequency.most_common(50):
            matches = self.count_matches(word)
            if matches:
                chosen.append(Query(word, matches))
            if len(chosen) == 3:
                break
        return chosen

    @cached_property
    def rare_words(self) -> list[Query]:
        """Return the words the search finds in fewest articles, among words seen in
        only one sampled article."""
        once = sorted(w for w, n in self.document_frequency.items() if n == 1)
        candidates = self.rng.sample(once, min(30, len(once)))
        counted = [Query(w, self.count_matches(w)) for w in candidates]
        counted = [q for q in counted if q.matches]
        return sorted(counted, key=lambda q: (q.matches, q.text))[:3]

    @cached_property
    def phrases(self) -> list[Query]:
        """Return quoted runs of two or three adjacent words from sampled bodies."""
        chosen = []
        for article in self.sample:
            words = article.body.split()
            if len(words) < 10:
                continue
            length = self.rng.choice([2, 3])
            start = self.rng.randrange(len(words) - length)
            run = [w.strip(".,;:!?\"'()«»“”‘’") for w in words[start : start + length]]
            if not all(PHRASE_WORD.fullmatch(w) for w in run):
                continue
            text = f'"{" ".join(run)}"'
            matches = self.count_matches(text)
            if matches:
                chosen.append(Query(text, matches))
            if len(chosen) == 3:
                break
        return chosen

    def report_queries(self):
        chosen = [
            (label, self.__dict__[name])
            for label, name in [
                ("common words", "common_words"),
                ("rare words", "rare_words"),
                ("phrases", "phrases"),
            ]
            if name in self.__dict__  # chosen only if a scenario asked for them
        ]
        if not chosen:
            return
        published = Article.objects.published().count()
        for label, queries in chosen:
            found = ", ".join(
                f"{q.text} ({q.matches:,} = {q.matches / published:.1%})"
                for q in queries
            )
            self.stdout.write(f"Search {label}, with the articles they match: {found}")

    def searches(self, kind: str, sort: str, api: bool = False) -> list[str]:
        queries = getattr(self, kind)
        if api:
            ordering = {"relevance": "relevance", "newest": "-published_at"}[sort]
            return [
                f"{API}?{urlencode({'q': q.text, 'ordering': ordering})}"
                for q in queries
            ]
        list_url = reverse("articles:article-list")
        return [f"{list_url}?{urlencode({'q': q.text, 'sort': sort})}" for q in queries]

    # The API

    def api_deep_page(self) -> list[str]:
        """Follow `next` from the first page, as a client would."""
        url = API
        for _ in range(self.options["depth"]):
            response = self.client.get(url)
            if response.status_code != 200:
                raise CommandError(
                    f"api-deep-page: GET {url} answered {response.status_code}."
                )
            url = response.json()["next"]
            if url is None:
                raise CommandError(
                    f"The API list has fewer than {self.options['depth'] + 1} pages; "
                    "lower --depth."
                )
        parts = urlsplit(url)
        return [f"{parts.path}?{parts.query}"]

    def api_filtered(self) -> list[str]:
        urls = []
        for article in self.dated:
            for topic in self.topics.get(article.pk, [])[:1]:
                start, _ = self.year_range(article)
                query = {
                    "outlet": article.outlet.slug,
                    "topic": topic.slug,
                    "published_after": start.replace(year=start.year - 3),
                }
                urls.append(f"{API}?{urlencode(query)}")
        return self.distinct(urls)

    def api_export(self) -> list[str]:
        """Export one outlet's articles of one year, as JSON Lines."""
        urls = []
        for article in self.dated:
            start, end = self.year_range(article)
            query = {
                "format": "jsonl",
                "outlet": article.outlet.slug,
                "published_after": start,
                "published_before": end + dt.timedelta(days=1),
            }
            urls.append(f"{API}export/?{urlencode(query)}")
        return self.distinct(urls, limit=5)

    def api_surnames(self) -> list[str]:
        names = sorted(
            {
                p.name.split(" ", 1)[-1]
                for a in self.sample
                for p in self.people.get(a.pk, [])
            }
        )
        return [f"{API}?{urlencode({'q': s})}" for s in names[:QUERY_SAMPLES]]

    def api_two_words(self) -> list[str]:
        urls = []
        for article in self.sample[:QUERY_SAMPLES]:
            words = [w for w in article.title.split() if len(w) > 4]
            query = f"{words[0]} {words[-1]}" if len(words) >= 2 else article.title
            urls.append(f"{API}?{urlencode({'q': query})}")
        return urls

    # The workbench

    def chart_csvs(self) -> list[str]:
        """Counts per month of searches of every kind, as CSV."""
        queries = self.common_words + self.rare_words + self.phrases
        url = reverse("articles:article-chart-csv")
        return [f"{url}?{urlencode({'q': q.text, 'unit': 'month'})}" for q in queries]

    def comparisons(self) -> list[str]:
        """Five searches on one axis: common and rare words, a phrase, an
        outlet and a topic, rotated."""
        series = [f"q={q.text}" for q in self.common_words + self.rare_words]
        series += [f"q={q.text}" for q in self.phrases]
        series += [f"outlet={a.outlet.slug}" for a in self.sample[:5]]
        series += [f"topic={t[0].slug}" for t in list(self.topics.values())[:5] if t]
        urls = []
        for start in range(min(10, len(series))):
            chosen = [series[(start + 3 * n) % len(series)] for n in range(5)]
            urls.append(
                f"{reverse('articles:compare')}?{urlencode([('s', c) for c in chosen])}"
            )
        return self.distinct(urls)

    def abouts(self) -> list[str]:
        url = reverse("articles:article-about")
        queries = self.common_words + self.rare_words + self.phrases
        return [f"{url}?{urlencode({'q': q.text})}" for q in queries]

    def name_suggestions(self) -> list[str]:
        """The pickers' suggestions as a reader types: the first four letters
        of sampled people's surnames, outlets' and topics' names."""
        surnames = [
            name.split()[-1][:4]
            for name in Person.objects.order_by("pk").values_list("name", flat=True)[
                :QUERY_SAMPLES
            ]
        ]
        outlets = [a.outlet.name[:4] for a in self.sample[:QUERY_SAMPLES]]
        topics = [
            t[0].name[:4] for t in list(self.topics.values())[:QUERY_SAMPLES] if t
        ]
        urls = []
        for kind, prefixes in (
            ("people", surnames),
            ("outlets", outlets),
            ("topics", topics),
        ):
            url = reverse("articles:names", args=[kind])
            urls += [f"{url}?{urlencode({'q': p})}" for p in prefixes]
        return self.distinct(urls)

    # The admin

    def admin_filtered(self) -> list[str]:
        base = reverse("admin:articles_article_changelist")
        urls = []
        for article in self.dated:
            query = {
                "status__exact": Article.Status.PUBLISHED,
                "outlet__id__exact": article.outlet_id,
                "published_at__year": self.year_range(article)[0].year,
            }
            urls.append(f"{base}?{urlencode(query)}")
        return self.distinct(urls)

    def admin_search(self) -> list[str]:
        base = reverse("admin:articles_article_changelist")
        words = [max(a.title.split(), key=len) for a in self.sample[:QUERY_SAMPLES]]
        return [f"{base}?{urlencode({'q': w})}" for w in words]

    def admin_review_lists(self) -> list[str]:
        """The lists a curator works from: drafts with suggestions waiting,
        drafts imported this week, articles in review."""
        base = reverse("admin:articles_article_changelist")
        return [
            f"{base}?{urlencode(query)}"
            for query in (
                {"status__exact": "draft", "suggestions": "pending"},
                {"status__exact": "draft", "imported": "week"},
                {"status__exact": "review"},
            )
        ]

    # The scenarios

    def scenarios(self) -> list[Scenario]:
        list_url = reverse("articles:article-list")
        feeds = [
            ("outlet-feed", lambda a: [a.outlet]),
            ("person-feed", lambda a: self.people.get(a.pk, [])[:1]),
            ("topic-feed", lambda a: self.topics.get(a.pk, [])[:1]),
        ]

        def entity_feeds():
            urls = []
            for article in self.sample:
                for name, objects in feeds:
                    for obj in objects(article):
                        urls.append(reverse(f"articles:{name}", args=[obj.slug]))
            return self.distinct(urls)

        def facet_urls():
            urls = []
            for article in self.dated:
                start, end = self.year_range(article)
                query = {
                    "language": article.language,
                    "date_from": start,
                    "date_to": end,
                }
                urls.append(f"{list_url}?{urlencode(query)}")
            return self.distinct(urls)

        site = [
            Scenario("home", "site", "page", lambda: [reverse("articles:home")]),
            Scenario("list", "site", "page", lambda: [list_url]),
            Scenario("list-outlet", "site", "page", lambda: self.site_list()),
            Scenario(
                "list-topic",
                "site",
                "page",
                lambda: self.site_list(self.topics, "topic"),
            ),
            Scenario(
                "list-person",
                "site",
                "page",
                lambda: self.site_list(self.people, "person"),
            ),
            Scenario("facets", "site", "page", facet_urls),
            Scenario(
                "article",
                "site",
                "page",
                lambda: [a.get_absolute_url() for a in self.sample],
            ),
            Scenario(
                "outlet",
                "site",
                "page",
                lambda: self.entity_pages(a.outlet for a in self.sample),
            ),
            Scenario(
                "person",
                "site",
                "page",
                lambda: self.entity_pages(self.all_linked(self.people)),
            ),
            Scenario(
                "topic",
                "site",
                "page",
                lambda: self.entity_pages(self.all_linked(self.topics)),
            ),
            Scenario(
                "feed-latest",
                "site",
                "page",
                lambda: [
                    reverse("articles:latest-feed"),
                    reverse("articles:latest-feed-rss"),
                ],
            ),
            Scenario("feed-entity", "site", "page", entity_feeds),
            Scenario(
                "feed-search",
                "site",
                "page",
                lambda: [
                    f"{reverse('articles:search-feed')}?{urlencode({'q': q.text})}"
                    for q in self.common_words + self.rare_words
                ],
            ),
        ]
        kinds = [
            ("common", "common_words"),
            ("rare", "rare_words"),
            ("phrase", "phrases"),
        ]
        search = [
            Scenario(
                f"search-{kind}-{sort}",
                "search",
                "search",
                lambda attr=attr, sort=sort: self.searches(attr, sort),
            )
            for kind, attr in kinds
            for sort in ("relevance", "newest")
        ]
        workbench = [
            Scenario("chart-csv", "workbench", "search", self.chart_csvs),
            Scenario("compare-five", "workbench", "workbench", self.comparisons),
            Scenario("about", "workbench", "workbench", self.abouts),
            Scenario("names", "workbench", "page", self.name_suggestions),
        ]
        admin_list = reverse("admin:articles_article_changelist")
        admin = [
            Scenario("admin-changelist", "admin", "admin", lambda: [admin_list]),
            Scenario(
                "admin-changelist-filtered", "admin", "admin", self.admin_filtered
            ),
            Scenario("admin-changelist-search", "admin", "admin", self.admin_search),
            Scenario(
                "admin-changelist-review", "admin", "admin", self.admin_review_lists
            ),
            Scenario(
                "admin-article",
                "admin",
                "admin",
                lambda: [
                    reverse("admin:articles_article_change", args=[a.pk])
                    for a in self.sample[:QUERY_SAMPLES]
                ],
            ),
        ]
        api = [
            Scenario("api-list", "api", "page", lambda: [API]),
            Scenario("api-deep-page", "api", "page", self.api_deep_page),
            Scenario("api-filtered", "api", "page", self.api_filtered),
            *[
                Scenario(
                    f"api-search-{kind}-{sort}",
                    "api",
                    "search",
                    lambda attr=attr, sort=sort: self.searches(attr, sort, api=True),
                )
                for kind, attr in kinds
                for sort in ("relevance", "newest")
            ],
            Scenario("api-search-surname", "api", "search", self.api_surnames),
            Scenario("api-search-two-words", "api", "search", self.api_two_words),
            Scenario(
                "api-detail",
                "api",
                "page",
                lambda: [f"{API}{a.pk}/" for a in self.sample],
            ),
            Scenario("api-export", "api", None, self.api_export),
        ]
        return site + search + workbench + admin + api

    # The report

    def article_count(self) -> str:
        estimate = estimated_row_count(Article)
        if estimate is not None:
            return f"about {estimate:,} articles (planner estimate)"
        return f"{Article.objects.count():,} articles"

    def machine(self) -> str:
        """Return the CPUs, the processor's name and the memory, where Linux says."""
        cpu, memory = platform.machine(), ""
        try:
            with open("/proc/cpuinfo") as cpuinfo:
                names = [line for line in cpuinfo if line.startswith("model name")]
            cpu = names[0].split(":", 1)[1].strip() if names else cpu
            with open("/proc/meminfo") as meminfo:
                kib = int(next(meminfo).split()[1])
            memory = f", {kib / 2**20:.0f} GiB"
        except (OSError, ValueError, IndexError, StopIteration):
            pass
        return f"{os.cpu_count()} CPUs ({cpu}){memory}"

    def load(self) -> str:
        if not hasattr(os, "getloadavg"):
            return "?"
        return f"{os.getloadavg()[0]:.1f}"

    def database(self) -> str:
        version = ".".join(str(n) for n in connection.get_database_version())
        return f"{connection.display_name} {version}"

    def target(self, s: Scenario) -> str:
        if s.target is None:
            return "—"
        limit = TARGETS[s.target]
        p95 = s.percentile(95)
        if p95 < limit:
            return f"met (< {limit})"
        return f"missed by {max(0, p95 - limit):.0f} ms (< {limit})"

    def report(self, scenarios):
        o = self.options
        command = (
            f"python manage.py bench --requests {o['requests']} --warmup "
            f"{o['warmup']} --seed {o['seed']} --sample {o['sample']} --depth "
            f"{o['depth']}"
        )
        if o["cached"]:
            command += " --cached"
        if o["only"]:
            command += " --only " + " ".join(shlex.quote(p) for p in o["only"])
        self.stdout.write(
            f"\n{self.database()}, {self.article_count()}; {self.machine()}, "
            f"Python {platform.python_version()}; "
            f"{self.started:%Y-%m-%d %H:%M}–{timezone.now():%H:%M} UTC, load "
            f"average {self.load_at_start}–{self.load()}; {o['requests']} requests "
            f"per scenario after {o['warmup']} to warm up, seed {o['seed']}, page "
            f"cache {'on' if o['cached'] else 'off'}.\n"
            f"Command: `{command}`\n"
        )
        self.stdout.write(
            "| Scenario | p50 ms | p95 ms | max ms | queries | p95 target (ms) |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: | --- |")
        for s in scenarios:
            low, high = min(s.queries), max(s.queries)
            queries = str(low) if low == high else f"{low}–{high}"
            self.stdout.write(
                f"| {s.name} | {statistics.median(s.timings):.1f} | "
                f"{s.percentile(95):.1f} | {max(s.timings):.1f} | {queries} | "
                f"{self.target(s)} |"
            )
        for s in scenarios:
            if s.name == "api-export":
                self.stdout.write(
                    f"\napi-export streams one outlet's articles of one year as JSON "
                    f"Lines: {min(s.lines):,}–{max(s.lines):,} rows per export, timed "
                    "to the last byte."
                )


class AdminSession:
    """Log the client in as an editor made for the run, inside a transaction that
    is rolled back on the way out (the user, the session, login records)."""

    def __init__(self, client):
        self.client = client
        self.atomic = transaction.atomic()

    def __enter__(self):
        self.atomic.__enter__()
        editors = Group.objects.filter(name=EDITORS).first()
        if editors is None:
            self.atomic.__exit__(None, None, None)
            raise CommandError(f"No {EDITORS} group to log in with; run migrate.")
        user = get_user_model().objects.create_user(
            username="bench-editor", password=None, is_staff=True
        )
        user.groups.add(editors)
        self.client.force_login(user)
        return user

    def __exit__(self, *exc):
        self.client.logout()
        transaction.set_rollback(True)
        return self.atomic.__exit__(*exc)
