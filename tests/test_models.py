import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import (
    Annotation,
    Article,
    ArticlePerson,
    Outlet,
    Person,
    Quote,
)
from articles.text import content_hash, fold, normalise_body
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    ArticlePersonFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def test_body_is_normalised_and_hashed_on_save():
    article = ArticleFactory(
        body="  First  line\r\nsame paragraph\r\n\r\n\r\n Second\t\tparagraph "
    )
    assert article.body == "First line\nsame paragraph\n\nSecond paragraph"
    assert article.content_hash == content_hash(
        "First line\nsame paragraph\n\nSecond paragraph"
    )
    assert article.word_count == 6


def test_whitespace_variants_of_one_body_share_a_hash():
    assert content_hash("A b.\n\nC d.") == content_hash("A  b.\r\n\r\n\r\nC d.  ")
    assert content_hash("A b.") != content_hash("A c.")


def test_composed_and_decomposed_unicode_hash_the_same():
    assert normalise_body("Erdog\u0306an") == normalise_body("Erdoğan")


def test_fold_matches_names_across_accents_and_case():
    assert fold("Erdoğan") == fold("ERDOGAN") == "erdogan"
    assert fold("Çavuşoğlu") == "cavusoglu"


def test_duplicate_body_is_a_validation_error_naming_the_original():
    original = ArticleFactory(body="Same words here.")
    copy = Article(outlet=original.outlet, title="Copy", body="Same  words here.\n")
    with pytest.raises(ValidationError) as error:
        copy.full_clean()
    assert "already in the archive" in error.value.message_dict["body"][0]
    assert original.title in error.value.message_dict["body"][0]


def test_duplicate_body_is_refused_by_the_database():
    original = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(body=original.body, outlet=original.outlet)


def test_duplicate_url_is_a_validation_error():
    ArticleFactory(url="https://tass.com/politics/1")
    article = ArticleFactory.build(
        url="https://tass.com/politics/1", outlet=OutletFactory()
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "canonical URL" in str(error.value)


def test_many_articles_may_have_no_url():
    ArticleFactory(url="")
    ArticleFactory(url="")
    assert Article.objects.filter(url="").count() == 2


def test_slug_is_generated_in_ascii_and_made_unique():
    outlet = OutletFactory()
    first = Article.objects.create(
        outlet=outlet, title="Лавров: Россия и Турция", body="a"
    )
    second = Article.objects.create(
        outlet=outlet, title="Лавров: Россия и Турция", body="b"
    )
    assert first.slug == "lavrov-rossiya-i-turtsiya"
    assert second.slug == "lavrov-rossiya-i-turtsiya-2"


def test_invalid_status_is_refused_by_the_database():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="secret")


def test_inferred_date_needs_a_date():
    article = ArticleFactory.build(
        outlet=OutletFactory(), date_inferred=True, published_at=None
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "date_inferred" in error.value.message_dict


def test_bad_language_tag_is_refused():
    article = ArticleFactory.build(outlet=OutletFactory(), language="English")
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "BCP 47" in error.value.message_dict["language"][0]


def test_published_hides_drafts_reviews_and_withdrawn():
    shown = ArticleFactory(status=Article.Status.PUBLISHED)
    for status in ["draft", "review", "withdrawn"]:
        ArticleFactory(status=status)
    assert list(Article.objects.published()) == [shown]


def test_newest_first_puts_undated_articles_last():
    undated = ArticleFactory(published_at=None)
    old = ArticleFactory(published_at=dt.datetime(2015, 1, 1, tzinfo=dt.UTC))
    new = ArticleFactory(published_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
    assert list(Article.objects.newest_first()) == [new, old, undated]


def test_permalink_is_dated_or_undated():
    article = ArticleFactory(
        slug="talks", published_at=dt.datetime(2016, 8, 16, 10, 33, tzinfo=dt.UTC)
    )
    assert article.get_absolute_url() == "/articles/2016/08/16/talks/"
    article.published_at = None
    assert article.get_absolute_url() == "/articles/undated/talks/"


@pytest.mark.parametrize("value", ["Q7747", "Q1"])
def test_wikidata_id_accepts_q_numbers(value):
    PersonFactory.build(wikidata_id=value).full_clean()


@pytest.mark.parametrize("value", ["7747", "Q", "q7747", "Q0123", "P31", "Q12 "])
def test_wikidata_id_rejects_other_values(value):
    with pytest.raises(ValidationError) as error:
        PersonFactory.build(wikidata_id=value).full_clean()
    assert "Wikidata" in error.value.message_dict["wikidata_id"][0]


def test_wikidata_id_format_is_enforced_by_the_database():
    person = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(wikidata_id="nonsense")


def test_two_people_cannot_share_a_wikidata_id():
    PersonFactory(wikidata_id="Q7747")
    with pytest.raises(ValidationError):
        PersonFactory.build(wikidata_id="Q7747").full_clean()


def test_aliases_are_trimmed_and_deduplicated():
    person = PersonFactory.build(
        aliases=[" Sergei Lavrov ", "sergei lavrov", "", "Сергей Лавров"]
    )
    person.full_clean()
    assert person.aliases == ["Sergei Lavrov", "Сергей Лавров"]


def test_aliases_must_be_a_list_of_text():
    with pytest.raises(ValidationError):
        PersonFactory.build(aliases={"not": "a list"}).full_clean()


def test_outlet_domains_are_normalised_and_validated():
    outlet = OutletFactory.build(domains=["WWW.TASS.com", "tass.ru"])
    outlet.full_clean()
    assert outlet.domains == ["tass.com", "tass.ru"]
    with pytest.raises(ValidationError) as error:
        OutletFactory.build(domains=["https://tass.com/"]).full_clean()
    assert "bare domain" in error.value.message_dict["domains"][0]


def test_a_domain_belongs_to_one_outlet():
    OutletFactory(name="TASS", domains=["tass.com"])
    with pytest.raises(ValidationError) as error:
        OutletFactory.build(domains=["tass.com"]).full_clean()
    assert "already belongs to TASS" in error.value.message_dict["domains"][0]


def test_outlet_ownership_is_enforced_by_the_database():
    outlet = OutletFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Outlet.objects.filter(pk=outlet.pk).update(ownership="mystery")


def test_topic_hierarchy_refuses_cycles_and_depth():
    syria = TopicFactory(name="Syria")
    idlib = TopicFactory(name="Idlib", parent=syria)
    syria.parent = idlib
    with pytest.raises(ValidationError) as error:
        syria.full_clean()
    assert "own ancestor" in error.value.message_dict["parent"][0]
    syria.parent = None

    town = TopicFactory(name="Saraqib", parent=idlib)
    too_deep = TopicFactory.build(name="Street", parent=town)
    with pytest.raises(ValidationError):
        too_deep.full_clean()
    assert str(idlib) == "Syria › Idlib"


def test_one_person_may_hold_several_roles_but_not_the_same_twice():
    link = ArticlePersonFactory(role=ArticlePerson.Role.QUOTED)
    ArticlePersonFactory(article=link.article, person=link.person, role="mentioned")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticlePersonFactory(article=link.article, person=link.person, role="quoted")


def test_quote_offsets_are_found_from_the_words():
    quote = QuoteFactory()
    assert quote.article.body[quote.start : quote.end] == quote.text


def test_quote_words_must_be_in_the_body():
    article = ArticleFactory()
    quote = Quote(article=article, speaker=PersonFactory(), text="words never said")
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "do not appear" in error.value.message_dict["text"][0]


def test_quote_offsets_must_match_the_words():
    article = ArticleFactory(body="Alpha beta gamma.")
    quote = Quote(article=article, speaker=PersonFactory(), text="beta", start=0, end=4)
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "reads “Alph”" in error.value.message_dict["text"][0]


def test_quote_offsets_out_of_range_are_refused():
    article = ArticleFactory(body="Alpha beta gamma.")
    quote = Quote(article=article, speaker=PersonFactory(), text="x", start=10, end=500)
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "length of the body" in error.value.message_dict["end"][0]


def test_quote_offsets_alone_fill_in_the_words():
    article = ArticleFactory(body="Alpha beta gamma.")
    quote = Quote(article=article, speaker=PersonFactory(), start=6, end=10)
    quote.full_clean()
    assert quote.text == "beta"


def test_quote_without_offsets_is_refused_by_the_database():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.create(article=article, speaker=PersonFactory(), text="x")


def test_annotation_records_text_quote_and_position_selectors():
    article = ArticleFactory(body="The ministers met in Moscow on Wednesday for talks.")
    annotation = AnnotationFactory(article=article, exact="on Wednesday")
    assert article.body[annotation.start : annotation.end] == "on Wednesday"
    assert annotation.prefix == "The ministers met in Moscow "
    assert annotation.suffix == " for talks."


def test_annotation_on_the_whole_article_has_no_selector():
    annotation = AnnotationFactory(exact="")
    assert (annotation.start, annotation.end, annotation.prefix) == (None, None, "")


def test_annotation_with_half_a_selector_is_refused_by_the_database():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(article=article, note="n", start=3)


def test_every_public_model_has_a_readable_str_and_url():
    quote = QuoteFactory()
    annotation = AnnotationFactory(article=quote.article)
    for obj in [
        quote.article,
        quote.article.outlet,
        quote.speaker,
        quote,
        annotation,
        TopicFactory(),
    ]:
        assert str(obj)
        assert obj.get_absolute_url().startswith("/")


def test_deleting_an_outlet_with_articles_is_refused():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Outlet.objects.filter(pk=article.outlet_id).delete()


def test_editing_the_body_moves_quotes_and_annotations_with_their_words():
    article = ArticleFactory(body="Alpha beta gamma.")
    quote = QuoteFactory(article=article, text="beta")
    note = AnnotationFactory(article=article, exact="gamma")
    article.body = "New opening. Alpha beta gamma."
    article.full_clean()
    article.save()
    quote.refresh_from_db()
    note.refresh_from_db()
    assert article.body[quote.start : quote.end] == "beta"
    assert article.body[note.start : note.end] == "gamma"
    assert note.prefix == "New opening. Alpha beta "


def test_a_body_edit_that_drops_a_quoted_passage_is_refused():
    article = ArticleFactory(body="Alpha beta gamma.")
    QuoteFactory(article=article, text="beta")
    article = Article.objects.get(pk=article.pk)
    article.body = "Alpha gamma."
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "no longer contains" in error.value.message_dict["body"][0]
    assert "beta" in error.value.message_dict["body"][0]


def test_two_top_level_topics_cannot_share_a_name():
    TopicFactory(name="Syria")
    with pytest.raises(ValidationError):
        TopicFactory.build(name="Syria", slug="syria-2").full_clean()


def test_full_clean_passes_before_the_slug_is_made():
    outlet = Outlet(name="Anadolu Agency")
    outlet.full_clean()
    outlet.save()
    article = Article(outlet=outlet, title="Erdoğan meets Putin", body="Text.")
    article.full_clean()
    article.save()
    assert (outlet.slug, article.slug) == ("anadolu-agency", "erdogan-meets-putin")
