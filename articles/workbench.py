"""The researcher's workbench: attention over time for any search, comparisons of
searches, outlets, topics and people on one axis, and what a search is about.

Every view here takes the article list's parameters (articles.filters), asks the
search door (articles.search) and renders; every page and download is a plain
URL that can be bookmarked, shared and cited.
"""

import csv
import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from . import charts, search
from .cache import generation, remembered
from .filters import ArticleFilter, country_name, language_name, resolve_names
from .models import Outlet
from .parameters import parameter_errors
from .search import Question

logger = logging.getLogger(__name__)

SCALES = ("count", "share")
EVERYTHING_SECONDS = 3600


def kept(name: str, compute):
    """Return compute(), kept in the cache until anything published changes
    (articles.cache's generation): what is the same for every question."""
    try:
        key = f"archive:{name}:{generation()}"
    except Exception:
        logger.warning("Cache unavailable; counting without it.", exc_info=True)
        return compute()
    return remembered(key, compute, EVERYTHING_SECONDS)


def everything_over_time(unit: str) -> dict[dt.date, int]:
    """Every published article per period: the denominator of shares, the same
    for every search."""
    return kept(f"everything:{unit}", lambda: search.over_time(Question(), unit=unit))


def language_choices() -> list[tuple[str, str]]:
    """The languages of published articles, by name: the list's choices."""
    codes = kept("languages", lambda: search.languages(Question()))
    return sorted(((c, language_name(c)) for c in codes), key=lambda c: c[1])


def country_choices() -> list[tuple[str, str]]:
    """The countries of outlets with published articles, by name."""
    codes = kept(
        "countries",
        lambda: sorted(
            set(
                Outlet.objects.public()
                .exclude(country="")
                .values_list("country", flat=True)
            )
        ),
    )
    return sorted(((c, country_name(c)) for c in codes), key=lambda c: c[1])


def chart_options(params) -> tuple[str | None, str, dict]:
    """The chart's unit (None: chosen from the span) and scale, and errors."""
    errors = {}
    unit = params.get("unit") or None
    if unit is not None and unit not in charts.UNITS:
        errors["unit"] = ["Count by day, week, month or year."]
    scale = params.get("scale") or "count"
    if scale not in SCALES:
        errors["scale"] = ["Show counts (count) or shares of everything (share)."]
    return unit, scale, errors


def attention(
    filterset, question: Question, *, unit, scale, name="Articles", by_month=None
):
    """The question's attention over time, drawn within its date range
    (by_month: its counts per month, when the page has them already)."""
    since, until = filterset.date_range(filterset.form.cleaned_data)
    first = since.date() if since else None
    last = (until - dt.timedelta(days=1)).date() if until else None
    months = None if by_month is None else [by_month]
    unit, (counts,) = counted([question], unit, first, last, by_month=months)
    return charts.chart(
        [charts.Series(name, counts)],
        unit=unit,
        scale=scale,
        everything=everything_over_time(unit),
        since=first,
        until=last,
    )


def counted(questions, unit, first=None, last=None, by_month=None):
    """(unit, each question's counts per period). Without a unit, the finest
    that draws the span in at most charts.MAX_PERIODS periods: the span is
    the date range asked for, or else the months the articles fall in (one
    count by month first, kept when months or years are the unit chosen).
    by_month: each question's counts per month, when the caller has them."""
    if unit is None:
        if first and last:
            unit = charts.choose_unit(first, last)
        else:
            if by_month is None:
                by_month = [search.over_time(q, unit="month") for q in questions]
            months = [m for counts in by_month for m in counts]
            if months:
                end = charts.next_period(max(months), "month") - dt.timedelta(days=1)
                unit = charts.choose_unit(first or min(months), last or end)
            else:
                unit = "month"
    if by_month is not None and unit in ("month", "year"):
        # Years are whole months: summed here rather than asked of the index
        # again (a second pass over every match of a common word).
        return unit, [
            search.by_year(counts) if unit == "year" else counts for counts in by_month
        ]
    return unit, [search.over_time(q, unit=unit) for q in questions]


def chart_csv(request):
    """The results page's counts over time, as CSV."""
    filterset = ArticleFilter(request.GET)
    unit, _, errors = chart_options(request.GET)
    if not filterset.is_valid() or errors:
        return bad_request({**dict(filterset.errors), **errors})
    # Both counts and shares, whichever the page shows.
    found = attention(filterset, filterset.question(), unit=unit, scale="count")
    return _csv_response(found, "attention.csv")


def _csv_response(found: charts.Chart, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    header = ["period_start", "period"]
    for s in found.series:
        header += [f"{s.name}: articles", f"{s.name}: share"]
    writer.writerow([*header, "all published articles"])
    for row in found.rows:
        cells = []
        for cell in row.cells:
            cells += [cell.count, "" if cell.share is None else f"{cell.share:.6f}"]
        writer.writerow([row.start.isoformat(), row.label, *cells, row.everything])
    return response


def bad_request(errors: dict) -> HttpResponse:
    lines = [
        f"{name}: {' '.join(map(str, messages))}" for name, messages in errors.items()
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


# Comparisons


@dataclass
class Compared:
    """One series of a comparison: the list query it stands for."""

    query: str  # urlencoded list parameters
    filterset: ArticleFilter
    name: str = ""

    @property
    def valid(self) -> bool:
        return self.filterset.is_valid()


def describe(filterset) -> str:
    """A short name for what a list's parameters ask: “gas” · TASS · Syria."""
    data = filterset.form.cleaned_data
    parts = []
    if data.get("q"):
        parts.append(f"“{data['q']}”")
    for name in ("outlet", "topic", "person"):
        parts += [obj.name for obj in data.get(name) or ()]
    if data.get("role"):
        parts.append(f"as {data['role']}")
    parts += [language_name(code) for code in data.get("language") or ()]
    parts += [country_name(code) for code in data.get("country") or ()]
    start, end = data.get("date_from"), data.get("date_to")
    if start or end:
        parts.append(f"{start or '…'} – {end or '…'}")
    return " · ".join(parts) or "All articles"


def comparison(request) -> tuple[list[Compared], dict]:
    series, errors = [], {}
    queries = [q for q in request.GET.getlist("s") if q.strip()]
    if len(queries) > charts.MAX_SERIES:
        errors["s"] = [f"Compare at most {charts.MAX_SERIES} series."]
        queries = queries[: charts.MAX_SERIES]
    for n, query in enumerate(queries, start=1):
        compared = Compared(query, ArticleFilter(QueryDict(query)))
        if compared.valid:
            compared.name = describe(compared.filterset)
        else:
            for field_name, messages in compared.filterset.errors.items():
                errors[f"series {n}, {field_name}"] = messages
        series.append(compared)
    return series, errors


COMPARE_PARAMETERS = {"s", "unit", "scale", "add"} | {
    f"add_{name}" for name in ("q", "outlet", "topic", "person", "language", "country")
}


def compare(request):
    """Up to five searches (or outlets, topics, people) on one axis."""
    errors = parameter_errors(request.GET, known=COMPARE_PARAMETERS, repeatable={"s"})
    add_errors = {}
    if "add" in request.GET and not errors:
        target, add_errors = _add_series(request)
        if not add_errors:
            return redirect(target)
    series, series_errors = comparison(request)
    unit, scale, chart_errors = chart_options(request.GET)
    errors = {**series_errors, **chart_errors, **errors}
    context = {
        "series": series,
        "errors": errors,
        "add_errors": add_errors,
        "unit": unit,
        "scale": scale,
        "units": charts.UNITS,
        "typed": {
            name: request.GET.get(name, "")
            for name in COMPARE_PARAMETERS
            if name.startswith("add_")
        },
        "languages": language_choices(),
        "countries": country_choices(),
    }
    canonical = _comparison_params(request)
    # A series' results page can add its own question to this comparison.
    back = urlencode({"compare": canonical.urlencode()})
    for compared in series:
        compared.remove_url = _without(canonical, compared.query)
        compared.results_url = (
            f"{reverse('articles:article-list')}?{compared.query}&{back}"
        )
    if errors:
        return render(request, "articles/compare.html", context, status=400)
    if series:
        # A series that could not be added leaves the comparison drawn as it was.
        context["chart"] = compared_chart(series, unit=unit, scale=scale)
        context["csv_url"] = (
            reverse("articles:compare-csv") + "?" + canonical.urlencode()
        )
    status = 400 if add_errors else 200
    return render(request, "articles/compare.html", context, status=status)


def _comparison_params(request) -> QueryDict:
    """The comparison's own parameters: its series and chart options, without
    what the add form sent."""
    params = request.GET.copy()
    for name in list(params):
        if name == "add" or name.startswith("add_"):
            del params[name]
    return params


def compared_chart(series: list[Compared], *, unit, scale) -> charts.Chart:
    questions = [s.filterset.question() for s in series]
    unit, counts = counted(questions, unit)
    lines = [
        charts.Series(s.name, n, link=s.query)
        for s, n in zip(series, counts, strict=True)
    ]
    return charts.chart(
        lines, unit=unit, scale=scale, everything=everything_over_time(unit)
    )


def compare_csv(request):
    series, errors = comparison(request)
    unit, scale, chart_errors = chart_options(request.GET)
    errors.update(chart_errors)
    if not series:
        errors["s"] = ["Give at least one series (s=…)."]
    if errors:
        return bad_request(errors)
    return _csv_response(
        compared_chart(series, unit=unit, scale=scale), "comparison.csv"
    )


ADD_LABELS = {
    "add_q": "Search words",
    "add_language": "Language",
    "add_country": "Outlet country",
}


def _add_series(request) -> tuple[str, dict]:
    """The add form's fields make one more series: outlets, topics and people
    by name, resolved to their slugs. Returns the canonical address of the
    comparison with it, and errors by the field's label ("Outlet")."""
    params = request.GET.copy()
    added = QueryDict(mutable=True)
    for name in ("q", "outlet", "topic", "person", "language", "country"):
        for value in params.getlist(f"add_{name}"):
            if value.strip():
                added.appendlist(name, value.strip())
    queries = [q for q in params.getlist("s") if q.strip()]
    if not added:
        return "", {
            "Add a series": [
                "Fill in at least one field: search words, an outlet, a topic, "
                "a person, a language or a country."
            ]
        }
    resolved, errors = resolve_names(added, suffix="")
    if resolved is not None:
        added = resolved
    if not errors:
        checked = ArticleFilter(added)
        if not checked.is_valid():
            for name, messages in checked.errors.items():
                errors[ADD_LABELS.get(f"add_{name}", name)] = messages
    if len(queries) >= charts.MAX_SERIES:
        errors["s"] = [f"Compare at most {charts.MAX_SERIES} series."]
    if errors:
        return "", errors
    queries.append(added.urlencode())
    kept = QueryDict(mutable=True)
    kept.setlist("s", queries)
    for name in ("unit", "scale"):
        if params.get(name):
            kept[name] = params[name]
    return reverse("articles:compare") + "?" + kept.urlencode(), {}


def _without(params: QueryDict, query: str) -> str:
    params = params.copy()
    remaining = list(params.getlist("s"))
    remaining.remove(query)
    params.setlist("s", remaining)
    return "?" + params.urlencode()


# What a search is about


def about(request):
    filterset = ArticleFilter(request.GET)
    context = {"filter": filterset, "errors": {}}
    if not filterset.is_valid():
        context["errors"] = dict(filterset.errors)
        return render(request, "articles/about.html", context, status=400)
    question = filterset.question()
    context.update(
        about=search.about(question),
        name=describe(filterset),
        query=list_query(request),
    )
    return render(request, "articles/about.html", context)


def list_query(request) -> str:
    """The request's list parameters, without its page, order, chart options
    and the comparison it came from: the question it asks."""
    params = request.GET.copy()
    for name in ("page", "unit", "scale", "sort", "compare"):
        params.pop(name, None)
    return params.urlencode()


def adding_url(request) -> str:
    """The comparison this results page was reached from, with this page's
    question added (or a new comparison of it alone)."""
    query = list_query(request)
    came_from = QueryDict(request.GET.get("compare", ""), mutable=True)
    queries = [q for q in came_from.getlist("s") if q.strip()]
    if query not in queries:
        queries.append(query)
    came_from.setlist("s", queries[: charts.MAX_SERIES])
    return reverse("articles:compare") + "?" + came_from.urlencode()
