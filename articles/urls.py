from django.urls import path, register_converter

from . import views


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigitConverter, "dd")

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path(
        "articles/<int:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.article_detail,
        name="article-detail",
    ),
    path("articles/undated/<slug:slug>/", views.article_detail, name="article-undated"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet-detail"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
]
