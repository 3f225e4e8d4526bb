"""Where each article came from, as the first entry of its history page says:
fixtures, imports (command and admin) and the generated corpus."""

import getpass
import json
from io import StringIO

import html5lib
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles.models import Article, ImportBatch, Person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page(response):
    assert response.status_code == 200
    return html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def history_entries(client, obj) -> list[dict]:
    """The rows of an object's admin history page, newest first, by column."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    table = page(client.get(url)).find(".//table[@id='change-history']")
    headings = [text(th) for th in table.findall("./thead/tr/th")]
    return [
        dict(zip(headings, (text(td) for td in tr.findall("td")), strict=True))
        for tr in table.findall("./tbody/tr")
    ]


def first_entry(client, obj) -> dict:
    return history_entries(client, obj)[-1]


def record(**fields) -> dict:
    return {
        "title": "Peskov comments on grain talks",
        "url": "https://tass.com/politics/77",
        "outlet": "TASS",
        "published_at": "2023-09-01T08:00:00Z",
        "body": "Kremlin spokesman Dmitry Peskov said talks on grain would continue.",
        **fields,
    }


# Fixtures


def test_fixture_articles_start_with_the_fixture_they_came_from(curator_client):
    call_command("loaddata", "fixtures/demo.json", verbosity=0)
    articles = list(Article.objects.all())
    assert len(articles) == 5
    for article in articles:
        (entry,) = history_entries(curator_client, article)
        assert entry["Comment"] == "Created"
        assert entry["Change reason"] == "Loaded from fixture demo.json"
    person = Person.objects.first()
    assert first_entry(curator_client, person)["Change reason"] == (
        "Loaded from fixture demo.json"
    )


def test_the_first_entry_is_the_article_as_loaded(curator_client):
    """Later changes are shown against the loaded version: an edit of the title
    shows as a change of the title alone."""
    call_command("loaddata", "fixtures/demo.json", verbosity=0)
    article = Article.objects.order_by("pk").first()
    loaded = article.history.get()
    assert (loaded.title, loaded.body, loaded.status) == (
        article.title,
        article.body,
        article.status,
    )
    article.title = "A curator's better title"
    article.save()
    latest, first = history_entries(curator_client, article)
    assert first["Change reason"] == "Loaded from fixture demo.json"
    assert latest["Comment"] == "Changed"
    assert latest["Changes"].startswith("Title:")
    assert "Body:" not in latest["Changes"]


def test_load_demo_articles_say_so(demo, curator_client):
    article = Article.objects.published().first()
    entry = first_entry(curator_client, article)
    assert (entry["Comment"], entry["Change reason"]) == (
        "Created",
        "Loaded from fixture demo.json",
    )


def test_reloading_the_demo_records_a_change(demo, curator_client):
    call_command("load_demo", "--force", stdout=StringIO())
    article = Article.objects.published().first()
    latest, first = history_entries(curator_client, article)
    assert first["Comment"] == "Created"
    assert (latest["Comment"], latest["Change reason"]) == (
        "Changed",
        "Loaded from fixture demo.json",
    )


def test_a_fixture_with_its_own_history_keeps_it(tmp_path):
    call_command("loaddata", "fixtures/demo.json", verbosity=0)
    dump = tmp_path / "with-history.json"
    call_command(
        "dumpdata",
        "articles.Outlet",
        "articles.Article",
        "articles.HistoricalArticle",
        output=str(dump),
        verbosity=0,
    )
    Article.history.model.objects.update(history_change_reason="From the backup")
    before = Article.history.count()
    call_command("loaddata", str(dump), verbosity=0)
    assert Article.history.count() == before
    assert set(Article.history.values_list("history_change_reason", flat=True)) == {
        "Loaded from fixture demo.json"
    }


# Imports


def run_import(*args):
    out = StringIO()
    call_command("import_articles", *map(str, args), stdout=out)
    return out.getvalue()


def test_command_import_names_file_batch_and_account(tmp_path, curator, client):
    source = tmp_path / "tass-export.jsonl"
    source.write_text(json.dumps(record()) + "\n")
    output = run_import(source, "--user", curator.username)
    batch = ImportBatch.objects.get()
    assert f"Kept as import batch {batch.pk}" in output
    article = Article.objects.get()
    assert article.import_batch == batch
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    (entry,) = history_entries(client, article)
    assert entry["Comment"] == "Created"
    assert entry["Changed by"] == curator.username
    assert entry["Change reason"] == (
        f"Imported from tass-export.jsonl:1 (batch {batch.pk}) by {curator.username}"
    )
    assert (batch.origin, batch.user, batch.summary["imported"]) == (
        "command",
        curator,
        1,
    )


def test_command_import_without_an_account_names_the_system_user(
    tmp_path, curator_client
):
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(3):
        (folder / f"page-{n}.jsonl").write_text(
            json.dumps(record(url=f"https://tass.com/{n}", body=f"Text number {n}."))
        )
    run_import(folder)
    batch = ImportBatch.objects.get()
    assert batch.started_by == f"{getpass.getuser()} (import_articles)"
    for article in Article.objects.all():
        entry = first_entry(curator_client, article)
        assert entry["Changed by"] == "None"
        assert entry["Change reason"] == (
            f"Imported from {article.source.rsplit('/', 1)[-1]} (batch {batch.pk}) "
            f"by {getpass.getuser()} (import_articles)"
        )


def test_a_long_file_name_is_cut_to_fit_the_reason(tmp_path, curator_client):
    source = tmp_path / ("a-very-long-name-for-an-export-" * 5 + "end.jsonl")
    source.write_text(json.dumps(record()))
    run_import(source)
    reason = first_entry(curator_client, Article.objects.get())["Change reason"]
    assert len(reason) <= 100
    assert reason.startswith("Imported from a-very-long-name")
    assert "…" in reason and "end.jsonl:1 (batch" in reason


def test_command_import_refuses_an_unknown_account(tmp_path):
    source = tmp_path / "x.jsonl"
    source.write_text(json.dumps(record()))
    with pytest.raises(Exception, match="No account “nobody”"):
        run_import(source, "--user", "nobody")
    assert not ImportBatch.objects.exists() and not Article.objects.exists()


def test_dry_run_keeps_no_import(tmp_path):
    source = tmp_path / "x.jsonl"
    source.write_text(json.dumps(record()))
    run_import(source, "--dry-run")
    assert not ImportBatch.objects.exists()
    assert not Article.history.exists()


def upload(curator_client, **data):
    files = SimpleUploadedFile(
        "export.jsonl", json.dumps(record()).encode(), "application/json"
    )
    return curator_client.post(
        reverse("admin:articles_article_import"),
        {"files": [files, SimpleUploadedFile("empty.txt", b"")], "status": "draft"}
        | data,
    )


def test_admin_import_shows_in_recent_actions_with_a_link_to_its_report(
    curator_client, curator
):
    response = upload(curator_client)
    batch = ImportBatch.objects.get()
    report_url = reverse("admin:articles_importbatch_change", args=[batch.pk])
    kept = page(response).find(".//p[@id='import-kept']")
    assert kept.find("a").get("href") == report_url

    index = page(curator_client.get(reverse("admin:index")))
    recent = index.find(".//div[@id='recent-actions-module']")
    links = [a for a in recent.iter("a") if a.get("href") == report_url]
    assert [text(a) for a in links] == [
        f"Import batch {batch.pk}: export.jsonl, empty.txt"
    ]

    report = page(curator_client.get(report_url))
    module = report.find(".//div[@id='import-batch-report']")
    assert "1 imported, 0 updated, 0 duplicate, 1 rejected." in text(module)
    article = Article.objects.get()
    rows = {
        text(tr.find("td")): tr for tr in module.iter("tr") if tr.find("td") is not None
    }
    link = rows["export.jsonl:1"].find(".//a")
    assert link.get("href") == reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    assert "The file is empty" in text(rows["empty.txt"])

    entry = first_entry(curator_client, article)
    assert entry["Changed by"] == curator.username
    assert entry["Change reason"] == (
        f"Imported from export.jsonl:1 (batch {batch.pk}) by {curator.username}"
    )


def test_admin_dry_run_is_not_kept(curator_client):
    upload(curator_client, dry_run="on")
    assert not ImportBatch.objects.exists()
    assert not LogEntry.objects.exists()


def test_import_reports_are_for_those_who_may_import(curator_client):
    upload(curator_client)
    batch = ImportBatch.objects.get()
    url = reverse("admin:articles_importbatch_change", args=[batch.pk])
    assert curator_client.post(url, {"sources": "x"}).status_code == 403
    batch.refresh_from_db()
    assert batch.sources == "export.jsonl, empty.txt"
    assert curator_client.get(url).status_code == 200
    anonymous = Client()
    assert anonymous.get(url).status_code == 302  # to the login page
    anonymous.force_login(UserFactory(is_staff=True))
    assert anonymous.get(url).status_code == 403


# The generated corpus


def generate(**options):
    call_command(
        "generate_corpus",
        stdout=StringIO(),
        people=400,
        topics=150,
        **options,
    )


def test_generated_articles_start_with_the_generator_and_seed(curator_client):
    generate(articles=30, seed=7, batch_size=8)
    assert Article.history.count() == 30
    assert set(Article.history.values_list("history_type", flat=True)) == {"+"}
    article = Article.objects.order_by("?").first()
    (entry,) = history_entries(curator_client, article)
    assert entry["Change reason"] == "Generated by generate_corpus (seed 7)"
    assert article.history.get().body == article.body


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY workers are PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_copy_workers_write_the_history_too(client):
    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
                [Article.history.model._meta.db_table],
            )
            return cursor.fetchall()

    before = indexes()
    generate(articles=50, seed=3, batch_size=16, workers=2)
    assert indexes() == before  # dropped for the load, built again
    history = Article.history.model.objects
    assert history.count() == 50
    assert sorted(history.values_list("id", flat=True)) == sorted(
        Article.objects.values_list("pk", flat=True)
    )
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    article = Article.objects.order_by("pk").last()
    (entry,) = history_entries(client, article)
    assert entry["Change reason"] == "Generated by generate_corpus (seed 3)"
