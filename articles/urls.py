from django.urls import include, path, register_converter

from . import feeds, views


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigitConverter, "dd")

# The same views under a dated permalink and an undated one.
article_views = [
    path("", views.article_detail, name="article-detail"),
    path("raw/", views.article_raw, name="article-raw"),
    path("cite/<str:fmt>/", views.article_citation, name="article-citation"),
]
undated_views = [
    path("", views.article_detail, name="article-undated"),
    path("raw/", views.article_raw, name="article-undated-raw"),
    path("cite/<str:fmt>/", views.article_citation, name="article-undated-citation"),
]

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/feed/", feeds.SearchFeed(), name="search-feed"),
    path("articles/feed/rss/", feeds.SearchRss(), name="search-feed-rss"),
    path(
        "articles/<int:year>/<dd:month>/<dd:day>/<slug:slug>/", include(article_views)
    ),
    path("articles/undated/<slug:slug>/", include(undated_views)),
    path("search/help/", views.search_help, name="search-help"),
    path("outlets/", views.outlet_index, name="outlet-list"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet-detail"),
    path("outlets/<slug:slug>/feed/", feeds.OutletFeed(), name="outlet-feed"),
    path("outlets/<slug:slug>/feed/rss/", feeds.OutletRss(), name="outlet-feed-rss"),
    path("people/", views.person_index, name="person-list"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("people/<slug:slug>/feed/", feeds.PersonFeed(), name="person-feed"),
    path("people/<slug:slug>/feed/rss/", feeds.PersonRss(), name="person-feed-rss"),
    path("topics/", views.topic_index, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("topics/<slug:slug>/feed/", feeds.TopicFeed(), name="topic-feed"),
    path("topics/<slug:slug>/feed/rss/", feeds.TopicRss(), name="topic-feed-rss"),
    path("quotes/", views.quote_list, name="quote-list"),
    path("feeds/latest/", feeds.LatestArticlesFeed(), name="latest-feed"),
    path("feeds/latest/rss/", feeds.LatestArticlesRss(), name="latest-feed-rss"),
    path("robots.txt", views.robots_txt, name="robots"),
]
