from django.urls import include, path, register_converter

from . import feeds, views, workbench
from .cache import cache_public
from .throttling import throttle_exports, throttle_searches


def searchable(view):
    """A cached public page that takes `q`: anonymous searches are limited."""
    return throttle_searches(cache_public(view))


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class NameKindConverter:
    regex = "outlets|topics|people"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TwoDigitConverter, "dd")
register_converter(NameKindConverter, "name_kind")

# The same views under a dated permalink and an undated one.
article_views = [
    path("", cache_public(views.article_detail), name="article-detail"),
    path("raw/", cache_public(views.article_raw), name="article-raw"),
    path(
        "cite/<str:fmt>/", cache_public(views.article_citation), name="article-citation"
    ),
]
undated_views = [
    path("", cache_public(views.article_detail), name="article-undated"),
    path("raw/", cache_public(views.article_raw), name="article-undated-raw"),
    path(
        "cite/<str:fmt>/",
        cache_public(views.article_citation),
        name="article-undated-citation",
    ),
]

# Every public page here is cached for anonymous visitors (articles/cache.py);
# those that search are also throttled (articles/throttling.py).
app_name = "articles"
urlpatterns = [
    path("", cache_public(views.home), name="home"),
    path("articles/", searchable(views.article_list), name="article-list"),
    path(
        "articles/chart.csv",
        searchable(workbench.chart_csv),
        name="article-chart-csv",
    ),
    path("articles/about/", searchable(workbench.about), name="article-about"),
    path(
        "articles/export/",
        throttle_exports(views.article_export),
        name="article-export",
    ),
    path("compare/", searchable(workbench.compare), name="compare"),
    path("compare/chart.csv", searchable(workbench.compare_csv), name="compare-csv"),
    path("articles/feed/", searchable(feeds.SearchFeed()), name="search-feed"),
    path("articles/feed/rss/", searchable(feeds.SearchRss()), name="search-feed-rss"),
    path(
        "articles/<int:year>/<dd:month>/<dd:day>/<slug:slug>/", include(article_views)
    ),
    path("articles/undated/<slug:slug>/", include(undated_views)),
    path("search/help/", cache_public(views.search_help), name="search-help"),
    path("outlets/", searchable(views.outlet_index), name="outlet-list"),
    path("outlets/<slug:slug>/", searchable(views.outlet_detail), name="outlet-detail"),
    path(
        "outlets/<slug:slug>/feed/",
        cache_public(feeds.OutletFeed()),
        name="outlet-feed",
    ),
    path(
        "outlets/<slug:slug>/feed/rss/",
        cache_public(feeds.OutletRss()),
        name="outlet-feed-rss",
    ),
    path("people/", searchable(views.person_index), name="person-list"),
    path("people/<slug:slug>/", searchable(views.person_detail), name="person-detail"),
    path(
        "people/<slug:slug>/feed/", cache_public(feeds.PersonFeed()), name="person-feed"
    ),
    path(
        "people/<slug:slug>/feed/rss/",
        cache_public(feeds.PersonRss()),
        name="person-feed-rss",
    ),
    path("topics/", searchable(views.topic_index), name="topic-list"),
    path("topics/<slug:slug>/", searchable(views.topic_detail), name="topic-detail"),
    path(
        "topics/<slug:slug>/feed/", cache_public(feeds.TopicFeed()), name="topic-feed"
    ),
    path(
        "topics/<slug:slug>/feed/rss/",
        cache_public(feeds.TopicRss()),
        name="topic-feed-rss",
    ),
    path("quotes/", searchable(views.quote_list), name="quote-list"),
    path("feeds/latest/", cache_public(feeds.LatestArticlesFeed()), name="latest-feed"),
    path(
        "feeds/latest/rss/",
        cache_public(feeds.LatestArticlesRss()),
        name="latest-feed-rss",
    ),
    path("names/<name_kind:kind>/", cache_public(views.names), name="names"),
    path("robots.txt", cache_public(views.robots_txt), name="robots"),
]
