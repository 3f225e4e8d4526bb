import json
import random
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from articles.ingest.service import IMPORTED, Importer, default_workers, path_sources
from articles.models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    Outlet,
    Person,
    Quote,
    Story,
    Tombstone,
    Topic,
)

HISTORY_MODELS = [
    Article,
    ArticlePerson,
    ArticleTopic,
    Quote,
    Annotation,
    Outlet,
    Person,
    Topic,
]

OUTLETS = [
    ("TASS", "tass.com", "MOSCOW", "/TASS/."),
    ("Sputnik International", "sputnikglobe.com", "MOSCOW", "(Sputnik) -"),
    ("Anadolu Agency", "aa.com.tr", "ANKARA", "(AA) -"),
    ("Daily Sabah", "dailysabah.com", "ISTANBUL", "-"),
    ("Trend News Agency", "trend.az", "BAKU", "/Trend/ -"),
    ("Hürriyet Daily News", "hurriyetdailynews.com", "ANKARA", "-"),
]
PEOPLE = [
    "Sergey Lavrov",
    "Mevlüt Çavuşoğlu",
    "Vladimir Putin",
    "Recep Tayyip Erdoğan",
    "Ilham Aliyev",
    "Hakan Fidan",
    "Dmitry Peskov",
    "Maria Zakharova",
]
SUBJECTS = [
    "the S-400 deal",
    "the Astana process",
    "gas supplies",
    "the Black Sea grain deal",
    "Nagorno-Karabakh",
    "Idlib",
    "trade in national currencies",
    "the TurkStream pipeline",
    "tourism",
    "the Akkuyu nuclear plant",
]
VERBS = [
    "discussed",
    "welcomed progress on",
    "raised concerns over",
    "signed a memorandum on",
    "announced new talks on",
    "reviewed",
    "praised cooperation on",
]
# Words to compose distinct sentences from, so that bodies differ as real
# coverage does (shared boilerplate would make every article a near-duplicate).
VOCABULARY = [
    "ministry",
    "officials",
    "delegation",
    "agreement",
    "talks",
    "sanctions",
    "pipeline",
    "border",
    "ceasefire",
    "treaty",
    "exports",
    "imports",
    "tariffs",
    "tourism",
    "energy",
    "wheat",
    "grain",
    "corridor",
    "airspace",
    "drones",
    "frigate",
    "parliament",
    "election",
    "referendum",
    "summit",
    "communique",
    "envoy",
    "observers",
    "refugees",
    "humanitarian",
    "convoy",
    "investment",
    "reactor",
    "turbine",
    "contract",
    "payment",
    "currency",
    "lira",
    "rouble",
    "reserves",
    "inflation",
    "forecast",
    "budget",
    "spokesperson",
    "statement",
    "interview",
    "briefing",
    "capital",
    "province",
    "coast",
    "strait",
    "shipping",
    "insurance",
    "port",
    "terminal",
    "railway",
    "bridge",
    "highway",
    "dam",
    "water",
    "harvest",
]
VERBS_PAST = [
    "announced",
    "confirmed",
    "denied",
    "criticised",
    "welcomed",
    "postponed",
    "approved",
    "rejected",
    "discussed",
    "reviewed",
    "signed",
    "extended",
    "suspended",
    "resumed",
    "expanded",
]


REPORTERS = [
    "Anna Petrova",
    "Mehmet Yilmaz",
    "Leyla Aliyeva",
    "Ivan Sokolov",
    "Elif Demir",
    "Rashad Mammadov",
    "Olga Ivanova",
    "Can Ozturk",
]
SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "len",
    "tas",
    "vo",
    "dri",
    "pe",
    "sun",
    "gor",
    "al",
    "ze",
]


def lexicon(rng: random.Random, size: int = 20_000) -> list[str]:
    """Return a vocabulary as large as real news prose uses: the topical words
    plus made-up ones, so that two articles rarely share five words in a row."""
    made_up = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        for _ in range(size)
    }
    return VOCABULARY + sorted(made_up)


def sentence_paragraph(rng: random.Random, words_from: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(2, 4)):
        words = rng.sample(words_from, 6)
        sentences.append(
            f"The {words[0]} {rng.choice(VERBS_PAST)} the {words[1]} and {words[2]} "
            f"after the {words[3]}, citing {words[4]} and {words[5]}."
        )
    return " ".join(sentences)


def synthetic_article(rng: random.Random, n: int, words: list[str]) -> dict:
    name, domain, dateline, tag = rng.choice(OUTLETS)
    speaker, other = rng.sample(PEOPLE, 2)
    subject = rng.choice(SUBJECTS)
    year, month, day = rng.randint(2010, 2024), rng.randint(1, 12), rng.randint(1, 28)
    paragraphs = [
        f"{speaker} {rng.choice(VERBS)} {subject} with {other} on talks number {n}.",
        f"“We {rng.choice(VERBS)} {subject} in detail today and agreed to continue "
        f"the work,” {speaker} said after meeting {n}.",
        *(sentence_paragraph(rng, words) for _ in range(rng.randint(2, 8))),
    ]
    return {
        "title": f"{speaker} and {other} discuss {subject} in {dateline.title()}",
        "url": f"https://{domain}/politics/{year}/{month:02d}/{day:02d}/{n}",
        "outlet": name,
        "published_at": f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:15:00Z",
        "authors": [rng.choice(REPORTERS)],
        "language": "en",
        "dateline": dateline,
        "tag": tag,
        "body": "\n\n".join(paragraphs),
    }


def as_text_page(record: dict) -> str:
    """Render a record the way page text copied from a browser looks."""
    date = record["published_at"]
    first, *rest = record["body"].split("\n\n")
    return "\n\n".join(
        [
            "Home | Politics | Economy | World",
            record["title"],
            f"{date[8:10]}.{date[5:7]}.{date[:4]} {date[11:16]}",
            f"By {record['authors'][0]}",
            f"{record['dateline']} {record['tag']} {first}",
            *rest,
            "Follow us on Twitter and Telegram",
            f"© {date[:4]} {record['outlet']}. All rights reserved.",
            record["url"],
        ]
    )


class Command(BaseCommand):
    help = (
        "Measure the import rate on synthetic inputs: N JSON Lines records and M "
        "plain-text files. Runs only on an archive without articles, and removes "
        "what it imported when done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=10_000)
        parser.add_argument("--files", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, records, files, seed, **options):
        if Article.objects.exists():
            raise CommandError(
                "bench_import runs only on an archive without articles; point "
                "DATABASE_URL at an empty, migrated database.",
                returncode=2,
            )
        if connection.vendor == "postgresql":
            # Start from fresh statistics and no dead rows of an earlier run.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        began = timezone.now()
        rng = random.Random(seed)
        words = lexicon(rng)
        made = [
            *(Person.objects.get_or_create(name=name) for name in PEOPLE),
            *(
                Topic.objects.get_or_create(name=subject.removeprefix("the "))
                for subject in SUBJECTS
            ),
        ]
        results = []
        with tempfile.TemporaryDirectory() as folder:
            jsonl = Path(folder) / "records.jsonl"
            with jsonl.open("w", encoding="utf-8") as out:
                for n in range(records):
                    record = synthetic_article(rng, n, words)
                    record.pop("tag")
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            pages = Path(folder) / "pages"
            pages.mkdir()
            for n in range(files):
                page = as_text_page(synthetic_article(rng, records + n, words))
                (pages / f"{n:05d}.txt").write_text(page, encoding="utf-8")
            for label, path, count in [
                ("JSON Lines records", jsonl, records),
                ("plain-text files", pages, files),
            ]:
                # One JSON Lines file of 10,000 records is larger than the
                # per-file limit meant for curators' uploads.
                importer = Importer(max_bytes=1 << 30, workers=default_workers())
                started = time.perf_counter()
                sources = path_sources([path], max_bytes=importer.max_bytes)
                items = list(importer.run(sources))
                elapsed = time.perf_counter() - started
                imported = sum(item.status == IMPORTED for item in items)
                if imported != count:
                    raise CommandError(
                        f"Only {imported} of {count} {label} were imported: "
                        f"{[i.error for i in items if i.error][:3]}"
                    )
                results.append((label, count, imported, elapsed))
        vendor = connection.vendor
        for label, count, imported, elapsed in results:
            self.stdout.write(
                f"{vendor}: {count} {label}: {imported} imported in {elapsed:.1f} s "
                f"= {count / elapsed:,.0f}/s"
            )
        Article.objects.all().delete()
        Story.objects.all().delete()
        Outlet.objects.filter(articles__isnull=True).delete()
        for obj, created in made:
            if created:
                obj.delete()
        # Deleting leaves tombstones and history; they belong to the benchmark.
        Tombstone.objects.filter(removed_at__gte=began).delete()
        for model in HISTORY_MODELS:
            model.history.filter(history_date__gte=began).delete()
