from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from .models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Quote,
    Topic,
)
from .pagination import page_number, window
from .text import paragraphs

HOME_SIZE = 10


def public_articles():
    return Article.objects.published().for_listing().newest_first()


def paged(request, queryset):
    return window(
        queryset,
        number=page_number(request.GET.get("page")),
        per_page=settings.ARCHIVE_PAGE_SIZE,
    )


def home(request):
    return render(
        request,
        "articles/home.html",
        {"latest": list(public_articles()[:HOME_SIZE])},
    )


def article_list(request):
    return render(
        request,
        "articles/article_list.html",
        {"page": paged(request, public_articles())},
    )


def article_detail(request, slug, year=None, month=None, day=None):
    confirmed = {"state": LinkState.CONFIRMED}
    article = get_object_or_404(
        Article.objects.published()
        .select_related("outlet")
        .prefetch_related(
            Prefetch(
                "person_links",
                ArticlePerson.objects.filter(**confirmed).select_related("person"),
            ),
            Prefetch(
                "topic_links",
                ArticleTopic.objects.filter(**confirmed).select_related(
                    "topic__parent"
                ),
            ),
            Prefetch(
                "quotes", Quote.objects.filter(**confirmed).select_related("speaker")
            ),
            Prefetch(
                "annotations",
                Annotation.objects.filter(visibility=Annotation.Visibility.PUBLIC),
            ),
        ),
        slug=slug,
    )
    canonical = article.get_absolute_url()
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    roles = {}
    for link in article.person_links.all():
        roles.setdefault(link.get_role_display(), []).append(link.person)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "paragraphs": paragraphs(article.body),
            "people_by_role": roles,
            "authors": roles.get(ArticlePerson.Role.AUTHOR.label, []),
        },
    )


def _entity_page(request, model, slug, articles, template):
    obj = get_object_or_404(model, slug=slug)
    return render(
        request,
        template,
        {"object": obj, "page": paged(request, articles(obj))},
    )


def outlet_detail(request, slug):
    return _entity_page(
        request,
        Outlet,
        slug,
        lambda outlet: public_articles().filter(outlet=outlet),
        "articles/outlet_detail.html",
    )


def person_detail(request, slug):
    return _entity_page(
        request,
        Person,
        slug,
        lambda person: public_articles().filter(
            pk__in=ArticlePerson.objects.filter(
                person=person, state=LinkState.CONFIRMED
            ).values("article_id")
        ),
        "articles/person_detail.html",
    )


def topic_detail(request, slug):
    return _entity_page(
        request,
        Topic,
        slug,
        lambda topic: public_articles().filter(
            topic_links__topic=topic, topic_links__state=LinkState.CONFIRMED
        ),
        "articles/topic_detail.html",
    )
