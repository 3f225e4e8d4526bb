import pytest

from articles import services
from articles.ingest import fingerprint
from articles.ingest.suggest import (
    NameIndex,
    attribute_quotes,
    suggest,
    titled_candidates,
)
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    CandidatePerson,
    LinkState,
    Person,
    Quote,
)
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    PersonFactory(
        name="Sergey Lavrov", aliases=["Sergei Lavrov", "Lavrov", "Сергей Лавров"]
    )
    PersonFactory(name="Recep Tayyip Erdoğan", aliases=["Erdogan"])
    PersonFactory(name="Mevlüt Çavuşoğlu", aliases=[])
    return NameIndex.of_people()


def names_found(index, text):
    return {Person.objects.get(pk=pk).name for pk in index.find(text)}


def test_names_match_across_accents_case_and_aliases(people):
    text = "ERDOGAN met Sergei Lavrov; Mevlut Cavusoglu and Сергей Лавров spoke."
    assert names_found(people, text) == {
        "Recep Tayyip Erdoğan",
        "Sergey Lavrov",
        "Mevlüt Çavuşoğlu",
    }


def test_name_spans_point_at_the_words_in_the_original_text(people):
    text = "Talks: Recep Tayyip Erdoğan arrived."
    (spans,) = people.find(text).values()
    assert text[spans[0].start : spans[0].end] == "Recep Tayyip Erdoğan"


def test_a_name_inside_a_longer_word_is_not_a_match(people):
    assert names_found(people, "The Lavrovian doctrine") == set()


def test_an_alias_shared_by_two_people_names_nobody():
    PersonFactory(name="Ilham Aliyev", aliases=["Aliyev"])
    PersonFactory(name="Heydar Aliyev", aliases=["Aliyev"])
    assert NameIndex.of_people().find("Aliyev said so.") == {}


def test_quotes_are_attributed_to_the_named_speaker(people):
    body = (
        "“We have never considered Turkey as our strategic ally,” Lavrov told "
        "reporters.\n\nHe added: “It is a close partner.”"
    )
    (quote,) = attribute_quotes(body, people)
    assert quote.text == "We have never considered Turkey as our strategic ally,"
    assert body[quote.start : quote.end] == quote.text
    assert Person.objects.get(pk=quote.person_id).name == "Sergey Lavrov"


def test_speaker_named_before_the_quote_is_found(people):
    body = 'Erdogan said on Monday: "Our relations with Russia are strategic and deep."'
    (quote,) = attribute_quotes(body, people)
    assert Person.objects.get(pk=quote.person_id).name == "Recep Tayyip Erdoğan"


def test_short_scare_quotes_are_not_statements(people):
    body = "Lavrov said a military solution was “unacceptable.”"
    assert attribute_quotes(body, people) == []


def test_a_quote_with_two_possible_speakers_is_left_to_curators(people):
    body = "“We agreed on the ceasefire terms today,” Lavrov said after Erdogan spoke."
    assert attribute_quotes(body, people) == []


def test_titled_unknown_names_become_candidates(people):
    text = (
        "Turkish Ambassador to Russia Umit Yardim said the meeting may happen. "
        "Foreign Minister Sergei Lavrov agreed. President Putin was silent."
    )
    candidates = titled_candidates(text, people)
    assert [(c.title, c.name) for c in candidates] == [("Ambassador", "Umit Yardim")]
    assert "Turkish Ambassador to Russia Umit Yardim" in candidates[0].context


def test_suggest_assigns_roles(people):
    topic = TopicFactory(name="S-400", keywords=["S-400 missile defense system"])
    found, warnings = suggest(
        title="Lavrov on the S-400",
        lead="",
        body="“We will deliver the systems on schedule,” Lavrov said. Erdogan agreed.",
        authors=["Gunay Hasanova"],
        listed_people=[],
        listed_topics=["no-such-topic"],
        people=people,
        topics=NameIndex.of_topics(),
    )
    roles = {(Person.objects.get(pk=pk).name, role) for pk, role in found.people}
    assert roles == {("Sergey Lavrov", "quoted"), ("Recep Tayyip Erdoğan", "mentioned")}
    assert found.topics == [topic.pk]
    assert [(c.name, c.role) for c in found.candidates] == [
        ("Gunay Hasanova", "author")
    ]
    assert warnings == [
        "Topic “no-such-topic” is not in the archive; add it to link it."
    ]


def test_fingerprints_find_a_lightly_rewritten_copy():
    original = (
        "Russian Foreign Minister Sergei Lavrov has praised the good ties between "
        "Moscow and Ankara, adding that the countries will sometimes disagree. We have "
        "a very good relationship with Turkey, he said in Munich on Saturday."
    )
    rewrite = original.replace("praised", "welcomed") + " The conference ends Sunday."
    unrelated = (
        "The central bank kept interest rates unchanged for a third month in a row."
    )
    a, b, c = (fingerprint.shingles(t) for t in (original, rewrite, unrelated))
    assert set(fingerprint.band_keys(a)) & set(fingerprint.band_keys(b))
    assert fingerprint.containment(a, b) >= fingerprint.CONTAINMENT
    assert fingerprint.containment(a, c) == 0


def suggested_article():
    article = ArticleFactory(status=Article.Status.DRAFT)
    ArticlePersonFactory(article=article, state=LinkState.SUGGESTED)
    ArticleTopicFactory(article=article, state=LinkState.SUGGESTED)
    QuoteFactory(article=article, state=LinkState.SUGGESTED)
    ArticlePersonFactory(article=article, role="author")  # already confirmed
    CandidatePerson.objects.create(
        article=article, name="Umit Yardim", title="Ambassador"
    )
    return article


def test_confirm_suggestions_confirms_links_and_quotes():
    article = suggested_article()
    outcome = services.confirm_suggestions(
        articles=Article.objects.filter(pk=article.pk)
    )
    assert (outcome.people, outcome.topics, outcome.quotes) == (1, 1, 1)
    assert str(outcome) == "1 people links, 1 topic links, 1 quotes"
    for model in (ArticlePerson, ArticleTopic, Quote):
        assert not model.objects.filter(state=LinkState.SUGGESTED).exists()
    assert CandidatePerson.objects.get().state == "suggested"


def test_reject_suggestions_removes_them_and_keeps_confirmed_work():
    article = suggested_article()
    outcome = services.reject_suggestions(
        articles=Article.objects.filter(pk=article.pk)
    )
    assert (outcome.people, outcome.topics, outcome.quotes, outcome.candidates) == (
        1,
        1,
        1,
        1,
    )
    assert article.person_links.get().role == "author"
    assert not article.topic_links.exists() and not article.quotes.exists()
    assert CandidatePerson.objects.get().state == "rejected"


def test_confirming_a_candidate_creates_the_person_and_links_them():
    article = ArticleFactory()
    CandidatePerson.objects.create(
        article=article, name="Umit Yardim", title="Ambassador"
    )
    created, linked = services.confirm_candidates(
        candidates=CandidatePerson.objects.all()
    )
    assert (created, linked) == (1, 1)
    person = Person.objects.get(name="Umit Yardim")
    assert person.description == "Ambassador"
    assert article.person_links.get(person=person).state == LinkState.CONFIRMED
    assert CandidatePerson.objects.get().person == person


def test_confirming_a_candidate_with_a_known_spelling_links_the_existing_person():
    known = PersonFactory(name="Ümit Yardım")
    first, second = ArticleFactory(), ArticleFactory()
    for article in (first, second):
        CandidatePerson.objects.create(article=article, name="Umit Yardim")
    created, linked = services.confirm_candidates(
        candidates=CandidatePerson.objects.all()
    )
    assert (created, linked) == (0, 2)
    assert Person.objects.count() == 1
    assert {link.person for link in ArticlePerson.objects.all()} == {known}


def test_two_candidates_for_one_new_person_create_it_once():
    for article in ArticleFactory.create_batch(2):
        CandidatePerson.objects.create(article=article, name="Umit Yardim")
    created, linked = services.confirm_candidates(
        candidates=CandidatePerson.objects.all()
    )
    assert (created, linked) == (1, 2)
