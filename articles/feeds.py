"""Atom and RSS feeds of published articles: latest, per outlet, person and topic,
and for any article-list search.

Titles, names and categories are plain text, which the XML writer escapes. An
item's description is HTML to feed readers (Atom's summary is type="html", and
RSS readers render description as HTML), so the lead is HTML-escaped before the
XML writer escapes it again: a reader shows "<script>" in a lead as text.
Characters XML 1.0 cannot carry are dropped, so stored text never breaks a feed.
"""

import re

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from . import search
from .filters import ArticleFilter
from .models import (
    Article,
    Outlet,
    Person,
    Topic,
)
from .parameters import filter_parameters, parameter_errors
from .search import Question
from .text import strip_control_characters

FEED_SIZE = 30

# What XML 1.0 cannot carry beyond the control characters the archive refuses.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xml_text(value):
    if isinstance(value, str):
        return _NOT_XML.sub("", strip_control_characters(value))
    if isinstance(value, list | tuple):
        return [_xml_text(v) for v in value]
    return value


class XmlSafe:
    """A feed generator that drops characters XML 1.0 cannot carry."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *map(_xml_text, args), **{k: _xml_text(v) for k, v in kwargs.items()}
        )

    def add_item(self, *args, **kwargs):
        super().add_item(
            *map(_xml_text, args), **{k: _xml_text(v) for k, v in kwargs.items()}
        )


class AtomFeed(XmlSafe, Atom1Feed):
    pass


class RssFeed(XmlSafe, Rss201rev2Feed):
    pass


class LatestArticlesFeed(Feed):
    title = "News archive: latest articles"
    description = "Articles most recently published in the archive."
    feed_type = AtomFeed
    subtitle = description

    def link(self):
        return reverse("articles:article-list")

    def items(self, obj=None):
        # The newest published articles, from the database: the feed keeps
        # working while the search index is being rebuilt.
        return Article.objects.published().for_listing().newest_first()[:FEED_SIZE]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return escape(article.lead)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.outlet.name

    def item_categories(self, article):
        return [article.outlet.name, article.language]


class LatestArticlesRss(LatestArticlesFeed):
    feed_type = RssFeed


class FoundFeed(LatestArticlesFeed):
    """A feed of the newest articles a search question finds."""

    def question(self, obj) -> Question:
        raise NotImplementedError

    def items(self, obj=None):
        return search.find(
            self.question(obj), order="newest", per_page=FEED_SIZE
        ).articles


class EntityFeed(FoundFeed):
    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model.objects.public(), slug=slug)

    def title(self, obj):
        return f"News archive: {obj}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"Published articles in the archive about or from {obj}."

    subtitle = description


class OutletFeed(EntityFeed):
    model = Outlet

    def question(self, outlet):
        return Question(outlets=frozenset([outlet.pk]))


class PersonFeed(EntityFeed):
    model = Person

    def question(self, person):
        return Question(people=(person.pk,))


class TopicFeed(EntityFeed):
    model = Topic

    def question(self, topic):
        return Question(topics=(topic.pk,))


class OutletRss(OutletFeed):
    feed_type = RssFeed


class PersonRss(PersonFeed):
    feed_type = RssFeed


class TopicRss(TopicFeed):
    feed_type = RssFeed


class SearchFeed(FoundFeed):
    """The latest articles matching an article-list search (same parameters).
    Parameters the list does not take, or values it refuses, are a 400 naming
    them, as on the list itself."""

    def __call__(self, request, *args, **kwargs):
        filterset = ArticleFilter(request.GET)
        known, repeatable = filter_parameters(ArticleFilter)
        errors = parameter_errors(request.GET, known=known, repeatable=repeatable)
        if not errors and not filterset.is_valid():
            errors = filterset.errors
        if errors:
            return HttpResponseBadRequest(
                "".join(
                    f"{name}: {message}\n"
                    for name, messages in errors.items()
                    for message in messages
                ),
                content_type="text/plain; charset=utf-8",
            )
        request.archive_filterset = filterset
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        return request.archive_filterset

    def title(self, filterset):
        q = filterset.form.cleaned_data.get("q")
        return f"News archive: “{q}”" if q else "News archive: selected articles"

    def link(self, filterset):
        return reverse("articles:article-list") + "?" + filterset.data.urlencode()

    def question(self, filterset):
        return filterset.question()


class SearchRss(SearchFeed):
    feed_type = RssFeed
