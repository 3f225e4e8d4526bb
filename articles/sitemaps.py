from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from .models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Topic,
)


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, article):
        return article.updated_at


def _with_published(model, link_model, field):
    links = link_model.objects.filter(
        **{field: OuterRef("pk")},
        state=LinkState.CONFIRMED,
        article__status=Article.Status.PUBLISHED,
    )
    return model.objects.filter(Exists(links)).only("slug").order_by("pk")


class OutletSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        published = Article.objects.published().filter(outlet=OuterRef("pk"))
        return Outlet.objects.filter(Exists(published)).only("slug").order_by("pk")


class PersonSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return _with_published(Person, ArticlePerson, "person")


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return _with_published(Topic, ArticleTopic, "topic")


SITEMAPS = {
    "articles": ArticleSitemap,
    "outlets": OutletSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
}
