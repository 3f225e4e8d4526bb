from django.contrib.sitemaps import Sitemap

from .models import Article, Outlet, Person, Topic


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


class EntitySitemap(Sitemap):
    changefreq = "weekly"
    model = None

    def items(self):
        return self.model.objects.public().only("slug").order_by("pk")


class OutletSitemap(EntitySitemap):
    model = Outlet


class PersonSitemap(EntitySitemap):
    model = Person


class TopicSitemap(EntitySitemap):
    model = Topic


SITEMAPS = {
    "articles": ArticleSitemap,
    "outlets": OutletSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
}
