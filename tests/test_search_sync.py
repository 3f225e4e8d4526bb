"""The search index stays in step with the database: every write path reaches
it through the outbox, a crash between commit and indexing is caught up,
concurrent writers leave it right, drift is found and repaired, and a missing
or damaged index makes search answer 503 while every other page works."""

import json
import os
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from articles import merging, search, services
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Quote,
    SearchChange,
    Topic,
)
from articles.search import Question, parse, sync
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def titles(**question) -> list[str]:
    q = question.pop("q", "")
    hits = search.find(Question(text=parse(q), **question), per_page=100)
    return sorted(a.title for a in hits.articles)


def indexed(**question) -> set[int]:
    """The ids the index itself holds for a question (not checked against the
    database as a page's rows are), after catching up."""
    sync.catch_up()
    return set(sync.engine().search(Question(**question), order="newest").ids)


# Every write path


def test_saving_an_article_changes_what_is_found():
    article = ArticleFactory(title="Grain deal", body="About grain.")
    assert titles(q="grain") == ["Grain deal"]
    article.title, article.body = "Gas deal", "About gas."
    article.save()
    assert titles(q="grain") == [] and titles(q="gas") == ["Gas deal"]


def test_status_changes_one_by_one_and_in_bulk():
    article = ArticleFactory(title="Talks")
    other = ArticleFactory(title="More talks")
    article.status = Article.Status.DRAFT
    article.save()
    assert indexed() == {other.pk}
    Article.objects.all().set_status(Article.Status.PUBLISHED)
    assert indexed() == {article.pk, other.pk}
    Article.objects.filter(pk=other.pk).set_status(
        Article.Status.WITHDRAWN, reason="Retracted."
    )
    assert indexed() == {article.pk}


def test_raw_updates_reach_the_index_too():
    """The outbox is written by the database, whoever writes: here a bulk
    update() that sends no signal."""
    article = ArticleFactory(title="Before")
    Article.objects.filter(pk=article.pk).update(title="After")
    assert titles(q="after") == ["After"]


def test_links_and_quotes_change_what_is_found():
    article = ArticleFactory()
    person, topic = PersonFactory(), TopicFactory()
    link = ArticlePersonFactory(article=article, person=person, role="mentioned")
    ArticleTopicFactory(article=article, topic=topic, state=LinkState.SUGGESTED)
    assert indexed(people=(person.pk,)) == {article.pk}
    assert indexed(topics=(topic.pk,)) == set()
    ArticleTopic.objects.filter(article=article).update(state=LinkState.CONFIRMED)
    assert indexed(topics=(topic.pk,)) == {article.pk}
    link.role = "quoted"
    link.save()
    assert indexed(people=(person.pk,), role="quoted") == {article.pk}
    link.delete()
    assert indexed(people=(person.pk,)) == set()
    quote = QuoteFactory(article=article, speaker=person)
    assert indexed(speakers=(person.pk,)) == {article.pk}
    quote.delete()
    assert indexed(speakers=(person.pk,)) == set()


def test_bulk_tagging_reaches_the_index():
    articles = [ArticleFactory() for _ in range(3)]
    topic, person = TopicFactory(), PersonFactory()
    selected = Article.objects.filter(pk__in=[a.pk for a in articles[:2]])
    services.add_topic(articles=selected, topic=topic)
    services.add_person(articles=selected, person=person, role="quoted")
    assert indexed(topics=(topic.pk,)) == {articles[0].pk, articles[1].pk}
    assert indexed(people=(person.pk,), role="quoted") == {
        articles[0].pk,
        articles[1].pk,
    }
    services.remove_topic(articles=selected, topic=topic)
    assert indexed(topics=(topic.pk,)) == set()


def test_merges_and_their_undo_reach_the_index():
    article = ArticleFactory()
    kept, twin = PersonFactory(name="Sergey Lavrov"), PersonFactory(name="S. Lavrov")
    ArticlePersonFactory(article=article, person=twin)
    record = merging.merge(survivor=kept, absorbed=twin)
    assert indexed(people=(kept.pk,)) == {article.pk}
    merging.undo_merge(record=record)
    twin = Person.objects.get(name="S. Lavrov")
    assert indexed(people=(kept.pk,)) == set()
    assert indexed(people=(twin.pk,)) == {article.pk}


def test_deleting_an_article_removes_it():
    article = ArticleFactory(title="Gone soon")
    assert titles(q="gone") == ["Gone soon"]
    article.delete()
    assert indexed() == set()


def test_an_import_reaches_the_index(tmp_path):
    OutletFactory(name="TASS", domains=["tass.com"])
    page = tmp_path / "page.txt"
    page.write_text(
        "Lavrov and Fidan discuss the grain corridor\n\n"
        "https://tass.com/politics/1\n\n"
        "MOSCOW, March 3. /TASS/. The ministers discussed the grain corridor "
        "at length on Friday, the ministry said in a statement.",
        encoding="utf-8",
    )
    call_command(
        "import_articles", str(page), "--status", "published", stdout=StringIO()
    )
    assert titles(q="corridor") == ["Lavrov and Fidan discuss the grain corridor"]


def test_loaddata_reaches_the_index():
    """Django's own way to load data sends raw signals and writes rows the
    triggers see: the demo loaded with loaddata is searchable."""
    demo = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
    call_command("loaddata", str(demo), stdout=StringIO())
    assert search.count(Question(text=parse("Lavrov"))) > 0


def test_each_write_applies_its_changes_once_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="Committed")
    # Applied by the writer, not left for the next search.
    assert not SearchChange.objects.exists()
    assert set(sync.engine().search(Question(), order="newest").ids) == set(
        Article.objects.values_list("pk", flat=True)
    )


@pytest.fixture
def applier_thread(settings):
    settings.SEARCH_APPLY_IN_THREAD = True
    yield sync.applier
    assert sync.applier.flush(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_the_applier_applies_a_commit_in_its_own_thread(applier_thread, monkeypatch):
    threads = []
    apply = sync.apply

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return apply(*args, **kwargs)

    monkeypatch.setattr(sync, "apply", recorded)
    outlet = OutletFactory()
    with transaction.atomic():
        for n in range(30):
            ArticleFactory(outlet=outlet, title=f"Bulk {n}")
        assert threads == []  # nothing before the commit
    assert applier_thread.flush(timeout=10)
    assert threads and set(threads) == {"search-applier"}
    assert not SearchChange.objects.exists()
    assert len(sync.engine().search(Question(), order="newest", limit=50).ids) == 30


# Crashes, concurrency, drift


@pytest.mark.django_db(transaction=True)
def test_a_writer_killed_after_its_commit_is_caught_up_by_the_follower(monkeypatch):
    # The process dies after committing, before it applies the outbox.
    monkeypatch.setattr(sync, "apply_after_commit", lambda using="default": None)
    article = ArticleFactory(title="Orphaned change")
    assert SearchChange.objects.exists()
    assert set(sync.engine().search(Question(), order="newest").ids) == set()
    monkeypatch.undo()

    stop = threading.Event()
    follower = threading.Thread(target=follow_until, args=(stop,))
    follower.start()
    try:
        for _ in range(100):
            if not SearchChange.objects.exists():
                break
            stop.wait(0.05)
    finally:
        stop.set()
        follower.join()
    sync.engine().refresh()
    assert sync.engine().search(Question(), order="newest").ids == [article.pk]


def follow_until(stop):
    """What `search_index --follow` does, until told to stop."""
    from django.db import connections

    try:
        while not stop.is_set():
            sync.apply()
            stop.wait(0.05)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_the_next_writer_catches_up_what_a_dead_one_left(monkeypatch):
    monkeypatch.setattr(sync, "apply_after_commit", lambda using="default": None)
    first = ArticleFactory(title="Left behind")
    monkeypatch.undo()
    second = ArticleFactory(title="Next writer")
    assert not SearchChange.objects.exists()
    assert set(sync.engine().search(Question(), order="newest").ids) == {
        first.pk,
        second.pk,
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time in; PostgreSQL lets them overlap",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_leave_a_correct_index():
    outlet = OutletFactory()
    errors = []

    def write(n):
        from django.db import connections

        try:
            for i in range(15):
                with transaction.atomic():
                    article = ArticleFactory(outlet=outlet, title=f"W{n} {i}")
                    if i % 3 == 0:
                        article.status = Article.Status.DRAFT
                        article.save()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert not errors
    sync.catch_up()
    assert sync.check() == {"missing": [], "extra": [], "stale": []}
    assert search.count(Question()) == Article.objects.published().count() == 20


def test_check_finds_and_repairs_planted_drift():
    _, stale, removed = (ArticleFactory(title=t) for t in ("Kept", "Old", "Gone"))
    sync.catch_up()
    # Drift of the three kinds, written around the outbox.
    Article.objects.filter(pk=stale.pk).update(title="New")
    removed_pk = removed.pk
    removed.delete()
    SearchChange.objects.all().delete()
    missing = ArticleFactory(title="Missing")
    SearchChange.objects.filter(article_id=missing.pk).delete()

    out = StringIO()
    with pytest.raises(CommandError, match="3 articles differ"):
        call_command("search_index", "--check", "--no-repair", stdout=out)
    report = out.getvalue()
    assert f"1 articles missing from the index: {missing.pk}." in report
    assert f"1 articles in the index but not in the database: {removed_pk}." in report
    assert f"1 articles indexed as they were before a change: {stale.pk}." in report

    out = StringIO()
    call_command("search_index", "--check", stdout=out)
    assert "Repaired 3 articles." in out.getvalue()
    assert sync.check() == {"missing": [], "extra": [], "stale": []}
    assert titles() == ["Kept", "Missing", "New"]


def test_rebuild_builds_a_new_index_and_serves_it():
    ArticleFactory(title="One")
    ArticleFactory(title="Two", status="draft")
    before = sync.engine().generation()
    out = StringIO()
    call_command("search_index", "--rebuild", stdout=out)
    assert "Indexed 2 articles" in out.getvalue()
    assert sync.engine().generation() != before
    assert not SearchChange.objects.exists()
    assert titles() == ["One"]
    out = StringIO()
    call_command("search_index", stdout=out)
    assert "2 articles in" in out.getvalue()
    assert "0 changes waiting" in out.getvalue()


# A missing or damaged index


@pytest.fixture
def no_index(settings, tmp_path):
    ArticleFactory(title="Still readable")
    settings.SEARCH_INDEX_DIR = str(tmp_path / "nowhere")
    sync.forget_engines()


@pytest.mark.usefixtures("no_index")
@pytest.mark.parametrize("path", ["/articles/", "/articles/?q=talks"])
def test_without_an_index_search_answers_503_with_retry_after(client, path):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(search.SearchUnavailable.retry_after)
    assert "Search is unavailable for a moment" in response.content.decode()


@pytest.mark.usefixtures("no_index")
def test_without_an_index_the_api_says_so_in_its_error_shape(client):
    response = client.get("/api/v1/articles/", {"q": "talks"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "search_unavailable"
    assert "Retry-After" in response


@pytest.mark.usefixtures("no_index")
def test_without_an_index_every_other_page_works(client):
    article = Article.objects.get()
    for url in [
        "/",
        article.get_absolute_url(),
        "/feeds/latest/",
        "/people/",
        "/api/v1/outlets/",
        f"/api/v1/articles/{article.pk}/",
        "/sitemap.xml",
    ]:
        assert client.get(url).status_code == 200, url


def test_a_damaged_index_answers_503(client, settings):
    ArticleFactory()
    engine = sync.engine()
    meta = os.path.join(engine.root, engine.generation(), "meta.json")
    with open(meta, "w") as file:
        json.dump({"not": "an index"}, file)
    sync.forget_engines()
    assert client.get("/articles/").status_code == 503
    assert client.get("/").status_code == 200
    call_command("search_index", "--rebuild", stdout=StringIO())
    assert client.get("/articles/").status_code == 200


def test_the_writers_keep_the_outbox_while_the_index_is_missing(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = str(tmp_path / "nowhere")
    sync.forget_engines()
    ArticleFactory(title="Waiting")
    sync.apply_after_commit()  # logs, raises nothing
    assert SearchChange.objects.exists()
    call_command("search_index", "--rebuild", stdout=StringIO())
    assert titles() == ["Waiting"]


# The public rule, in the outbox's own terms


def test_the_triggers_mirror_what_the_index_holds():
    """Every field an entry holds is one whose change the triggers record: a
    change to any other field leaves no outbox row."""
    article = ArticleFactory()
    sync.catch_up()
    Article.objects.filter(pk=article.pk).update(notes="A curator's note.")
    Outlet.objects.filter(pk=article.outlet_id).update(description="New.")
    Person.objects.update(description="New.")
    Topic.objects.update(description="New.")
    assert not SearchChange.objects.exists()
    UserFactory()
    Quote.objects.all().delete()
    ArticlePerson.objects.all().delete()
    assert not SearchChange.objects.exists()  # nothing was there to delete
