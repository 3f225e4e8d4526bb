"""The demo collection: the five seed articles as a curator entered them."""

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import (
    Annotation,
    Article,
    ArticlePerson,
    Outlet,
    Person,
    Quote,
    Topic,
)
from articles.text import content_hash, count_words

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def test_demo_fixture_loads_five_published_articles(demo):
    assert Article.objects.published().count() == 5
    assert Article.objects.count() == 5
    assert set(Outlet.objects.values_list("name", flat=True)) == {
        "Sputnik International",
        "TASS",
        "Duvar English",
        "AzerNews",
    }


def test_demo_objects_pass_full_validation(demo):
    for model in [Outlet, Person, Topic, Article, Quote, Annotation]:
        for obj in model.objects.all():
            obj.full_clean()


def test_demo_hashes_word_counts_and_offsets_are_consistent(demo):
    for article in Article.objects.all():
        assert article.content_hash == content_hash(article.body)
        assert article.word_count == count_words(article.body)
    for quote in Quote.objects.select_related("article"):
        assert quote.article.body[quote.start : quote.end] == quote.text
    for note in Annotation.objects.filter(start__isnull=False).select_related(
        "article"
    ):
        assert note.article.body[note.start : note.end] == note.exact


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}")
def test_demo_keeps_each_seed_verbatim_as_its_raw_source(demo):
    for article in Article.objects.all():
        seed = SEEDS / Path(article.source).name
        assert article.raw_text == seed.read_text(encoding="utf-8")


def test_demo_bodies_are_free_of_page_furniture(demo):
    furniture = [
        "feedback@sputniknews.com",
        "Subscribe",
        "All rights reserved",
        "Follow us on Twitter",
        "Ne Düşünüyorsun",
        "DUVAR ENGLISH",
        "https://",
        "/TASS/",
        "(Sputnik) -",
    ]
    for article in Article.objects.all():
        for line in furniture:
            assert line not in article.body, (article.title, line)
        assert not article.body.startswith(article.title)


def test_demo_dates_stated_and_inferred(demo):
    by_outlet = {
        (a.outlet.name, a.published_at.isoformat(), a.date_inferred)
        for a in Article.objects.select_related("outlet")
    }
    assert ("Sputnik International", "2023-05-27T08:18:00+00:00", False) in by_outlet
    assert ("AzerNews", "2016-08-16T10:33:00+00:00", False) in by_outlet
    inferred = Article.objects.filter(date_inferred=True)
    assert inferred.count() == 3
    for article in inferred:
        notes = article.annotations.filter(visibility="public").values_list(
            "note", flat=True
        )
        assert any("inferred" in note.lower() for note in notes), article.title


def test_demo_people_have_aliases_and_roles(demo):
    erdogan = Person.objects.get(name="Recep Tayyip Erdoğan")
    assert "Erdogan" in erdogan.aliases
    lavrov = Person.objects.get(aliases__icontains="Sergei Lavrov")
    quoted_by = lavrov.article_links.filter(role=ArticlePerson.Role.QUOTED)
    assert {link.article.outlet.name for link in quoted_by} == {"Duvar English"}
    mentioned = lavrov.article_links.get(role=ArticlePerson.Role.MENTIONED)
    assert mentioned.article.outlet.name == "TASS"
    author = ArticlePerson.objects.get(role=ArticlePerson.Role.AUTHOR)
    assert (author.person.name, author.article.outlet.name) == (
        "Gunay Hasanova",
        "AzerNews",
    )


def test_demo_topics_form_a_shallow_hierarchy(demo):
    idlib = Topic.objects.get(name="Idlib")
    assert idlib.parent.name == "Syria"
    for name in ["Nagorno-Karabakh", "S-400", "Astana process", "2015 Su-24 shootdown"]:
        assert Topic.objects.get(name=name).article_links.exists(), name


def test_load_demo_leaves_an_archive_with_articles_alone(demo, capsys):
    Article.objects.filter(outlet__name="TASS").update(title="Edited by a curator")
    call_command("load_demo")
    assert Article.objects.filter(title="Edited by a curator").exists()
    assert "already holds articles" in capsys.readouterr().out


def test_demo_pages_render(client, demo):
    for article in Article.objects.all():
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert article.title in response.content.decode()
    for model in [Outlet, Person, Topic]:
        for obj in model.objects.all():
            assert client.get(obj.get_absolute_url()).status_code == 200
