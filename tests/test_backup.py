"""export_archive and import_archive: a round trip loses nothing, and a file
that cannot be restored whole is refused without writing anything."""

import datetime as dt
import gzip
import hashlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles import backup, search
from articles.merging import merge
from articles.models import (
    Annotation,
    Article,
    ArticleFingerprint,
    ArticleTopic,
    ArticleVersion,
    CandidatePerson,
    ImportBatch,
    LinkState,
    Person,
    SearchChange,
    Story,
    Topic,
)
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    ArticlePersonFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
# Odd text that must come back byte for byte: right-to-left and zero-width
# marks, a combining accent, an astral-plane character, markup.
ODD = 'Erdog\u0306an \u202eRTL\u202c zero\u200bwidth 🗞 <script>x()</script> \\ "q"'


def export(tmp_path, name="archive.jsonl.gz") -> str:
    path = tmp_path / name
    call_command("export_archive", str(path), stdout=StringIO())
    return str(path)


def restore(path):
    call_command("import_archive", str(path), stdout=StringIO())


def archive_models():
    """The tables an archive keeps (not the search outbox: what is waiting to
    be indexed, which is not part of the archive)."""
    return [
        model
        for model in apps.get_app_config("articles").get_models()
        if model is not SearchChange
    ]


def snapshot() -> dict:
    """Every row of every archive table, field by field, users by username."""
    usernames = dict(User.objects.values_list("pk", "username"))
    tables = {}
    for model in archive_models():
        users = {f.attname for f in backup.user_fields(model)}
        rows = []
        for row in model.objects.order_by("pk").values():
            for attname in users:
                row[attname] = usernames.get(row[attname], row[attname])
            rows.append(row)
        tables[model._meta.label] = rows
    return tables


def empty_archive():
    """Remove every archive row and every user, as a new database would be."""
    for model in reversed([*backup.MODELS, *backup.DERIVED_MODELS]):
        model.objects.all()._raw_delete(model.objects.db)
    User.objects.all().delete()


def archive_is_empty() -> bool:
    return not backup.occupied_tables() and not User.objects.exists()


def end_record(path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return json.loads(lines.readlines()[-1])


def rewrite(path, change, *, reseal=True) -> str:
    """Return the path of a copy of the archive whose records change(records)
    made; resealed, its end record has the changed records' checksum, as if
    the file had been written so."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = change([json.loads(line) for line in lines])
    if reseal:
        digest = hashlib.sha256()
        for record in records[1:-1]:
            digest.update(backup._line(record))
        records[-1].update(sha256=digest.hexdigest(), records=len(records) - 2)
    changed = f"{path}.changed.gz"
    with gzip.open(changed, "wb") as out:
        for record in records:
            out.write(backup._line(record))  # unchanged lines keep their bytes
    return changed


def enrich(curator, editor):
    """Add to the archive a row of every kind the demo lacks: history made by
    named users, internal annotations, suggestions, versions, stories,
    fingerprints, tombstones, a merge, raw sources and odd text."""
    article = Article.objects.order_by("pk").first()
    article._history_user = curator
    article.title = f"{article.title} {ODD}"
    article.raw_text = f"<html><body>{ODD}</body></html>\r\n\x0b"
    article.source = "saved/page.html"
    article.notes = f"Internal: {ODD}"
    article.imported_at = timezone.now()
    article.save()
    Article.objects.filter(pk=article.pk).set_status(
        Article.Status.WITHDRAWN, reason="Fabricated quote."
    )
    batch = ImportBatch.objects.create(
        origin=ImportBatch.Origin.ADMIN,
        user=curator,
        started_by="curator",
        sources=f"saved/page.html, {ODD}",
        status=Article.Status.DRAFT,
        finished_at=timezone.now(),
        summary={"imported": 1, "rejected": 1},
        items=[
            {"source": "saved/page.html", "status": "imported", "warnings": [ODD]},
            {"source": ODD, "status": "rejected", "error": "The file is empty."},
        ],
    )
    Article.objects.filter(pk=article.pk).update(import_batch=batch)
    outlet = OutletFactory(name=f"Outlet {ODD}", domains=["odd.example"])
    story = Story.objects.create()
    first = ArticleFactory(outlet=outlet, story=story, raw_text="raw one")
    ArticleFactory(outlet=outlet, story=story, status=Article.Status.DRAFT)
    ArticleFactory(outlet=outlet, published_at=None, status=Article.Status.REVIEW)
    ArticleVersion.objects.create(
        article=first,
        captured_at=timezone.now() - dt.timedelta(days=1),
        title="Earlier title",
        body="Earlier body.",
        content_hash="a" * 64,
        raw_text="<p>Earlier body.</p>",
        source="https://example.org/earlier",
    )
    ArticleFingerprint.objects.bulk_create(
        ArticleFingerprint(article=first, key=key) for key in (-(2**63), 0, 2**63 - 1)
    )
    parent = TopicFactory(keywords=["wheat", ODD])
    TopicFactory(parent=parent, name="Grain corridor")
    person = PersonFactory(aliases=["Сергей", ODD], wikidata_id="Q99999991")
    ArticlePersonFactory(article=first, person=person, state=LinkState.SUGGESTED)
    ArticleTopic.objects.create(article=first, topic=parent, state=LinkState.SUGGESTED)
    QuoteFactory(article=first, speaker=person, state=LinkState.SUGGESTED)
    AnnotationFactory(
        article=first,
        author=curator,
        exact="useful exchange",
        visibility=Annotation.Visibility.INTERNAL,
        note=f"Check this. {ODD}",
    )
    AnnotationFactory(article=first, author=editor, note="On the whole article.")
    CandidatePerson.objects.create(
        article=first, name="Ivan Petrov", title="Deputy Minister", context="…"
    )
    duplicate = PersonFactory(name="S. Lavrov")
    ArticlePersonFactory(article=first, person=duplicate)
    merge(survivor=person, absorbed=duplicate, user=editor)
    ArticleFactory(outlet=outlet).delete()  # a tombstone for a deleted draft


def assert_same(after, before):
    for label, rows in before.items():
        assert len(after[label]) == len(rows), label
        for old, new in zip(rows, after[label], strict=True):
            assert new == old, label


def test_every_archive_table_is_exported_or_rebuilt():
    covered = {*backup.MODELS, *backup.DERIVED_MODELS}
    assert {*archive_models(), SearchChange} == covered


def test_demo_round_trip_loses_nothing(demo, curator, editor, tmp_path):
    enrich(curator, editor)
    before = snapshot()
    empty = [label for label, rows in before.items() if not rows]
    assert not empty, "the round trip should cover every table"
    path = export(tmp_path)

    empty_archive()
    UserFactory(username="curator")  # already here, under another id
    restore(path)

    assert_same(snapshot(), before)
    assert User.objects.get(username="curator").is_active
    restored_editor = User.objects.get(username="editor")
    assert not restored_editor.is_active
    assert not restored_editor.has_usable_password()


def test_generated_corpus_round_trip_loses_nothing(tmp_path):
    call_command(
        "generate_corpus",
        articles=300,
        outlets=5,
        people=60,
        topics=20,
        batch_size=100,
        workers=1,
        stdout=StringIO(),
    )
    before = snapshot()
    assert len(before["articles.Article"]) == 300
    path = export(tmp_path)

    empty_archive()
    restore(path)

    assert_same(snapshot(), before)
    # Exported again, the same records byte for byte (users, whose ids change
    # on import, aside: this corpus has none).
    again = export(tmp_path, "again.jsonl.gz")
    assert end_record(again) == end_record(path)


def test_restored_articles_are_searchable(demo, tmp_path):
    lavrov = search.Question(text=search.parse("Lavrov"))
    found = search.find(lavrov).total
    assert found
    path = export(tmp_path)
    empty_archive()
    assert search.find(lavrov).total == 0
    restore(path)

    assert search.find(lavrov).total == found


def test_new_rows_after_import_get_new_ids(demo, tmp_path):
    path = export(tmp_path)
    highest = Article.objects.order_by("-pk").first().pk
    empty_archive()
    restore(path)

    article = ArticleFactory(outlet=Article.objects.first().outlet)

    assert article.pk > highest
    assert article.history.first().history_id > 0


def test_refuses_a_database_that_holds_an_archive(demo, tmp_path):
    path = export(tmp_path)
    before = snapshot()

    with pytest.raises(CommandError, match="already holds an archive") as error:
        restore(path)

    assert error.value.returncode == 2
    assert_same(snapshot(), before)


def test_a_failed_import_writes_nothing(demo, curator, editor, tmp_path):
    enrich(curator, editor)
    path = export(tmp_path)
    empty_archive()

    def tamper(lines):
        lines[-2]["fields"]["history_change_reason"] = "edited"
        return lines

    with pytest.raises(CommandError, match="checksum"):
        restore(rewrite(path, tamper, reseal=False))

    assert archive_is_empty()


def test_refuses_a_truncated_file(demo, tmp_path):
    path = export(tmp_path)
    data = (tmp_path / path).read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    empty_archive()

    with pytest.raises(CommandError, match=r"Line \d+: the file is cut short"):
        restore(cut)

    assert archive_is_empty()


def test_refuses_a_file_cut_at_a_line_end(demo, tmp_path):
    path = export(tmp_path)
    empty_archive()

    with pytest.raises(CommandError, match="without its end record"):
        restore(rewrite(path, lambda lines: lines[:-10]))

    assert archive_is_empty()


def test_refuses_an_unknown_version(demo, tmp_path):
    path = export(tmp_path)
    empty_archive()

    def future(lines):
        lines[0]["version"] = 99
        return lines

    with pytest.raises(CommandError, match="Line 1: archive format version 99"):
        restore(rewrite(path, future))

    assert archive_is_empty()


def test_refuses_a_file_that_is_not_an_archive(tmp_path):
    other = tmp_path / "fixture.json"
    other.write_text('{"model": "articles.outlet"}\n')

    with pytest.raises(CommandError, match="Line 1: this is not a news-archive"):
        restore(other)

    assert archive_is_empty()


def test_refuses_a_tampered_count(demo, tmp_path):
    path = export(tmp_path)
    empty_archive()

    def more(lines):
        lines[0]["counts"]["articles.article"] += 1
        return lines

    with pytest.raises(CommandError, match="header says 6, file has 5"):
        restore(rewrite(path, more))

    assert archive_is_empty()


def test_a_malformed_line_is_named(demo, tmp_path):
    path = export(tmp_path)
    with gzip.open(path, "rb") as lines:
        lines = lines.readlines()
    lines[7] = b'{"type": "articles.person", "fields": {"id": 1,\n'
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join(lines))  # uncompressed JSON Lines are read too
    empty_archive()

    with pytest.raises(CommandError, match="Line 8: not valid JSON"):
        restore(broken)

    assert archive_is_empty()


def test_refuses_a_record_with_unknown_fields(demo, tmp_path):
    path = export(tmp_path)
    empty_archive()

    def newer(lines):
        lines[3]["fields"]["mood"] = "cheerful"
        return lines

    with pytest.raises(
        CommandError, match=r"Line 4: articles\.outlet has no field mood"
    ):
        restore(rewrite(path, newer))

    assert archive_is_empty()


def test_refuses_records_that_refer_to_missing_rows(demo, tmp_path):
    path = export(tmp_path)
    empty_archive()

    def without_outlets(records):
        records[0]["counts"]["articles.outlet"] = 0
        return [r for r in records if r.get("type") != "articles.outlet"]

    with pytest.raises(CommandError, match=r"(refer to rows|refused)"):
        restore(rewrite(path, without_outlets))

    assert archive_is_empty()


def test_refuses_a_record_twice(demo, tmp_path):
    path = export(tmp_path)
    empty_archive()

    def twice(records):
        records[0]["counts"]["articles.person"] += 1
        person = next(r for r in records if r.get("type") == "articles.person")
        return [*records[:6], person, *records[6:]]

    with pytest.raises(CommandError, match=r"Lines 6–16 \(articles\.person\)"):
        restore(rewrite(path, twice))

    assert archive_is_empty()


def test_a_failed_export_leaves_no_file(demo, tmp_path, monkeypatch):
    written = []

    def failing(record):
        if len(written) > 5:
            raise OSError("disk full")
        written.append(record)
        return json.dumps(record, default=str).encode() + b"\n"

    monkeypatch.setattr(backup, "_line", failing)

    with pytest.raises(CommandError, match="disk full"):
        export(tmp_path)

    assert list(tmp_path.iterdir()) == []


def test_export_keeps_an_existing_file_unless_told(demo, tmp_path):
    path = tmp_path / "archive.jsonl.gz"
    path.write_text("yesterday's backup")

    with pytest.raises(CommandError, match="exists"):
        call_command("export_archive", str(path), stdout=StringIO())
    assert path.read_text() == "yesterday's backup"

    call_command("export_archive", str(path), "--overwrite", stdout=StringIO())
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines))
    assert header["format"] == "news-archive"
    assert header["version"] == 1
    assert header["counts"]["articles.article"] == 5


def test_records_carry_no_derived_data(demo, tmp_path):
    path = export(tmp_path)
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]

    types = {r["type"] for r in records[1:-1]}
    assert "articles.searchchange" not in types
    for record in records[1:-1]:
        assert "published_count" not in record["fields"]
    assert Person.objects.filter(published_count__gt=0).exists()
    assert Topic.objects.exists()
