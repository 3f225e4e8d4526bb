from typing import NamedTuple

from django.conf import settings
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from . import charts, search, workbench
from .citations import FORMATS as CITATION_FORMATS
from .citations import cite, cite_html
from .export import FORMATS as EXPORT_FORMATS
from .export import Permalinks as ExportPermalinks
from .export import columns as export_columns
from .export import found as exported
from .export import rows as export_rows
from .filters import (
    NAMED,
    ActiveFilter,
    ArticleFilter,
    active_filters,
    named,
    resolve_names,
)
from .models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    ArticleVersion,
    LinkState,
    Outlet,
    Person,
    Quote,
    Topic,
)
from .pagination import PageOutOfRange, page_number, window
from .parameters import filter_parameters, parameter_errors
from .rendering import Mark, paragraph_of, render_body, text_diff
from .search import Question
from .text import lead_is_repeated, opening_words, strip_control_characters
from .timelines import attention, monthly_counts, timeline

HOME_SIZE = 10


def public_articles():
    return Article.objects.published().for_listing().newest_first()


def home(request):
    return render(
        request,
        "articles/home.html",
        {"latest": list(public_articles()[:HOME_SIZE])},
    )


SORTS = ("newest", "oldest", "relevance")


# Parameters a list page takes beyond its filters: its order, its page, the
# chart's period and scale, the comparison it was reached from, and the names
# typed into its pickers (resolved to slugs, then redirected).
PICKERS = {f"{kind}_name" for kind in NAMED}
LIST_PARAMETERS = {"sort", "page", "unit", "scale", "compare"} | PICKERS
# The filters a list's form keeps as they are while one more is added.
KEPT_FILTERS = ("outlet", "topic", "person", "language", "country")


def list_parameter_errors(request, *, extra=()) -> dict:
    """Return the errors of parameters an article list does not take (its
    filters, sort, page and chart options), as the API answers them."""
    known, repeatable = filter_parameters(ArticleFilter)
    return parameter_errors(
        request.GET, known=known | LIST_PARAMETERS | set(extra), repeatable=repeatable
    )


def asked(request):
    """Return (filter, sort, errors) for the request's list parameters."""
    filterset = ArticleFilter(request.GET)
    errors = list_parameter_errors(request)
    if not errors and not filterset.is_valid():
        errors = dict(filterset.errors)
    errors.update(workbench.chart_options(request.GET)[2])
    searching = filterset.is_searching
    sort = request.GET.get("sort") or ("relevance" if searching else "newest")
    if sort not in SORTS or (sort == "relevance" and not searching):
        errors["sort"] = [
            "Sort by newest or oldest, or by relevance when searching (with q)."
        ]
    return filterset, sort, errors


def article_list(request, template="articles/article_list.html", extra=None, **within):
    """A list of published articles: the request's search and filters, within
    an entity page's own (`within`: its outlet, person or topic)."""
    resolved, name_errors = resolve_names(request.GET)
    if resolved is not None and not name_errors and not list_parameter_errors(request):
        # The list's own address: slugs for names, and no empty fields.
        for name in list(resolved):
            resolved.setlist(name, [v for v in resolved.getlist(name) if v.strip()])
        return redirect(f"{request.path}?{resolved.urlencode()}")
    filterset, sort, errors = asked(request)
    errors.update(name_errors)
    context = {
        "filter": filterset,
        "sort": sort,
        "errors": errors,
        "kept": [
            (name, value)
            for name in KEPT_FILTERS
            for value in dict.fromkeys(request.GET.getlist(name))
            if value.strip()
        ],
        "typed": {name: request.GET.get(name, "") for name in PICKERS},
        # The form as it was sent, also when refused: relevance stays a choice.
        "q": query_text(request, "q", 500),
        "languages": workbench.language_choices(),
        "countries": workbench.country_choices(),
        **(extra or {}),
    }
    if errors:
        context["page"] = None
        return render(request, template, context, status=400)
    number = page_number(request.GET.get("page"))
    found = search.find(
        filterset.question(**within),
        order=sort,
        page=number,
        per_page=settings.ARCHIVE_PAGE_SIZE,
        facets=True,
        snippets=True,
    )
    if number > 1 and not found.articles:
        raise PageOutOfRange(
            f"This list has no page {number:,}; it ends before that. "
            "Go back to its first page."
        )
    context.update(
        q=filterset.form.cleaned_data.get("q"),
        active=named_filters(request, filterset),
        page=found,
        facets=found.facets,
        narrowed=bool(workbench.list_query(request)) or bool(within),
    )
    if not within:  # an entity page draws its own coverage
        context.update(research(request, filterset, found.by_month))
    return render(request, template, context)


def named_filters(request, filterset) -> list[tuple[ActiveFilter, str]]:
    """Each filter the list has, by name, with the address without it."""
    named = []
    for active in active_filters(filterset):
        params = request.GET.copy()
        params.pop("page", None)
        if active.param in KEPT_FILTERS:
            kept = [v for v in params.getlist(active.param) if v != active.value]
            params.setlist(active.param, kept)
        else:
            params.pop(active.param, None)
        named.append((active, f"{request.path}?{params.urlencode()}"))
    return named


def research(request, filterset, by_month) -> dict:
    """The results page's attention over time (by_month: the page's counts
    per month, counted with its facets) and the links onward: the numbers as
    CSV, what the search is about, a comparison."""
    unit, scale, _ = workbench.chart_options(request.GET)
    query = workbench.list_query(request)
    return {
        "chart": workbench.attention(
            filterset, filterset.question(), unit=unit, scale=scale, by_month=by_month
        ),
        "scale": scale,
        "units": charts.UNITS,
        "query": query,
        "csv_url": reverse("articles:article-chart-csv")
        + "?"
        + request.GET.urlencode(),
        "about_url": reverse("articles:article-about") + "?" + query,
        **{
            f"export_{fmt}_url": reverse("articles:article-export")
            + "?"
            + "&".join(filter(None, [query, f"format={fmt}"]))
            for fmt in EXPORT_FORMATS
        },
        "compare_url": workbench.adding_url(request),
        "adding": bool(request.GET.get("compare")),
    }


def article_export(request):
    """Every article the list's search and filters find, streamed as CSV or
    JSON Lines (the columns of articles.export, as the API's export)."""
    known, repeatable = filter_parameters(ArticleFilter)
    errors = parameter_errors(
        request.GET, known=known | {"format"}, repeatable=repeatable
    )
    fmt = request.GET.get("format", "")
    if "format" not in errors and fmt not in EXPORT_FORMATS:
        errors["format"] = ["Export as csv or jsonl (format=csv)."]
    filterset = ArticleFilter(request.GET)
    if not errors and not filterset.is_valid():
        errors = dict(filterset.errors)
    if errors:
        return workbench.bad_request(errors)
    content_type, write = EXPORT_FORMATS[fmt]
    rows = export_rows(
        exported(filterset.question()),
        permalink=ExportPermalinks(request.build_absolute_uri),
    )
    response = StreamingHttpResponse(write(rows), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="articles.{fmt}"'
    return response


NAME_KINDS = {"outlets": "outlet", "topics": "topic", "people": "person"}


def names(request, kind):
    """The public outlets, topics or people whose names resemble `q`, as JSON:
    the pickers' suggestions."""
    errors = parameter_errors(request.GET, known={"q"})
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    q = query_text(request, "q", 100)
    found = named(NAME_KINDS[kind], q) if q else []
    return JsonResponse({"results": [{"name": o.name, "slug": o.slug} for o in found]})


def withdrawn_notice(request, slug):
    """A withdrawn article's permalink: a notice with the reason, not the text."""
    article = get_object_or_404(
        Article.objects.filter(status=Article.Status.WITHDRAWN)
        .select_related("outlet")
        .only(
            "title",
            "slug",
            "published_at",
            "withdrawal_reason",
            "outlet",
            "outlet__name",
            "outlet__slug",
        ),
        slug=slug,
    )
    return render(
        request, "articles/article_withdrawn.html", {"article": article}, status=410
    )


def article_detail(request, slug, year=None, month=None, day=None):
    confirmed = {"state": LinkState.CONFIRMED}
    article = (
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
            Prefetch("quotes", Quote.objects.public().select_related("speaker")),
            Prefetch("annotations", Annotation.objects.public()),
            Prefetch("versions", ArticleVersion.objects.order_by("captured_at")),
        )
        .filter(slug=slug)
        .first()
    )
    if article is None:
        return withdrawn_notice(request, slug)
    canonical = article.get_absolute_url()
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    roles = {}
    for link in article.person_links.all():
        roles.setdefault(link.get_role_display(), []).append(link.person)
    authors = roles.get(ArticlePerson.Role.AUTHOR.label, [])
    marks = [
        Mark(q.start, q.end, "quote", f"quote-{q.pk}", q.speaker.name)
        for q in article.quotes.all()
    ] + [
        Mark(a.start, a.end, "annotation", f"annotation-{a.pk}", "Curators' note")
        for a in article.annotations.all()
        if a.start is not None
    ]
    topic_ids = [link.topic_id for link in article.topic_links.all()]
    copies = (
        Article.objects.published()
        .filter(story_id=article.story_id)
        .exclude(pk=article.pk)
        .select_related("outlet")
        .defer("body", "raw_text", "notes")
        .order_by(F("published_at").asc(nulls_last=True), "pk")[:10]
        if article.story_id
        else []
    )
    related = related_coverage(article, topic_ids) if topic_ids else []
    versions = [
        (version, text_diff(article.body, version.body))
        for version in article.versions.all()
    ]
    permalink = request.build_absolute_uri(canonical)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "paragraphs": render_body(article.body, marks, article.dateline),
            "lead_in_body": lead_is_repeated(article.lead, article.body),
            "quotes_by_speaker": quotes_by_speaker(article),
            "people_by_role": roles,
            "authors": authors,
            "copies": copies,
            "related": related,
            "versions": versions,
            "corrections": article.corrections(),
            "permalink": permalink,
            "citations": citations(article, authors, permalink),
            "raw_url": article.url_for("article-raw"),
            "json_ld": news_article_json_ld(article, authors, permalink),
        },
    )


class QuoteEntry(NamedTuple):
    """A quote in the list beside the text: where it is, and how it opens."""

    quote: Quote
    paragraph: int
    opening: str


def quotes_by_speaker(article) -> dict[Person, list[QuoteEntry]]:
    """Return the article's confirmed quotes grouped by speaker, in the order
    they are said, each by its paragraph and first words: the text marks the
    quote whole (every quote is located in the text: quote_offsets_valid)."""
    grouped: dict[Person, list[QuoteEntry]] = {}
    for quote in article.quotes.all():
        grouped.setdefault(quote.speaker, []).append(
            QuoteEntry(
                quote,
                paragraph=paragraph_of(article.body, quote.start),
                opening=opening_words(quote.text),
            )
        )
    return grouped


PROSE_STYLES = ("apa", "mla", "chicago")


class Citation(NamedTuple):
    key: str  # a key of articles.citations.FORMATS
    label: str
    url: str  # the download
    text: str
    html: str  # the text with the style's italics (the prose styles)
    prose: bool


def citations(article, authors, permalink) -> list[Citation]:
    """Return the article's citation in every format, as the page shows them
    (text to read, select and copy) beside their downloads."""
    names = [person.name for person in authors]
    today = timezone.now().date()
    given = {"authors": names, "permalink": permalink, "accessed": today}
    return [
        Citation(
            key=key,
            label=label,
            url=article.url_for("article-citation", fmt=key),
            text=cite(article, fmt=key, **given),
            html=cite_html(article, fmt=key, **given) if key in PROSE_STYLES else "",
            prose=key in PROSE_STYLES,
        )
        for key, (label, _, _) in CITATION_FORMATS.items()
    ]


RELATED_SIZE = 5
RELATED_CANDIDATES = 50


def related_coverage(article, topic_ids):
    """Return a few published articles sharing a topic, newest first, other
    than the article and its copies.

    They are chosen among the articles most recently linked to those topics
    (the RELATED_CANDIDATES highest ids, read from an index), not among all of
    a topic's articles: a topic's articles all published long ago made the
    newest-first walk read most of the archive to find five.
    """
    candidates = (
        ArticleTopic.objects.filter(topic_id__in=topic_ids, state=LinkState.CONFIRMED)
        .exclude(article_id=article.pk)
        .order_by("-article_id")
        .values("article_id")[:RELATED_CANDIDATES]
    )
    return (
        public_articles()
        .filter(pk__in=candidates)
        .exclude(story_id__isnull=False, story_id=article.story_id)[:RELATED_SIZE]
    )


def news_article_json_ld(article, authors, permalink) -> dict:
    """Return schema.org NewsArticle data (rendered with json_script: escaped)."""
    # Only a draft, which staff preview, may be without an outlet.
    publisher = (
        {"@type": "Organization", "name": article.outlet.name}
        if article.outlet is not None
        else None
    )
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "url": permalink,
        "inLanguage": article.language,
        "wordCount": article.word_count,
        "publisher": publisher,
        "author": [{"@type": "Person", "name": p.name} for p in authors]
        or ([publisher] if publisher else []),
        "isBasedOn": article.url or None,
        "dateModified": article.updated_at.isoformat(),
    }
    if article.published_at and not article.date_inferred:
        data["datePublished"] = article.published_at.isoformat()
    if article.lead:
        data["description"] = article.lead
    return {k: v for k, v in data.items() if v is not None}


def article_raw(request, slug, year=None, month=None, day=None):
    """The input exactly as received, as plain text."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    response = HttpResponse(article.raw_text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{article.slug}.txt"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def article_citation(request, slug, fmt, year=None, month=None, day=None):
    """Download a citation of the article in one format."""
    if fmt not in CITATION_FORMATS:
        raise Http404("Unknown citation format.")
    article = get_object_or_404(
        Article.objects.published().select_related("outlet"), slug=slug
    )
    authors = list(
        article.person_links.filter(
            role=ArticlePerson.Role.AUTHOR, state=LinkState.CONFIRMED
        ).values_list("person__name", flat=True)
    )
    _, extension, mime = CITATION_FORMATS[fmt]
    text = cite(
        article,
        fmt=fmt,
        authors=authors,
        permalink=request.build_absolute_uri(article.get_absolute_url()),
        accessed=timezone.now().date(),
    )
    response = HttpResponse(text, content_type=f"{mime}; charset=utf-8")
    filename = f"{article.slug}-{fmt}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def outlet_detail(request, slug):
    outlet = get_object_or_404(Outlet.objects.public(), slug=slug)
    return entity_page(
        request, outlet, "articles/outlet_detail.html", outlets=frozenset([outlet.pk])
    )


def person_detail(request, slug):
    person = get_object_or_404(Person.objects.public(), slug=slug)
    quotes = (
        Quote.objects.public()
        .filter(speaker=person)
        .select_related("article__outlet")
        .defer("article__body", "article__raw_text", "article__notes")
        .order_by(F("article__published_at").desc(nulls_last=True), "pk")[:20]
    )
    return entity_page(
        request,
        person,
        "articles/person_detail.html",
        extra={"quotes": quotes},
        people=(person.pk,),
    )


def topic_detail(request, slug):
    topic = get_object_or_404(
        Topic.objects.public().select_related("parent"), slug=slug
    )
    return entity_page(
        request,
        topic,
        "articles/topic_detail.html",
        extra={
            "attention": attention(Question(topics=(topic.pk,))),
            "children": list(topic.children.public()),
            "parent_is_public": Topic.objects.public()
            .filter(pk=topic.parent_id)
            .exists(),
        },
        topics=(topic.pk,),
    )


def entity_page(request, obj, template, *, extra=None, **within):
    """An outlet, person or topic page: the article list within the entity,
    and its coverage over time."""
    return article_list(
        request,
        template=template,
        extra={
            "object": obj,
            "timeline": timeline(monthly_counts(Question().narrowed(**within))),
            "feed_url": obj.get_absolute_url() + "feed/",
            **(extra or {}),
        },
        **within,
    )


INDEX_SIZE = 100


def query_text(request, name: str, limit: int) -> str:
    """Return a text parameter stripped, cut to limit and without control
    characters (PostgreSQL refuses a NUL in a query: that was a 500)."""
    return strip_control_characters(request.GET.get(name, "")).strip()[:limit]


def refused(request, template, errors: dict, context=None):
    """The 400 page of a list given parameters it does not take."""
    return render(
        request,
        template,
        {"errors": errors, "page": window(Article.objects.none(), number=1, per_page=1)}
        | (context or {}),
        status=400,
    )


def entity_index(request, model, template):
    """An index of the public outlets, people or topics with their
    published-article counts, optionally narrowed by a name (typo-tolerant on
    PostgreSQL)."""
    errors = parameter_errors(request.GET, known={"q", "page"})
    if errors:
        return refused(request, template, errors, {"q": ""})
    q = query_text(request, "q", 100)
    entities = model.objects.public().with_published_counts()
    entities = entities.named_like(q) if q else entities.order_by("-n_articles", "name")
    page = paged_by(request, entities, INDEX_SIZE)
    return render(request, template, {"page": page, "q": q})


def paged_by(request, queryset, per_page):
    return window(
        queryset, number=page_number(request.GET.get("page")), per_page=per_page
    )


def outlet_index(request):
    return entity_index(request, Outlet, "articles/outlet_list.html")


def person_index(request):
    return entity_index(request, Person, "articles/person_list.html")


def topic_index(request):
    return entity_index(request, Topic, "articles/topic_list.html")


def quote_list(request):
    """Published quotes, searchable by speaker and words."""
    errors = parameter_errors(request.GET, known={"q", "speaker", "page"})
    if errors:
        return refused(
            request, "articles/quote_list.html", errors, {"q": "", "speaker": ""}
        )
    q = query_text(request, "q", 200)
    speaker = query_text(request, "speaker", 200)
    quotes = (
        Quote.objects.public()
        .select_related("speaker", "article__outlet")
        .defer("article__body", "article__raw_text", "article__notes")
        .order_by(F("article__published_at").desc(nulls_last=True), "-pk")
    )
    if q:
        quotes = quotes.filter(text__icontains=q)
    if speaker:
        quotes = quotes.filter(
            speaker__in=Person.objects.public().named_like(speaker)[:20]
        )
    page = paged_by(request, quotes, settings.ARCHIVE_PAGE_SIZE)
    return render(
        request, "articles/quote_list.html", {"page": page, "q": q, "speaker": speaker}
    )


def search_help(request):
    return render(
        request, "articles/search_help.html", {"export_columns": export_columns()}
    )


def robots_txt(request):
    sitemap = request.build_absolute_uri("/sitemap.xml")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /articles/?",
        "Disallow: /articles/feed/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
