"""Load test: mixed public and API traffic against a running archive.

    make loadtest LOADTEST_HOST=http://127.0.0.1:8000

or, by hand (docs/deploy.md#load-testing):

    locust -f loadtest/locustfile.py --headless -u 20 -r 5 -t 5m \\
        --host http://127.0.0.1:8000 --csv loadtest/results/run

Everything the users ask for (outlet, person and topic slugs, article pages
and ids, search words) is sampled from the archive's own API when the first
user starts, so the test runs against any database. Any answer other than 2xx
or 3xx counts as a failure, a 404 and a 429 included: every address asked for
exists, and a throttled run measures the throttle, not the archive (run the
server with API_ANON_RATE, API_ANON_SEARCH_RATE and SITE_SEARCH_RATE empty, see
docs/deploy.md).
"""

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from gevent.lock import Semaphore
from locust import HttpUser, between, task

# How many API pages of each kind to sample at start.
SAMPLE_PAGES = 4
WORD = re.compile(r"[^\W\d_]{4,}")
STOPWORDS = {"with", "that", "from", "this", "have", "will", "after", "over", "into"}


@dataclass
class Sample:
    outlets: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
    article_paths: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    common_words: list[str] = field(default_factory=list)
    rare_words: list[str] = field(default_factory=list)


_sample: Sample | None = None
_sampling = Semaphore()


def check(response, expect_json=False):
    """Mark a response (opened with catch_response=True) as failed unless 2xx/3xx."""
    if not 200 <= response.status_code < 400:
        response.failure(f"HTTP {response.status_code}")
        return None
    body = None
    if expect_json:
        try:
            body = response.json()
        except ValueError:
            response.failure("not JSON")
            return None
    response.success()
    return body


def api_pages(client, path, pages=SAMPLE_PAGES):
    """Return the records of the first pages of an API list."""
    records, url = [], path
    for _ in range(pages):
        response = client.get(url, name=f"(sample) {path.split('?')[0]}")
        response.raise_for_status()
        body = response.json()
        records.extend(body["results"])
        url = body["next"]
        if not url:
            break
    return records


def take_sample(client) -> Sample:
    """Return what the archive holds, fetched once for all users."""
    global _sample
    with _sampling:
        if _sample is not None:
            return _sample
        sample = Sample()
        sample.outlets = [o["slug"] for o in api_pages(client, "/api/v1/outlets/")]
        sample.people = [p["slug"] for p in api_pages(client, "/api/v1/people/")]
        sample.topics = [t["slug"] for t in api_pages(client, "/api/v1/topics/")]
        articles = api_pages(
            client,
            "/api/v1/articles/?fields=id,web_url,title,lead,language&page_size=100",
        )
        if not (articles and sample.outlets):
            raise RuntimeError("The archive is empty; fill it before a load test.")
        sample.article_ids = [a["id"] for a in articles]
        sample.article_paths = [urlsplit(a["web_url"]).path for a in articles]
        sample.languages = sorted({a["language"] for a in articles if a["language"]})
        words = Counter(
            word.lower()
            for a in articles
            for word in WORD.findall(f"{a['title']} {a['lead']}")
            if word.lower() not in STOPWORDS
        )
        ranked = [word for word, _ in words.most_common()]
        sample.common_words = ranked[:20]
        sample.rare_words = [word for word, n in words.items() if n == 1][:200] or (
            ranked[-20:]
        )
        _sample = sample
        return sample


class ArchiveUser(HttpUser):
    abstract = True

    def on_start(self):
        self.sample = take_sample(self.client)

    def visit(self, path, name, expect_json=False):
        with self.client.get(path, name=name, catch_response=True) as response:
            return check(response, expect_json)


class Reader(ArchiveUser):
    """A person on the public site: mostly article pages, lists and searches."""

    weight = 4
    wait_time = between(1, 5)

    @task(10)
    def home(self):
        self.visit("/", "/")

    @task(25)
    def article(self):
        self.visit(random.choice(self.sample.article_paths), "/articles/[article]")

    @task(8)
    def filtered_list(self):
        s = self.sample
        choice = random.choice(
            [
                f"outlet={random.choice(s.outlets)}",
                f"topic={random.choice(s.topics or s.outlets)}",
                f"language={random.choice(s.languages or ['en'])}",
                "sort=oldest",
                f"page={random.randint(2, 20)}",
            ]
        )
        self.visit(f"/articles/?{choice}", "/articles/?[filter]")

    @task(8)
    def search_common_word(self):
        word = random.choice(self.sample.common_words)
        self.visit(f"/articles/?q={word}", "/articles/?q=[common]")

    @task(4)
    def search_rare_word(self):
        word = random.choice(self.sample.rare_words)
        self.visit(f"/articles/?q={word}", "/articles/?q=[rare]")

    @task(8)
    def entity_page(self):
        s = self.sample
        kind, slugs = random.choice(
            [("outlets", s.outlets), ("people", s.people), ("topics", s.topics)]
        )
        if slugs:
            self.visit(f"/{kind}/{random.choice(slugs)}/", f"/{kind}/[slug]/")

    @task(3)
    def entity_index(self):
        kind = random.choice(["outlets", "people", "topics"])
        self.visit(f"/{kind}/", f"/{kind}/")

    @task(2)
    def quotes(self):
        self.visit("/quotes/", "/quotes/")

    @task(4)
    def feed(self):
        s = self.sample
        path, name = random.choice(
            [
                ("/feeds/latest/", "/feeds/latest/"),
                ("/feeds/latest/rss/", "/feeds/latest/rss/"),
                (f"/outlets/{random.choice(s.outlets)}/feed/", "/outlets/[slug]/feed/"),
            ]
        )
        self.visit(path, name)


class ApiClient(ArchiveUser):
    """A program reading the JSON API: lists, filters, searches, details, paging."""

    weight = 1
    wait_time = between(0.5, 2)

    @task(5)
    def article_list(self):
        self.visit("/api/v1/articles/", "/api/v1/articles/", expect_json=True)

    @task(4)
    def filtered_list(self):
        s = self.sample
        choice = random.choice(
            [
                f"outlet={random.choice(s.outlets)}",
                f"topic={random.choice(s.topics or s.outlets)}",
                f"published_after={random.randint(2015, 2025)}-01-01",
                "fields=id,title,published_at",
            ]
        )
        self.visit(f"/api/v1/articles/?{choice}", "/api/v1/articles/?[filter]", True)

    @task(3)
    def search(self):
        words = self.sample.common_words + self.sample.rare_words
        self.visit(
            f"/api/v1/articles/?q={random.choice(words)}",
            "/api/v1/articles/?q=[word]",
            expect_json=True,
        )

    @task(6)
    def article_detail(self):
        article_id = random.choice(self.sample.article_ids)
        self.visit(f"/api/v1/articles/{article_id}/", "/api/v1/articles/[id]/", True)

    @task(2)
    def follow_next_cursors(self):
        url = "/api/v1/articles/?fields=id,title,modified_at"
        for _ in range(random.randint(2, 5)):
            body = self.visit(url, "/api/v1/articles/?cursor=[next]", True)
            if not body or not body["next"]:
                break
            url = body["next"]

    @task(2)
    def entity_list(self):
        kind = random.choice(["outlets", "people", "topics"])
        self.visit(f"/api/v1/{kind}/", f"/api/v1/{kind}/", expect_json=True)
