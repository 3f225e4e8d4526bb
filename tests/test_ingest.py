"""The import end to end: command, report, deduplication, versions, stories,
suggestions and rejections."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.ingest.service import Importer
from articles.models import (
    Article,
    ArticlePerson,
    ArticleVersion,
    CandidatePerson,
    LinkState,
    Outlet,
    Person,
    Quote,
    Story,
    Topic,
)
from articles.text import normalise_body
from tests.factories import OutletFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no seeds at {SEEDS}")


def run(*args) -> tuple[int, dict]:
    """Run import_articles with a JSON report; return (exit code, report)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_articles", *map(str, args), "--report", "json", stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, json.loads(out.getvalue())


def record(**fields) -> dict:
    base = {
        "title": "Lavrov and Fidan discuss grain corridor",
        "url": "https://tass.com/politics/1000001",
        "outlet": "TASS",
        "published_at": "2023-08-31T10:15:00Z",
        "authors": ["Anna Petrova"],
        "language": "en",
        "body": (
            "Russian Foreign Minister Sergey Lavrov met his Turkish counterpart Hakan "
            "Fidan in Moscow.\n\n“We discussed the grain corridor in detail and agreed "
            "to keep working,” Lavrov said after the talks."
        ),
    }
    base.update(fields)
    return base


def write_jsonl(path: Path, *records) -> Path:
    path.write_text(
        "\n".join(
            r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
            for r in records
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def test_a_json_lines_file_becomes_draft_articles_with_a_report(tmp_path):
    source = write_jsonl(tmp_path / "export.jsonl", record())
    code, report = run(source)
    assert code == 0
    assert report["summary"] == {
        "imported": 1,
        "updated": 0,
        "duplicate": 0,
        "rejected": 0,
    }
    (item,) = report["items"]
    assert item["source"] == f"{source}:1"
    assert item["status"] == "imported" and item["error"] is None
    article = Article.objects.get(pk=item["article"]["id"])
    assert item["article"] == {
        "id": article.pk,
        "title": "Lavrov and Fidan discuss grain corridor",
        "outlet": "TASS",
        "published_at": "2023-08-31T10:15:00+00:00",
        "authors": ["Anna Petrova"],
        "url": "https://tass.com/politics/1000001",
        "dateline": "",
        "language": "en",
        "body": article.body,
    }
    assert article.status == Article.Status.DRAFT
    assert article.imported_at is not None
    assert article.source == f"{source}:1"
    assert (
        json.loads(article.raw_text)["title"]
        == "Lavrov and Fidan discuss grain corridor"
    )


def test_importing_twice_changes_nothing(tmp_path):
    source = write_jsonl(
        tmp_path / "a.jsonl", record(), record(url="", body="Other text.")
    )
    run(source)
    before = list(Article.objects.values_list("pk", "updated_at"))
    code, report = run(source)
    assert code == 0
    assert report["summary"]["duplicate"] == 2
    assert list(Article.objects.values_list("pk", "updated_at")) == before
    first = Article.objects.get(url=record()["url"])
    assert report["items"][0]["article"]["id"] == first.pk


def test_same_body_with_other_whitespace_is_a_duplicate(tmp_path):
    run(write_jsonl(tmp_path / "a.jsonl", record()))
    spaced = record(url="", body=record()["body"].replace("\n\n", "\r\n \r\n\r\n  "))
    _, report = run(write_jsonl(tmp_path / "b.jsonl", spaced))
    assert report["items"][0]["status"] == "duplicate"
    assert Article.objects.count() == 1


def test_same_url_with_an_edited_body_is_kept_as_a_version(tmp_path):
    run(write_jsonl(tmp_path / "a.jsonl", record()))
    edited = record(body=record()["body"] + "\n\nThe talks will resume in October.")
    code, report = run(write_jsonl(tmp_path / "b.jsonl", edited))
    assert code == 0
    (item,) = report["items"]
    assert item["status"] == "updated"
    article = Article.objects.get()
    assert "October" not in article.body
    version = ArticleVersion.objects.get()
    assert version.article == article
    assert version.body.endswith("The talks will resume in October.")
    # The edited text again is now a duplicate, not another version.
    _, again = run(write_jsonl(tmp_path / "c.jsonl", edited))
    assert again["items"][0]["status"] == "duplicate"
    assert ArticleVersion.objects.count() == 1


def test_a_reprint_in_another_outlet_joins_the_same_story(tmp_path):
    body = (
        "Russian Foreign Minister Sergey Lavrov said on Thursday that Moscow and "
        "Ankara would continue consultations on the Black Sea grain initiative, "
        "adding that the two sides had narrowed their differences over payments.\n\n"
        "He said technical teams would meet again next week in Istanbul."
    )
    first = record(body=body, published_at="2023-08-31T09:00:00Z")
    reprint = record(
        url="https://www.dailysabah.com/politics/lavrov-grain",
        outlet="Daily Sabah",
        published_at="2023-08-31T12:00:00Z",
        body=body.replace("said on Thursday", "said Thursday") + "\n\nAgencies",
    )
    unrelated = record(url="", body="The lira weakened against the dollar on Friday.")
    _, report = run(write_jsonl(tmp_path / "a.jsonl", first, reprint, unrelated))
    assert [i["status"] for i in report["items"]] == ["imported"] * 3
    tass, sabah, other = (
        Article.objects.get(pk=i["article"]["id"]) for i in report["items"]
    )
    assert tass.story_id is not None and tass.story_id == sabah.story_id
    assert other.story_id is None
    assert tass.story.first_article() == tass
    assert any("same story" in w for w in report["items"][1]["warnings"])


def test_a_reprint_imported_later_joins_the_stored_article_s_story(tmp_path):
    """The reprint's fingerprints are matched against those in the archive."""
    body = (
        "Russian Foreign Minister Sergey Lavrov said on Thursday that Moscow and "
        "Ankara would continue consultations on the Black Sea grain initiative, "
        "adding that the two sides had narrowed their differences over payments."
    )
    run(write_jsonl(tmp_path / "a.jsonl", record(body=body)))
    reprint = record(
        url="https://www.dailysabah.com/politics/lavrov-grain",
        outlet="Daily Sabah",
        body=body + "\n\nAgencies",
    )
    _, report = run(write_jsonl(tmp_path / "b.jsonl", reprint))
    tass, sabah = Article.objects.order_by("pk")
    assert tass.story_id is not None and tass.story_id == sabah.story_id
    assert any("same story" in w for w in report["items"][0]["warnings"])


def test_known_outlet_is_matched_by_domain_and_unknown_one_is_created(tmp_path):
    tass = OutletFactory(
        name="TASS Russian News Agency", domains=["tass.com", "tass.ru"]
    )
    _, report = run(
        write_jsonl(
            tmp_path / "a.jsonl",
            record(url="https://tass.ru/politika/1"),
            record(
                url="https://www.trend.az/world/2", outlet="Trend", body="Trend text."
            ),
        )
    )
    first, second = (
        Article.objects.get(pk=i["article"]["id"]) for i in report["items"]
    )
    assert first.outlet == tass
    assert second.outlet.name == "Trend" and second.outlet.domains == ["trend.az"]
    assert any("New outlet" in w for w in report["items"][1]["warnings"])


def test_outlet_option_names_the_outlet_of_inputs_without_one(tmp_path):
    outlet = OutletFactory(slug="kremlin")
    run(
        write_jsonl(tmp_path / "a.jsonl", record(url="", outlet="")),
        "--outlet",
        "kremlin",
    )
    assert Article.objects.get().outlet == outlet


def test_outlet_option_does_not_override_outlets_the_inputs_name(tmp_path):
    fallback = OutletFactory(slug="kremlin", domains=["kremlin.ru"])
    tass = OutletFactory(name="TASS", domains=["tass.com"])
    _, report = run(
        write_jsonl(
            tmp_path / "a.jsonl",
            record(url="https://tass.com/politics/1", outlet="", body="One."),
            record(url="", outlet="Brand New Agency", body="Two."),
            record(url="", outlet="", body="Three."),
        ),
        "--outlet",
        "kremlin",
    )
    outlets = [
        Article.objects.get(pk=item["article"]["id"]).outlet for item in report["items"]
    ]
    assert outlets[0] == tass
    assert outlets[1].name == "Brand New Agency"
    assert outlets[2] == fallback


def test_input_without_any_outlet_is_a_draft_waiting_for_one(tmp_path):
    code, report = run(
        write_jsonl(tmp_path / "a.jsonl", record(url="", outlet="")),
        "--status",
        "published",
    )
    assert code == 0
    item = report["items"][0]
    assert item["status"] == "imported" and item["article"]["outlet"] is None
    assert any("Choose its outlet" in w for w in item["warnings"])
    article = Article.objects.get()
    assert (article.outlet, article.status) == (None, "draft")
    assert not Article.objects.published().exists()


def test_unknown_outlet_slug_is_a_usage_error(tmp_path):
    # From the shell this exits with status 2 (CommandError.returncode).
    with pytest.raises(CommandError, match="No outlet with the slug") as error:
        call_command("import_articles", str(tmp_path), "--outlet", "nope")
    assert error.value.returncode == 2


def test_status_option_sets_the_imported_status(tmp_path):
    run(write_jsonl(tmp_path / "a.jsonl", record()), "--status", "review")
    assert Article.objects.get().status == "review"


def test_dry_run_reports_without_writing(tmp_path):
    source = write_jsonl(
        tmp_path / "a.jsonl", record(outlet="Brand New Outlet", url="")
    )
    code, report = run(source, "--dry-run")
    assert code == 0
    assert report["items"][0]["status"] == "imported"
    assert report["items"][0]["article"]["id"] is None
    assert not Article.objects.exists() and not Outlet.objects.exists()


def test_bad_items_are_rejected_one_by_one_and_the_rest_go_in(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_jsonl(
        folder / "mixed.jsonl",
        record(),
        "{not json",
        record(url="", title=""),
        record(url="", body=""),
        record(url="", published_at="2020-02-31"),
        record(url="https://tass.com/politics/2", body="A second good article."),
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    code, report = run(folder)
    assert code == 1
    by_source = {Path(i["source"]).name: i for i in report["items"]}
    assert by_source["mixed.jsonl:1"]["status"] == "imported"
    assert by_source["mixed.jsonl:6"]["status"] == "imported"
    for line in (2, 3, 4, 5):
        item = by_source[f"mixed.jsonl:{line}"]
        assert item["status"] == "rejected" and item["error"], item
    assert "empty" in by_source["empty.txt"]["error"].lower()
    assert "binary" in by_source["picture.png"]["error"].lower()
    assert report["summary"] == {
        "imported": 2,
        "updated": 0,
        "duplicate": 0,
        "rejected": 6,
    }
    assert Article.objects.count() == 2


def test_a_file_over_the_size_limit_is_rejected(tmp_path):
    source = write_jsonl(tmp_path / "big.jsonl", record())
    code, report = run(source, "--max-bytes", "100")
    assert code == 1
    assert "limit" in report["items"][0]["error"]


def test_a_missing_path_is_reported_not_fatal(tmp_path):
    good = write_jsonl(tmp_path / "a.jsonl", record())
    code, report = run(tmp_path / "missing.txt", good)
    assert code == 1
    assert [i["status"] for i in report["items"]] == ["rejected", "imported"]


def test_a_failing_item_leaves_nothing_half_written(tmp_path, monkeypatch):
    """An error after the article row is written rolls the whole item back."""
    from articles.ingest import service

    def explode(self, drafts):
        raise RuntimeError("suggestions failed")

    monkeypatch.setattr(service.Importer, "_add_suggestions", explode)
    code, report = run(
        write_jsonl(tmp_path / "a.jsonl", record(outlet="New Outlet", url=""))
    )
    assert code == 1
    assert "suggestions failed" in report["items"][0]["error"]
    assert not Article.objects.exists() and not Outlet.objects.exists()


def test_known_people_topics_and_quotes_become_suggestions(tmp_path):
    lavrov = PersonFactory(name="Sergey Lavrov", aliases=["Sergei Lavrov", "Lavrov"])
    grain = TopicFactory(name="Black Sea grain deal", keywords=["grain corridor"])
    run(write_jsonl(tmp_path / "a.jsonl", record()))
    article = Article.objects.get()
    assert set(article.person_links.values_list("person__name", "role", "state")) == {
        ("Sergey Lavrov", "quoted", "suggested")
    }
    assert list(article.topic_links.values_list("topic", "state")) == [
        (grain.pk, "suggested")
    ]
    quote = Quote.objects.get()
    assert (quote.speaker, quote.state) == (lavrov, LinkState.SUGGESTED)
    assert article.body[quote.start : quote.end] == quote.text
    assert quote.text.startswith("We discussed the grain corridor")
    candidates = set(CandidatePerson.objects.values_list("name", "role"))
    assert ("Anna Petrova", "author") in candidates
    assert not Person.objects.filter(name="Anna Petrova").exists()


def test_listed_topics_and_people_are_matched_by_name_or_slug(tmp_path):
    TopicFactory(name="Syria", slug="syria")
    PersonFactory(name="Recep Tayyip Erdoğan", aliases=["Erdogan"])
    run(
        write_jsonl(
            tmp_path / "a.jsonl",
            record(topics=["syria", "Nonexistent"], people=["Erdogan", "New Person"]),
        )
    )
    article = Article.objects.get()
    assert list(article.topics.values_list("slug", flat=True)) == ["syria"]
    assert article.person_links.filter(person__name="Recep Tayyip Erdoğan").exists()
    assert CandidatePerson.objects.filter(name="New Person").exists()


def test_import_queries_do_not_grow_with_the_archive(tmp_path):
    """Outlets, people and topics are loaded once per run, not looked up per row."""

    def queries_for(label):
        records = [
            record(
                url=f"https://tass.com/p/{label}-{n}", body=f"Text {label} number {n}."
            )
            for n in range(5)
        ]
        source = write_jsonl(tmp_path / f"{label}.jsonl", *records)
        with CaptureQueriesContext(connection) as queries:
            items = list(Importer().run([(str(source), source.read_bytes())]))
        assert [i.status for i in items] == ["imported"] * 5
        return len(queries)

    queries_for("warm-up")  # creates the TASS outlet
    small = queries_for("small")
    for n in range(40):
        PersonFactory(name=f"Person Number{n}")
        TopicFactory()
        OutletFactory()
    assert queries_for("large") == small


@needs_seeds
def test_importing_the_seeds_reproduces_the_demo_collection(tmp_path):
    fixture = json.loads((ROOT / "fixtures" / "demo.json").read_text(encoding="utf-8"))
    by_model = {}
    for row in fixture:
        by_model.setdefault(row["model"], {})[row["pk"]] = row["fields"]
    persons = by_model["articles.person"]
    outlets = by_model["articles.outlet"]
    expected = {}
    for pk, fields in by_model["articles.article"].items():
        authors = [
            persons[link["person"]]["name"]
            for link in by_model["articles.articleperson"].values()
            if link["article"] == pk and link["role"] == "author"
        ]
        expected[Path(fields["source"]).name] = (
            fields,
            outlets[fields["outlet"]]["name"],
            authors,
        )

    code, report = run(SEEDS)
    assert code == 0, report
    assert report["summary"]["imported"] == 5, report
    for item in report["items"]:
        fields, outlet, authors = expected[Path(item["source"]).name]
        got = item["article"]
        assert got["title"] == fields["title"]
        assert got["outlet"] == outlet
        assert got["authors"] == authors
        assert normalise_body(got["body"]) == normalise_body(fields["body"])
        if fields["date_inferred"]:
            assert got["published_at"] is None
            assert any("year" in w.lower() for w in item["warnings"]), item["warnings"]
        else:
            assert got["published_at"] == fields["published_at"].replace("Z", "+00:00")
    assert Article.objects.filter(status="draft").count() == 5
    for article in Article.objects.all():
        assert article.raw_text == (SEEDS / Path(article.source).name).read_text()


@needs_seeds
def test_seeds_imported_over_the_demo_archive_are_duplicates(tmp_path, demo):
    code, report = run(SEEDS)
    assert code == 0
    assert report["summary"]["duplicate"] == 5
    assert Article.objects.count() == 5


@needs_seeds
def test_seed_suggestions_use_the_demo_people(tmp_path, demo):
    """Against the demo's people and topics, a fresh copy gets them as suggestions."""
    Article.objects.all().delete()
    run(SEEDS / "001_0013478d1ec33cf3.txt")
    article = Article.objects.get()
    links = set(article.person_links.values_list("person__name", "role"))
    assert ("Sergey Lavrov", "mentioned") in links
    assert ("Ümit Yardım", "quoted") in {(p, r) for p, r in links}
    assert article.topic_links.filter(topic__name="Russia–Turkey relations").exists()
    assert Topic.objects.filter(name="2015 Su-24 shootdown").exists()


def test_human_summary_and_exit_codes(tmp_path, capsys):
    source = write_jsonl(tmp_path / "a.jsonl", record(), "{bad")
    with pytest.raises(SystemExit) as exit:
        call_command("import_articles", str(source))
    assert exit.value.code == 1
    captured = capsys.readouterr()
    assert "1 imported, 0 updated, 0 duplicate, 1 rejected." in captured.out
    assert f"rejected: {source}:2" in captured.err


def test_roles_are_recorded_for_authors_known_to_the_archive(tmp_path):
    PersonFactory(name="Anna Petrova")
    run(write_jsonl(tmp_path / "a.jsonl", record()))
    link = ArticlePerson.objects.get(person__name="Anna Petrova")
    assert (link.role, link.state) == ("author", "suggested")


def test_two_captures_of_one_url_in_a_file_make_an_article_and_a_version(tmp_path):
    first = record()
    edited = record(body=record()["body"] + "\n\nUpdated with new details.")
    code, report = run(write_jsonl(tmp_path / "a.jsonl", first, edited))
    assert code == 0
    assert [i["status"] for i in report["items"]] == ["imported", "updated"]
    assert ArticleVersion.objects.get().article == Article.objects.get()


def test_a_dry_run_names_one_new_outlet_once_and_creates_nothing(tmp_path):
    records = [
        record(outlet="Brand New Outlet", url="", body=f"Text number {n}.")
        for n in range(3)
    ]
    code, report = run(write_jsonl(tmp_path / "a.jsonl", *records), "--dry-run")
    assert code == 0
    assert [i["status"] for i in report["items"]] == ["imported"] * 3
    assert not Outlet.objects.exists()


def test_a_batch_with_a_failing_item_keeps_the_others(tmp_path, monkeypatch):
    """The bulk write of a batch fails; the batch is redone item by item and
    only the failing item is lost."""
    from articles.ingest import service

    real = service.Importer._add_suggestions

    def fail_on_bad(self, drafts):
        if any("BAD" in d.article.title for d in drafts):
            raise RuntimeError("bad article")
        return real(self, drafts)

    monkeypatch.setattr(service.Importer, "_add_suggestions", fail_on_bad)
    records = [
        record(url="", title=f"Good {n}", body=f"Good text {n}.") for n in range(3)
    ] + [record(url="", title="BAD one", body="Bad text.")]
    code, report = run(write_jsonl(tmp_path / "a.jsonl", *records))
    assert code == 1
    assert [i["status"] for i in report["items"]] == ["imported"] * 3 + ["rejected"]
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Good 0",
        "Good 1",
        "Good 2",
    ]


def test_same_titles_within_and_across_batches_get_distinct_slugs(tmp_path):
    first = [record(url="", body=f"First run {n}.") for n in range(3)]
    run(write_jsonl(tmp_path / "a.jsonl", *first))
    second = [record(url="", body=f"Second run {n}.") for n in range(3)]
    code, report = run(write_jsonl(tmp_path / "b.jsonl", *second))
    assert code == 0, report
    slugs = list(Article.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 6


def test_reporting_duplicates_costs_no_query_per_duplicate(tmp_path):
    """Re-importing a big export must not look up each duplicate's authors alone."""

    def queries_for(count):
        records = [
            record(url=f"https://tass.com/d/{count}/{n}", body=f"Body {count} {n}.")
            for n in range(count)
        ]
        source = write_jsonl(tmp_path / f"d{count}.jsonl", *records)
        list(Importer().run([(str(source), source.read_bytes())]))  # first import
        with CaptureQueriesContext(connection) as queries:
            items = list(Importer().run([(str(source), source.read_bytes())]))
        assert {i.status for i in items} == {"duplicate"}
        return len(queries)

    assert queries_for(2) == queries_for(12)


def test_an_import_in_worker_processes_matches_one_in_process(tmp_path, monkeypatch):
    """Large imports are parsed and analysed in forked workers; the articles,
    links, slugs and report are those of an import done in process."""
    from articles.ingest import service

    PersonFactory(name="Sergey Lavrov", aliases=["Lavrov"])
    PersonFactory(name="Hakan Fidan")
    TopicFactory(name="Black Sea grain deal", keywords=["grain corridor"])
    records = [
        record(
            url=f"https://tass.com/politics/{n}",
            title=f"Lavrov and Fidan discuss grain corridor {n % 4}",
            body=record()["body"] + f"\n\nTalks number {n} ended at noon.",
            **({} if n % 5 else {"language": ""}),
        )
        for n in range(23)
    ]
    records[7] = "{not json"
    records[11] = record(url="https://tass.com/politics/3", body="A new text.")
    records[15] = dict(records[2])  # a duplicate
    jsonl = write_jsonl(tmp_path / "a.jsonl", *records)
    page = tmp_path / "page.txt"
    page.write_text(
        "Lavrov meets Fidan\n\nBy Anna Petrova\n\nMOSCOW, August 31 /TASS/. "
        + record()["body"],
        encoding="utf-8",
    )
    sources = [(str(jsonl), jsonl.read_bytes()), (str(page), page.read_bytes())]

    def snapshot(workers):
        items = [i.as_dict() for i in Importer(workers=workers).run(sources)]
        for item in items:
            if item["article"]:
                item["article"].pop("id")
        articles = [
            (a.slug, a.title, a.language, a.word_count, a.content_hash, a.raw_text)
            for a in Article.objects.order_by("source")
        ]
        links = sorted(
            ArticlePerson.objects.values_list("article__slug", "person__name", "role")
        )
        rest = (
            sorted(Quote.objects.values_list("article__slug", "text", "start")),
            sorted(CandidatePerson.objects.values_list("article__slug", "name")),
            sorted(ArticleVersion.objects.values_list("article__slug", "source")),
            Article.objects.filter(topics__isnull=False).count(),
        )
        Article.objects.all().delete()
        Story.objects.all().delete()
        Outlet.objects.all().delete()
        return items, articles, links, rest

    pools = []
    real = service.Importer._entries_from_workers

    def counted(self, jobs):
        pools.append(self.workers)
        return real(self, jobs)

    monkeypatch.setattr(service.Importer, "_entries_from_workers", counted)
    monkeypatch.setattr(service, "POOL_MIN_ITEMS", 5)
    monkeypatch.setattr(service, "CHUNK_ITEMS", 3)
    in_workers = snapshot(workers=2)
    in_process = snapshot(workers=1)
    assert pools == [2]
    assert in_workers == in_process
    statuses = [i["status"] for i in in_workers[0]]
    assert statuses.count("rejected") == 1 and statuses.count("duplicate") == 1
    assert statuses.count("updated") == 1 and len(statuses) == 24
    assert in_workers[2] and in_workers[3][0]


def test_an_article_the_model_would_refuse_is_rejected_with_the_field_s_error(
    tmp_path,
):
    """The importer validates new articles without full_clean, but a value the
    model refuses (a URL its validator rejects) still rejects the item."""
    code, report = run(
        write_jsonl(tmp_path / "a.jsonl", record(url="https://a..b/x"), record(url=""))
    )
    assert code == 1
    first, second = report["items"]
    assert first["status"] == "rejected"
    assert first["error"] == "url: Enter a valid URL."
    assert second["status"] == "imported"


def test_the_command_hands_large_imports_to_worker_processes(tmp_path, monkeypatch):
    from articles.ingest import service

    pools = []
    real = service.Importer._entries_from_workers

    def counted(self, jobs):
        pools.append(self.workers)
        return real(self, jobs)

    monkeypatch.setattr(service.Importer, "_entries_from_workers", counted)
    monkeypatch.setattr(service, "POOL_MIN_ITEMS", 3)
    records = [record(url="", body=f"Text number {n}.") for n in range(4)]
    source = write_jsonl(tmp_path / "a.jsonl", *records)
    code, report = run(source, "--workers", "2")
    assert code == 0 and report["summary"]["imported"] == 4
    assert pools == [2]
    with pytest.raises(CommandError):
        call_command("import_articles", str(source), "--workers", "0")
