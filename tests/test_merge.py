import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.merging import merge, undo_merge
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    CandidatePerson,
    LinkState,
    MergeRecord,
    Outlet,
    Person,
    Quote,
    Topic,
)
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_people():
    kept = PersonFactory(name="Recep Tayyip Erdoğan", aliases=["Erdoğan"])
    gone = PersonFactory(
        name="Erdogan", aliases=["R. T. Erdogan"], wikidata_id="Q39723"
    )
    shared = ArticleFactory()
    ArticlePersonFactory(article=shared, person=kept, state=LinkState.SUGGESTED)
    ArticlePersonFactory(article=shared, person=gone, state=LinkState.CONFIRMED)
    only_gone = ArticlePersonFactory(person=gone, role=ArticlePerson.Role.QUOTED)
    quote = QuoteFactory(article=only_gone.article, speaker=gone)
    candidate = CandidatePerson.objects.create(
        article=shared, name="Erdogan", person=gone
    )
    return kept, gone, shared, only_gone, quote, candidate


def test_merging_people_moves_links_and_keeps_names(two_people, editor):
    kept, gone, shared, only_gone, quote, candidate = two_people
    gone_pk = gone.pk
    record = merge(survivor=kept, absorbed=gone, user=editor)

    assert not Person.objects.filter(pk=gone_pk).exists()
    kept.refresh_from_db()
    assert kept.aliases == ["Erdoğan", "Erdogan", "R. T. Erdogan"]
    assert kept.wikidata_id == "Q39723"
    shared_links = ArticlePerson.objects.filter(article=shared)
    assert [(link.person_id, link.state) for link in shared_links] == [
        (kept.pk, LinkState.CONFIRMED)
    ]
    only_gone.refresh_from_db()
    quote.refresh_from_db()
    candidate.refresh_from_db()
    assert only_gone.person == kept
    assert quote.speaker == kept
    assert candidate.person == kept
    assert record.merged_by == editor
    assert kept.history.first().history_change_reason == (
        f"Merged Person #{gone_pk} “Erdogan” into this one"
    )
    moved = only_gone.history.first()
    assert moved.history_change_reason.startswith(f"Merged Person #{gone_pk}")
    assert moved.prev_record.person_id == gone_pk


def test_undo_restores_the_absorbed_person_and_its_links(two_people, editor):
    kept, gone, shared, only_gone, quote, candidate = two_people
    gone_pk = gone.pk
    record = merge(survivor=kept, absorbed=gone, user=editor)
    undo_merge(record=record)

    restored = Person.objects.get(pk=gone_pk)
    assert restored.name == "Erdogan"
    assert restored.wikidata_id == "Q39723"
    kept.refresh_from_db()
    assert kept.aliases == ["Erdoğan"]
    assert kept.wikidata_id == ""
    assert sorted(
        ArticlePerson.objects.filter(article=shared).values_list("person_id", "state")
    ) == sorted([(kept.pk, LinkState.SUGGESTED), (gone_pk, LinkState.CONFIRMED)])
    assert ArticlePerson.objects.get(pk=only_gone.pk).person_id == gone_pk
    assert Quote.objects.get(pk=quote.pk).speaker_id == gone_pk
    assert CandidatePerson.objects.get(pk=candidate.pk).person_id == gone_pk
    record.refresh_from_db()
    assert record.undone_at is not None
    with pytest.raises(ValidationError):
        undo_merge(record=record)


def test_merging_topics_moves_links_and_subtopics():
    kept = TopicFactory(name="Syria", keywords=["Syrian"])
    gone = TopicFactory(name="Syrian war", keywords=["Syrian civil war"])
    child = TopicFactory(name="Idlib", parent=gone)
    article = ArticleFactory()
    ArticleTopicFactory(article=article, topic=kept)
    ArticleTopicFactory(article=article, topic=gone)
    elsewhere = ArticleTopicFactory(topic=gone)

    record = merge(survivor=kept, absorbed=gone)

    kept.refresh_from_db()
    assert kept.keywords == ["Syrian", "Syrian war", "Syrian civil war"]
    assert ArticleTopic.objects.filter(article=article).count() == 1
    assert ArticleTopic.objects.get(pk=elsewhere.pk).topic == kept
    assert Topic.objects.get(pk=child.pk).parent == kept

    undo_merge(record=record)
    assert Topic.objects.get(pk=child.pk).parent_id == gone.pk
    assert ArticleTopic.objects.filter(article=article, topic_id=gone.pk).exists()
    assert ArticleTopic.objects.get(pk=elsewhere.pk).topic_id == gone.pk


def test_topics_with_clashing_subtopics_are_not_merged():
    kept, gone = TopicFactory(name="Syria"), TopicFactory(name="Syrian war")
    TopicFactory(name="Idlib", parent=kept)
    TopicFactory(name="Idlib", parent=gone)
    with pytest.raises(ValidationError, match="Idlib"):
        merge(survivor=kept, absorbed=gone)
    assert Topic.objects.filter(pk=gone.pk).exists()


def test_merging_outlets_moves_articles_and_domains():
    kept = OutletFactory(name="TASS", domains=["tass.com"])
    gone = OutletFactory(name="TASS Russian", domains=["tass.ru"])
    article = ArticleFactory(outlet=gone)
    record = merge(survivor=kept, absorbed=gone)
    kept.refresh_from_db()
    assert kept.domains == ["tass.com", "tass.ru"]
    assert Article.objects.get(pk=article.pk).outlet == kept

    undo_merge(record=record)
    assert Outlet.objects.get(pk=gone.pk).domains == ["tass.ru"]
    assert Article.objects.get(pk=article.pk).outlet_id == gone.pk
    assert Outlet.objects.get(pk=kept.pk).domains == ["tass.com"]


@pytest.mark.parametrize(
    "model, make, link",
    [
        (Person, PersonFactory, lambda a, p: ArticlePersonFactory(article=a, person=p)),
        (Topic, TopicFactory, lambda a, t: ArticleTopicFactory(article=a, topic=t)),
        (Outlet, OutletFactory, None),
    ],
)
def test_published_counts_stay_exact_through_a_merge_and_its_undo(model, make, link):
    kept, gone = make(), make()
    for owner, n in [(kept, 1), (gone, 2)]:
        for _ in range(n):
            if link is None:
                ArticleFactory(outlet=owner)
            else:
                link(ArticleFactory(), owner)

    def counts():
        return dict(model.objects.values_list("pk", "published_count"))

    record = merge(survivor=kept, absorbed=gone)
    assert counts()[kept.pk] == 3

    undo_merge(record=record)
    assert {pk: counts()[pk] for pk in (kept.pk, gone.pk)} == {kept.pk: 1, gone.pk: 2}


def merge_post(client, model, chosen, survivor=None):
    data = {"action": "merge_two", "_selected_action": [o.pk for o in chosen]}
    if survivor is not None:
        data.update(post="yes", survivor=survivor.pk)
    return client.post(reverse(f"admin:articles_{model}_changelist"), data)


def test_editor_merges_from_the_changelist(editor_client):
    kept, gone = PersonFactory(name="Lavrov"), PersonFactory(name="Sergei Lavrov")
    page = merge_post(editor_client, "person", [kept, gone])
    assert page.status_code == 200
    assert "Which one is kept?" in page.content.decode()

    response = merge_post(editor_client, "person", [kept, gone], survivor=kept)
    assert response.status_code == 302
    assert not Person.objects.filter(pk=gone.pk).exists()
    assert MergeRecord.objects.get().absorbed_name == "Sergei Lavrov"


def test_merge_needs_exactly_two(editor_client):
    people = PersonFactory.create_batch(3)
    merge_post(editor_client, "person", people, survivor=people[0])
    assert Person.objects.count() == 3


@pytest.mark.parametrize("model", ["person", "topic", "outlet"])
def test_curators_cannot_merge(curator_client, model):
    factory = {"person": PersonFactory, "topic": TopicFactory, "outlet": OutletFactory}
    kept, gone = factory[model].create_batch(2)
    merge_post(curator_client, model, [kept, gone], survivor=kept)
    assert type(gone).objects.filter(pk=gone.pk).exists()
    assert not MergeRecord.objects.exists()
    merges = curator_client.get(reverse("admin:articles_mergerecord_changelist"))
    assert merges.status_code == 403


def test_editor_undoes_a_merge_from_the_admin(editor_client, editor):
    kept, gone = PersonFactory(), PersonFactory()
    link = ArticlePersonFactory(person=gone)
    record = merge(survivor=kept, absorbed=gone, user=editor)
    response = editor_client.post(
        reverse("admin:articles_mergerecord_changelist"),
        {"action": "undo", "_selected_action": [record.pk]},
    )
    assert response.status_code == 302
    assert Person.objects.filter(pk=gone.pk).exists()
    assert ArticlePerson.objects.get(pk=link.pk).person_id == gone.pk


def test_a_topic_merged_into_its_own_subtopic_leaves_no_cycle():
    root = TopicFactory(name="Middle East")
    gone = TopicFactory(name="Syrian conflict", parent=root)
    kept = TopicFactory(name="Syria", parent=gone)
    sibling = TopicFactory(name="Idlib", parent=gone)
    record = merge(survivor=kept, absorbed=gone)
    kept.refresh_from_db()
    assert kept.parent == root
    assert Topic.objects.get(pk=sibling.pk).parent == kept

    undo_merge(record=record)
    assert Topic.objects.get(pk=kept.pk).parent_id == gone.pk
    assert Topic.objects.get(pk=sibling.pk).parent_id == gone.pk
    assert Topic.objects.get(pk=gone.pk).parent == root


def test_the_same_quote_of_both_people_is_kept_once_and_restored_by_undo():
    kept, gone = PersonFactory(), PersonFactory()
    article = ArticleFactory()
    QuoteFactory(article=article, speaker=kept, state=LinkState.SUGGESTED)
    twin = QuoteFactory(article=article, speaker=gone)
    record = merge(survivor=kept, absorbed=gone)
    assert [(q.speaker_id, q.state) for q in Quote.objects.filter(article=article)] == [
        (kept.pk, LinkState.CONFIRMED)
    ]
    undo_merge(record=record)
    assert Quote.objects.get(pk=twin.pk).speaker_id == gone.pk
    assert Quote.objects.get(article=article, speaker=kept).state == (
        LinkState.SUGGESTED
    )
