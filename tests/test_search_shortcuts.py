"""The shortcuts the engine takes on a large archive give the answers it gives
without them: counts from the other side of a common word, date-ordered pages
found among the newest (or oldest) articles first, relevance ranked before
statuses are read, fields without a word left out of its query. Each test
makes the shortcut happen on a small archive and holds it to the long way."""

import datetime as dt
import random

import pytest

from articles import search
from articles.models import Article
from articles.search import Question, counting, parse
from articles.search import engine as engine_module
from articles.search.engine import Engine
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = Article.Status.DRAFT


def at(year, month=1, day=15):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def archive():
    """Sixteen published articles, gas in twelve of them (a pipeline in
    four), over three outlets, two topics and three people, two years and
    one undated; drafts with gas that no public count may include."""
    outlets = OutletFactory.create_batch(3)
    topics = TopicFactory.create_batch(2)
    people = PersonFactory.create_batch(3)
    for n in range(16):
        words = "gas supplies" if n < 12 else "grain corridor"
        if n % 3 == 0 and n < 12:
            words += " and the pipeline"
        article = ArticleFactory(
            title=f"Report {n}",
            body=f"Ministers spoke about {words} in round {n}.",
            outlet=outlets[n % 3],
            published_at=None if n == 5 else at(2020 + n % 2, 1 + n % 12),
        )
        ArticleTopicFactory(article=article, topic=topics[n % 2])
        ArticlePersonFactory(article=article, person=people[n % 3])
    for n in range(3):
        draft = ArticleFactory(
            title=f"Gas gas gas draft {n}",
            body=f"Gas, gas and gas ({n}).",
            status=DRAFT,
            outlet=outlets[0],
            published_at=at(2022),
        )
        ArticleTopicFactory(article=draft, topic=topics[0])
    return outlets


@pytest.fixture
def unfound(engine_calls):
    """The questions counted from the other side."""
    return engine_calls("aggregate_unfound")


def counts(result: dict) -> dict:
    """An aggregation's answer as plain counts: a value, or {key: count}
    without empty buckets."""
    plain = {}
    for name, answer in result.items():
        if "value" in answer:
            plain[name] = int(answer["value"])
        else:
            plain[name] = {
                b["key"]: int(b["doc_count"])
                for b in answer["buckets"]
                if b["doc_count"]
            }
    return plain


@pytest.mark.parametrize(
    "q", ["gas", "gas -pipeline", "supplies or pipeline", "ministers -grain"]
)
def test_a_common_word_counted_from_the_other_side_counts_the_same(archive, unfound, q):
    engine = search._engine()
    aggregations = search._page_aggregations(facets=True, by_month=True)
    for question in (
        Question(text=parse(q)),
        Question(text=parse(q), outlets=frozenset({archive[0].pk, archive[1].pk})),
        Question(text=parse(q), statuses=None),  # a curator's, drafts too
    ):
        shortcut = counting.aggregate(engine, question, aggregations)
        assert counts(shortcut) == counts(engine.aggregate(question, aggregations))
    assert len(unfound) == 3  # each was counted from the other side


def test_the_other_side_leaves_out_drafts_and_words_not_asked(archive, unfound):
    result = counting.aggregate(
        search._engine(),
        Question(text=parse("gas")),
        search._page_aggregations(facets=True, by_month=True),
    )
    assert result["total"]["value"] == 12
    assert sum(b["doc_count"] for b in result["month"]["buckets"]) == 11  # 1 undated
    assert sum(b["doc_count"] for b in result["outlet"]["buckets"]) == 12
    assert len(unfound) == 1  # counted from the other side, not directly


def test_a_rare_word_is_counted_directly(archive, unfound):
    question = Question(text=parse("pipeline"))
    result = counting.aggregate(
        search._engine(),
        question,
        search._page_aggregations(facets=True, by_month=True),
    )
    assert result["total"]["value"] == 4
    assert unfound == []


def test_the_whole_kept_is_counted_again_once_anything_is_indexed(
    archive, unfound, django_capture_on_commit_callbacks
):
    question = Question(text=parse("gas"))
    before = search.find(question, facets=True)
    assert before.total == 12
    newcomer = OutletFactory(name="Newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="Gas again", outlet=newcomer, published_at=at(2023))
    after = search.find(question, facets=True)
    assert after.total == 13
    assert "Newcomer" in [v.label for v in after.facets.outlet]
    assert after.by_month[dt.date(2023, 1, 1)] == 1
    assert len(unfound) == 2  # both pages counted from the other side


def test_the_archive_unfiltered_is_counted_once_and_kept(archive, engine_calls):
    calls = engine_calls("aggregate")
    first = search.find(Question(), facets=True)
    second = search.find(Question(), facets=True, page=2, per_page=5)
    assert first.total == second.total == 16
    assert first.facets == second.facets
    assert len(calls) == 1


def test_the_most_frequent_are_chosen_as_a_full_sort_would():
    rng = random.Random(7)
    for _ in range(200):
        whole = {k: rng.randint(1, 30) for k in range(rng.randint(0, 40))}
        left = {k: rng.randint(0, n) for k, n in whole.items() if rng.random() < 0.5}
        size = rng.randint(1, 12)
        ordered = dict(sorted(whole.items(), key=lambda pair: (-pair[1], pair[0])))
        expected = sorted(
            ((k, n - left.get(k, 0)) for k, n in whole.items() if n > left.get(k, 0)),
            key=lambda pair: (-pair[1], pair[0]),
        )[:size]
        assert counting._most(ordered, left, size) == expected


@pytest.fixture
def windows(monkeypatch):
    """Windows a few articles deep, so that a small archive has them; and
    the searches a window answered."""
    monkeypatch.setattr(engine_module, "WINDOW_RANKS", (2, 4, 8))
    monkeypatch.setattr(engine_module, "WINDOW_MARGIN", 1)
    answered = []
    original = Engine._windowed

    def windowed(self, *args):
        hits = original(self, *args)
        answered.append(hits is not None)
        return hits

    monkeypatch.setattr(Engine, "_windowed", windowed)
    return answered


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_a_page_found_in_a_window_is_the_page_found_in_everything(
    archive, windows, order
):
    engine = search._engine()
    for question in (
        Question(text=parse("gas")),
        Question(),
        Question(statuses=None),
        Question(text=parse("gas"), statuses=frozenset({DRAFT})),
    ):
        for offset in range(0, 18, 3):
            fast = engine.search(
                question, order=order, offset=offset, limit=3, count=False
            )
            slow = engine.search(question, order=order, offset=offset, limit=3)
            assert (fast.ids, fast.keys) == (slow.ids, slow.keys), (question, offset)
    assert any(windows) and not all(windows)  # some pages in windows, not all


def test_the_results_page_in_a_window_shows_what_it_showed_before(archive, windows):
    question = Question(text=parse("gas"))
    found = search.find(question, order="newest", per_page=2, facets=True)
    assert windows == [True]
    assert found.total == 12
    expected = Article.objects.published().filter(body__contains="gas")
    expected = expected.exclude(published_at=None).order_by("-published_at", "-pk")
    assert [a.pk for a in found.articles] == [a.pk for a in expected[:2]]


def test_ranking_before_statuses_never_shows_a_draft(archive):
    engine = search._engine()
    question = Question(text=parse("gas"))
    fast = engine.search(question, order="relevance", limit=5, count=False)
    slow = engine.search(question, order="relevance", limit=5)
    assert fast.ids == slow.ids and len(fast.ids) == 5
    assert not Article.objects.filter(pk__in=fast.ids, status=DRAFT).exists()
    # The drafts rank first among everything: they were read and passed over.
    everything = engine.search(
        question.narrowed(statuses=None), order="relevance", limit=3
    )
    assert set(
        Article.objects.filter(pk__in=everything.ids).values_list("status", flat=True)
    ) == {DRAFT}


def test_when_drafts_fill_the_best_ranks_the_public_page_is_ranked_in_full(archive):
    for n in range(40):
        ArticleFactory(title=f"Gas gas {n}", body=f"Gas gas gas {n}.", status=DRAFT)
    engine = search._engine()
    question = Question(text=parse("gas"))
    fast = engine.search(question, order="relevance", limit=10, count=False)
    slow = engine.search(question, order="relevance", limit=10)
    assert fast.ids == slow.ids and len(fast.ids) == 10
    assert set(
        Article.objects.filter(pk__in=fast.ids).values_list("status", flat=True)
    ) == {Article.Status.PUBLISHED}


def test_a_word_no_article_holds_finds_nothing_and_excludes_nothing(archive):
    assert search.count(Question(text=parse("zyzzogeton"))) == 0
    assert search.count(Question(text=parse("gas zyzzogeton"))) == 0
    assert search.count(Question(text=parse('"gas zyzzogeton"'))) == 0
    assert search.count(Question(text=parse("gas or zyzzogeton"))) == 12
    assert search.count(Question(text=parse("gas -zyzzogeton"))) == 12
    # Nothing left of it once analysed: the text asks nothing.
    assert search.count(Question(text=parse("gas &"))) == 12
