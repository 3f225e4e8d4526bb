"""Atom and RSS feeds of published articles: latest, per outlet, person and topic,
and for any article-list search."""

import re

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .filters import ArticleFilter
from .models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Topic,
)

FEED_SIZE = 30
# Characters XML 1.0 cannot carry: Django's feed writer refuses them (a 500),
# and a search (?q=) or an imported title may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """Return value (a string, or a list of them) without the characters XML
    cannot carry; anything else as it is."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return [xml_text(v) for v in value]
    return value


class XmlText:
    """A feed generator that drops what XML cannot carry from every text it is
    given, for the feed and for each item."""

    def __init__(self, *args, **kwargs):
        args = [xml_text(a) for a in args]
        super().__init__(*args, **{k: xml_text(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        args = [xml_text(a) for a in args]
        super().add_item(*args, **{k: xml_text(v) for k, v in kwargs.items()})


class AtomFeed(XmlText, Atom1Feed):
    pass


class RssFeed(XmlText, Rss201rev2Feed):
    pass


class LatestArticlesFeed(Feed):
    title = "News archive: latest articles"
    description = "Articles most recently published in the archive."
    feed_type = AtomFeed
    subtitle = description

    def link(self):
        return reverse("articles:article-list")

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        return (
            self.articles(obj)
            .select_related("outlet")
            .defer("body", "raw_text", "notes")
            .newest_first()[:FEED_SIZE]
        )

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.lead

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


class EntityFeed(LatestArticlesFeed):
    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj):
        return f"News archive: {obj}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"Published articles in the archive about or from {obj}."

    subtitle = description


class OutletFeed(EntityFeed):
    model = Outlet

    def articles(self, outlet):
        return Article.objects.published().filter(outlet=outlet)


class PersonFeed(EntityFeed):
    model = Person

    def articles(self, person):
        links = ArticlePerson.objects.filter(person=person, state=LinkState.CONFIRMED)
        return Article.objects.published().filter(pk__in=links.values("article_id"))


class TopicFeed(EntityFeed):
    model = Topic

    def articles(self, topic):
        links = ArticleTopic.objects.filter(topic=topic, state=LinkState.CONFIRMED)
        return Article.objects.published().filter(pk__in=links.values("article_id"))


class OutletRss(OutletFeed):
    feed_type = RssFeed


class PersonRss(PersonFeed):
    feed_type = RssFeed


class TopicRss(TopicFeed):
    feed_type = RssFeed


class SearchFeed(LatestArticlesFeed):
    """The latest articles matching an article-list search (same parameters)."""

    def get_object(self, request):
        filterset = ArticleFilter(request.GET, queryset=Article.objects.published())
        if not filterset.is_valid():
            raise Http404("These search parameters are not valid.")
        return filterset

    def title(self, filterset):
        q = filterset.form.cleaned_data.get("q")
        return f"News archive: “{q}”" if q else "News archive: selected articles"

    def link(self, filterset):
        return reverse("articles:article-list") + "?" + filterset.data.urlencode()

    def articles(self, filterset):
        return filterset.qs


class SearchRss(SearchFeed):
    feed_type = RssFeed
