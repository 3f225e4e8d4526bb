"""Fill an empty archive with a synthetic but realistic corpus, fast.

For benchmarks: outlets in several countries and languages, people with aliases,
a topic hierarchy, and articles whose bodies vary (a long-tailed vocabulary) and
name the people they are linked to, so that searching for a name finds them.
Everything is written with bulk_create in batches; the same seed gives the same
corpus.
"""

import datetime as dt
import itertools
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from articles.cache import bump
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Topic,
)
from articles.text import ascii_slug, content_hash, count_words, normalise_body

# name, domain, country, language, ownership, dateline city
OUTLETS = [
    ("TASS", "tass.com", "RU", "ru", "state", "MOSCOW"),
    ("RIA Novosti", "ria.ru", "RU", "ru", "state", "MOSCOW"),
    ("Interfax", "interfax.ru", "RU", "ru", "private", "MOSCOW"),
    ("Kommersant", "kommersant.ru", "RU", "ru", "private", "MOSCOW"),
    ("Meduza", "meduza.io", "LV", "ru", "private", "RIGA"),
    ("Anadolu Agency", "aa.com.tr", "TR", "tr", "state", "ANKARA"),
    ("Daily Sabah", "dailysabah.com", "TR", "en", "private", "ISTANBUL"),
    ("Hürriyet Daily News", "hurriyetdailynews.com", "TR", "en", "private", "ANKARA"),
    ("TRT World", "trtworld.com", "TR", "en", "public", "ISTANBUL"),
    ("Cumhuriyet", "cumhuriyet.com.tr", "TR", "tr", "private", "ISTANBUL"),
    ("Trend News Agency", "trend.az", "AZ", "az", "private", "BAKU"),
    ("APA", "apa.az", "AZ", "az", "private", "BAKU"),
    ("Armenpress", "armenpress.am", "AM", "hy", "state", "YEREVAN"),
    ("Civil.ge", "civil.ge", "GE", "ka", "private", "TBILISI"),
    ("Kazinform", "inform.kz", "KZ", "kk", "state", "ASTANA"),
    ("Ukrinform", "ukrinform.net", "UA", "uk", "state", "KYIV"),
    ("Kyiv Independent", "kyivindependent.com", "UA", "en", "private", "KYIV"),
    ("BBC News", "bbc.co.uk", "GB", "en", "public", "LONDON"),
    ("Reuters", "reuters.com", "GB", "en", "private", "LONDON"),
    ("The Guardian", "theguardian.com", "GB", "en", "private", "LONDON"),
    ("Associated Press", "apnews.com", "US", "en", "private", "WASHINGTON"),
    ("The New York Times", "nytimes.com", "US", "en", "private", "NEW YORK"),
    ("Agence France-Presse", "afp.com", "FR", "fr", "public", "PARIS"),
    ("Le Monde", "lemonde.fr", "FR", "fr", "private", "PARIS"),
    ("Deutsche Welle", "dw.com", "DE", "de", "public", "BONN"),
    ("Der Spiegel", "spiegel.de", "DE", "de", "private", "HAMBURG"),
    ("Al Jazeera", "aljazeera.com", "QA", "ar", "state", "DOHA"),
    ("IRNA", "irna.ir", "IR", "fa", "state", "TEHRAN"),
    ("Xinhua", "xinhuanet.com", "CN", "zh", "state", "BEIJING"),
    ("EFE", "efe.com", "ES", "es", "state", "MADRID"),
]

FIRST_NAMES = [
    "Sergey", "Maria", "Dmitry", "Anna", "Vladimir", "Olga", "Mikhail", "Elena",
    "Recep", "Ayşe", "Mehmet", "Zeynep", "Hakan", "Elif", "Mustafa", "Fatma",
    "Ilham", "Leyla", "Rashad", "Aynur", "Nikol", "Armine", "Irakli", "Nino",
    "Kassym", "Aigerim", "Volodymyr", "Oksana", "John", "Sarah", "David", "Emma",
    "Emmanuel", "Claire", "Olaf", "Ursula", "Ali", "Fatima", "Wang", "Li",
    "Pedro", "Lucía", "James", "Laura", "Ahmed", "Nadia", "Yusuf", "Selin",
]  # fmt: skip
SURNAMES = [
    "Lavrov", "Zakharova", "Peskov", "Shoigu", "Medvedev", "Nabiullina", "Volkov",
    "Sokolova", "Kuznetsov", "Popova", "Morozov", "Novikova", "Erdoğan", "Fidan",
    "Çavuşoğlu", "Kalın", "Yılmaz", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk",
    "Aliyev", "Bayramov", "Hajiyev", "Mammadova", "Pashinyan", "Mirzoyan",
    "Grigoryan", "Kobakhidze", "Garibashvili", "Tokayev", "Smailov", "Zelensky",
    "Kuleba", "Yermak", "Shmyhal", "Blinken", "Sullivan", "Miller", "Johnson",
    "Cameron", "Macron", "Barrot", "Scholz", "Baerbock", "Leyen", "Borrell",
    "Guterres", "Stoltenberg", "Rutte", "Raisi", "Araghchi", "Amirabdollahian",
    "Yi", "Qiang", "Sánchez", "Albares", "Lula", "Modi", "Jaishankar", "Orbán",
    "Szijjártó", "Netanyahu", "Abbas", "Sisi", "Thani", "Khan", "Sharif", "Ruto",
    "Ramaphosa", "Tinubu", "Kishida", "Yoon", "Widodo", "Marcos", "Albanese",
    "Trudeau", "Sheinbaum", "Milei", "Petro", "Boric", "Lukashenko", "Sandu",
    "Vučić", "Plenković", "Tusk", "Duda", "Fico", "Meloni", "Mitsotakis",
    "Christodoulides", "Stubb", "Kristersson", "Støre", "Frederiksen", "Costa",
    "Michel", "Šefčovič", "Dombrovskis", "Kallas",
]  # fmt: skip
# Other transliterations, as outlets in other languages write the names.
RESPELLINGS = [
    ("Sergey", "Sergei"), ("Dmitry", "Dmitri"), ("Yi", "Yee"), ("ğ", "g"),
    ("ş", "s"), ("ç", "c"), ("ı", "i"), ("ö", "o"), ("ü", "u"), ("ov", "off"),
    ("Zelensky", "Zelenskyy"), ("Volodymyr", "Vladimir"), ("Aliyev", "Aliev"),
]  # fmt: skip

TOPICS = {
    "Diplomacy": ["Summits", "Sanctions", "Treaties", "Embassies"],
    "Security": ["Ceasefires", "Arms deals", "Drones", "Border incidents"],
    "Energy": ["Gas", "Oil", "Nuclear power", "Pipelines", "Renewables"],
    "Economy": ["Trade", "Tourism", "Inflation", "Currencies", "Agriculture"],
    "Politics": ["Elections", "Parliament", "Referendums", "Protests"],
    "Conflicts": ["Syria", "Nagorno-Karabakh", "Ukraine", "Libya", "Gaza"],
    "Society": ["Migration", "Health", "Education", "Religion"],
    "Media": ["Press freedom", "Disinformation", "Broadcasting"],
    "Environment": ["Climate", "Earthquakes", "Floods", "Wildfires"],
    "Technology": ["Space", "Cybersecurity", "Telecoms"],
}
SUBTOPICS = {"Syria": ["Idlib", "Aleppo"], "Ukraine": ["Black Sea grain deal"]}

# A list literal of these would run to 200 lines.
WORDS = """
ministry officials delegation agreement talks sanctions pipeline border ceasefire
treaty exports imports tariffs tourism energy wheat grain corridor airspace drones
frigate parliament election referendum summit communique embassy consulate visa
refugees humanitarian aid convoy reconstruction investment loan budget inflation
currency reserves central bank interest rates oil gas nuclear plant reactor port
railway highway bridge airport airline flights passengers tourists hotels season
harvest fertiliser shipping tanker cargo customs checkpoint troops exercises
missile defence system contract delivery satellite launch cosmonaut station
opposition coalition ruling party cabinet reshuffle decree law amendment court
verdict appeal prosecutor investigation journalists media broadcaster statement
spokesperson press conference interview briefing visit meeting negotiations
counterpart bilateral regional international security council resolution veto
alliance partnership cooperation memorandum roadmap framework mechanism platform
monitoring observers mission peacekeepers mediation dialogue settlement conflict
clashes shelling casualties civilians evacuation shelter earthquake flood drought
wildfire emergency relief donors pledge conference forum exhibition festival
delegates ministers leaders president premier chancellor minister ambassador envoy
governor mayor lawmakers deputies senators voters turnout ballot campaign rally
protest strike union workers wages pensions prices shortages supplies stockpiles
production capacity output growth recession forecast quarter annual record decline
increase agreement deadline extension proposal initiative plan strategy priority
concern warning threat risk tension escalation stability sovereignty integrity
neighbours partners allies rivals competitors markets investors companies holding
""".split()  # noqa: SIM905
PLACES = [
    "Moscow", "Ankara", "Istanbul", "Baku", "Yerevan", "Tbilisi", "Astana", "Kyiv",
    "London", "Washington", "Paris", "Berlin", "Brussels", "Geneva", "Vienna",
    "Doha", "Tehran", "Beijing", "Madrid", "Sochi", "Antalya", "Odesa", "Idlib",
    "Aleppo", "Shusha", "Batumi", "Almaty", "Minsk", "Warsaw", "Rome", "Athens",
]  # fmt: skip
VERBS = [
    "discussed", "welcomed progress on", "raised concerns over", "signed a deal on",
    "announced new talks on", "reviewed", "praised cooperation on", "criticised",
    "called for an end to", "proposed a plan for", "rejected claims about",
    "warned against", "promised support for", "postponed a decision on",
]  # fmt: skip
FUNCTION_WORDS = ["the", "of", "and", "in", "on", "for", "with", "to", "a", "by"]
SAYINGS = ["said", "told reporters", "stressed", "noted", "added", "insisted"]

START = dt.datetime(2011, 12, 1, tzinfo=dt.UTC)
SPAN_SECONDS = 15 * 365 * 24 * 3600
STATUSES = [
    (Article.Status.PUBLISHED, 0.90),
    (Article.Status.DRAFT, 0.04),
    (Article.Status.REVIEW, 0.03),
    (Article.Status.WITHDRAWN, 0.03),
]
UNDATED_SHARE = 0.02
AUTHORS_PER_OUTLET = 4


def synthetic_words(rng: random.Random, n: int) -> list[str]:
    """Made-up but pronounceable words: the long tail of a real vocabulary."""
    onsets = [*"bcdfghklmnprstvz", "br", "cr", "dr", "gr", "kr", "pl", "st"]
    vowels = [*"aeiouaeio", "ai", "ou", "ea"]
    codas = ["", "", "n", "r", "s", "l", "m", "nt", "st", "rd", "ck"]
    words = set()
    while len(words) < n:
        syllables = rng.choice([2, 2, 3, 3, 4])
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)
        ) + rng.choice(codas)
        words.add(word)
    return sorted(words)


def respell(name: str) -> str:
    for old, new in RESPELLINGS:
        name = name.replace(old, new)
    return name


class Command(BaseCommand):
    help = (
        "Fill an empty archive with N synthetic articles (with outlets, people, "
        "topics and links) for benchmarks. Refuses to touch an archive that has "
        "any articles, outlets, people or topics."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--people", type=int, default=500)
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, **options):
        n = options["articles"]
        if n < 1:
            raise CommandError("--articles must be at least 1.")
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
        self.rng = random.Random(options["seed"])
        started = time.perf_counter()
        with transaction.atomic():
            self.outlets = self.make_outlets()
            self.people = self.make_people(options["people"])
            self.topics = self.make_topics()
        self.vocabulary = WORDS + synthetic_words(self.rng, 4000)
        # Zipf-like frequencies: a few words are everywhere, most are rare.
        self.cum_weights = list(
            itertools.accumulate(
                1 / (rank + 10) for rank in range(len(self.vocabulary))
            )
        )
        self.assign_authors()
        self.cities = {
            o.pk: row[5] for o, row in zip(self.outlets, OUTLETS, strict=True)
        }
        self.hashes = set()
        written = 0
        batch_size = options["batch_size"]
        while written < n:
            size = min(batch_size, n - written)
            with transaction.atomic():
                self.write_batch(written, size)
            written += size
            if options["verbosity"] >= 2 or written % 10_000 == 0 or written == n:
                rate = written / (time.perf_counter() - started)
                self.stdout.write(f"{written:,} articles ({rate:,.0f}/s)")
        bump()  # bulk_create sends no signals: forget cached pages here
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {n:,} articles, {len(self.outlets)} outlets, "
                f"{len(self.people)} people and {len(self.topics)} topics "
                f"in {elapsed:.1f} s."
            )
        )

    def make_outlets(self):
        return Outlet.objects.bulk_create(
            Outlet(
                name=name,
                slug=ascii_slug(name),
                homepage=f"https://{domain}/",
                domains=[domain],
                country=country,
                language=language,
                ownership=ownership,
                description=f"{name}, a news outlet based in {city.title()}.",
            )
            for name, domain, country, language, ownership, city in OUTLETS
        )

    def make_people(self, count):
        names = [f"{f} {s}" for s in SURNAMES for f in FIRST_NAMES]
        self.rng.shuffle(names)
        names = sorted(names[:count])
        people, slugs = [], set()
        for name in names:
            first, surname = name.split(" ", 1)
            aliases = [f"{first[0]}. {surname}"]
            if respell(name) != name:
                aliases.append(respell(name))
            slug = ascii_slug(name)
            while slug in slugs:
                slug += "-2"
            slugs.add(slug)
            people.append(
                Person(
                    name=name,
                    slug=slug,
                    aliases=aliases,
                    description=self.rng.choice(
                        ["Minister", "Spokesperson", "Journalist", "Lawmaker", "Envoy"]
                    ),
                )
            )
        return Person.objects.bulk_create(people)

    def make_topics(self):
        roots = Topic.objects.bulk_create(
            Topic(name=name, slug=ascii_slug(name)) for name in TOPICS
        )
        children = Topic.objects.bulk_create(
            Topic(name=child, slug=ascii_slug(child), parent=root)
            for root in roots
            for child in TOPICS[root.name]
        )
        by_name = {t.name: t for t in children}
        grandchildren = Topic.objects.bulk_create(
            Topic(name=name, slug=ascii_slug(name), parent=by_name[parent])
            for parent, names in SUBTOPICS.items()
            for name in names
        )
        return [*roots, *children, *grandchildren]

    def assign_authors(self):
        """A few people write for each outlet; the rest are in the news."""
        people = list(self.people)
        self.rng.shuffle(people)
        k = AUTHORS_PER_OUTLET
        self.writers = {
            outlet.pk: people[i * k : (i + 1) * k]
            for i, outlet in enumerate(self.outlets)
        }
        self.newsmakers = people[len(self.outlets) * k :] or people
        # Some people are in the news far more than others.
        self.newsmaker_weights = list(
            itertools.accumulate(
                1 / (r + 1) ** 0.8 for r in range(len(self.newsmakers))
            )
        )

    def words(self, k: int, *, glue: bool = True) -> list[str]:
        words = []
        for word in self.rng.choices(
            self.vocabulary, cum_weights=self.cum_weights, k=k
        ):
            words.append(word)
            if glue and self.rng.random() < 0.35:
                words.append(self.rng.choice(FUNCTION_WORDS))
        return words

    def sentence(self, *, person=None) -> str:
        rng = self.rng
        words = self.words(rng.randint(6, 18))
        if person is not None:
            surname = person.name.split(" ", 1)[1]
            text = (
                f"{surname} {rng.choice(VERBS)} the {' '.join(words[:3])} in "
                f"{rng.choice(PLACES)}, {' '.join(words[3:])}"
            )
        else:
            text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def body(self, mentioned, dateline) -> tuple[str, str]:
        rng = self.rng
        first = mentioned[0]
        lead = (
            f"{dateline}. {first.name} {rng.choice(VERBS)} "
            f"{' '.join(self.words(4))} on {rng.choice(PLACES)} talks."
        )
        paragraphs = [lead]
        for i in range(rng.randint(3, 8)):
            person = mentioned[i % len(mentioned)]
            sentences = [self.sentence() for _ in range(rng.randint(2, 4))]
            if i < len(mentioned) and i > 0:
                sentences.insert(0, f"{person.name} {rng.choice(SAYINGS)} so.")
            sentences.insert(
                rng.randrange(len(sentences) + 1), self.sentence(person=person)
            )
            if rng.random() < 0.3:
                sentences.append(
                    f"“{self.sentence()}” {person.name.split(' ', 1)[1]} "
                    f"{rng.choice(SAYINGS)}."
                )
            paragraphs.append(" ".join(sentences))
        return lead, "\n\n".join(paragraphs)

    def status(self) -> str:
        roll, total = self.rng.random(), 0.0
        for status, share in STATUSES:
            total += share
            if roll < total:
                return status
        return Article.Status.PUBLISHED

    def write_batch(self, offset: int, size: int):
        rng = self.rng
        articles, links = [], []
        for i in range(offset, offset + size):
            outlet = rng.choice(self.outlets)
            city = self.cities[outlet.pk]
            n_mentioned = rng.randint(1, 3)
            mentioned = []
            while len(mentioned) < n_mentioned:
                (person,) = rng.choices(
                    self.newsmakers, cum_weights=self.newsmaker_weights
                )
                if person not in mentioned:
                    mentioned.append(person)
            author = rng.choice(self.writers[outlet.pk])
            topics = rng.sample(self.topics, rng.randint(1, 3))
            lead, body = self.body(mentioned, city)
            body = normalise_body(body)
            digest = content_hash(body)
            while digest in self.hashes:  # unique bodies, however unlikely a clash
                body = normalise_body(f"{body}\n\n{self.sentence()}")
                digest = content_hash(body)
            self.hashes.add(digest)
            surname = mentioned[0].name.split(" ", 1)[1]
            title = (
                f"{surname} {rng.choice(VERBS)} {' '.join(self.words(3, glue=False))} "
                f"in {rng.choice(PLACES)}"
            )
            published_at = None
            if rng.random() >= UNDATED_SHARE:
                published_at = START + dt.timedelta(seconds=rng.randrange(SPAN_SECONDS))
            slug = f"{ascii_slug(title, max_length=160)}-{i + 1}"
            articles.append(
                Article(
                    outlet=outlet,
                    title=title,
                    slug=slug,
                    url=f"https://{outlet.domains[0]}/news/{i + 1}",
                    published_at=published_at,
                    dateline=city,
                    lead=lead,
                    body=body,
                    language=outlet.language if rng.random() < 0.7 else "en",
                    status=self.status(),
                    content_hash=digest,
                    word_count=count_words(body),
                    source="generate_corpus",
                )
            )
            links.append((author, mentioned, topics))
        Article.objects.bulk_create(articles)
        people_links, topic_links = [], []
        for article, (author, mentioned, topics) in zip(articles, links, strict=True):
            people_links.append(
                ArticlePerson(
                    article=article,
                    person=author,
                    role=ArticlePerson.Role.AUTHOR,
                    state=LinkState.CONFIRMED,
                )
            )
            for n, person in enumerate(mentioned):
                role = (
                    ArticlePerson.Role.QUOTED
                    if n == 0
                    else ArticlePerson.Role.MENTIONED
                )
                people_links.append(
                    ArticlePerson(
                        article=article,
                        person=person,
                        role=role,
                        state=LinkState.CONFIRMED,
                    )
                )
            topic_links.extend(
                ArticleTopic(article=article, topic=t, state=LinkState.CONFIRMED)
                for t in topics
            )
        ArticlePerson.objects.bulk_create(people_links)
        ArticleTopic.objects.bulk_create(topic_links)
