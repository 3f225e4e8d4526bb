"""Twenty imported drafts with suggestions to review: the curator's task the
admin's review queue is measured on (tests/test_browser_review.py,
docs/curating.md)."""

import json

from articles.ingest.service import Importer
from articles.models import Article, Outlet, Person, Topic

PEOPLE = [
    ("Dmitry Peskov", "dmitry-peskov", []),
    ("Sergey Lavrov", "sergey-lavrov", ["Sergei Lavrov"]),
    ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan", ["Erdogan"]),
]
TOPICS = [
    ("Black Sea grain deal", "black-sea-grain-deal", ["grain corridor"]),
    ("Russia–Turkey relations", "russia-turkey-relations", []),
    ("Energy", "energy", ["gas pipeline"]),
]
DRAFTS = 20


def record(n: int) -> dict:
    """The nth imported article: it names one or two known people, quotes one
    of them, and names a topic by a keyword."""
    if n % 2:
        speaker, other = "Dmitry Peskov", "Erdogan"
    else:
        speaker, other = "Sergey Lavrov", "Peskov"
    topic = "grain corridor" if n % 3 else "gas pipeline"
    return {
        "title": f"Talks on the {topic} continue, day {n}",
        "url": f"https://tass.example/politics/{1000 + n}",
        "outlet": "TASS",
        "published_at": f"2023-09-{n:02d}T08:00:00Z",
        "body": (
            f"Officials met in Istanbul on day {n} of the talks on the {topic}.\n\n"
            f"“We expect the partners to keep every promise they made,” "
            f"{speaker} said on Monday. {other} was expected to answer later "
            f"in the week, according to the delegation."
        ),
    }


def make_people_and_topics():
    Outlet.objects.get_or_create(
        name="TASS",
        defaults={"slug": "tass", "domains": ["tass.example"], "language": "en"},
    )
    for name, slug, aliases in PEOPLE:
        Person.objects.update_or_create(
            slug=slug, defaults={"name": name, "aliases": aliases}
        )
    for name, slug, keywords in TOPICS:
        Topic.objects.update_or_create(
            slug=slug, defaults={"name": name, "keywords": keywords}
        )


def import_drafts() -> list[Article]:
    """Import the twenty drafts as an upload in the admin would, and return
    them in the queue's order (oldest first)."""
    make_people_and_topics()
    lines = "\n".join(json.dumps(record(n)) for n in range(1, DRAFTS + 1))
    report = list(Importer(status="draft").run([("day.jsonl", lines.encode())]))
    assert [item.status for item in report] == ["imported"] * DRAFTS, report
    return list(Article.objects.filter(status="draft").oldest_first())
