import json
from datetime import timedelta

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.filters import language_name

register = template.Library()


@register.filter
def web_address(url) -> str:
    """Return url if it is an http(s) address, else "": a link is never made of
    a javascript: or data: URL, even one written around the models' validation."""
    url = str(url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


def _params(request) -> QueryDict:
    params = request.GET.copy()
    params.pop("page", None)
    return params


@register.simple_tag(takes_context=True)
def add_filter(context, name, value):
    """Return the current query string with name=value added (page reset)."""
    params = _params(context["request"])
    if name == "year":
        params.setlist("date_from", [f"{value}-01-01"])
        params.setlist("date_to", [f"{value}-12-31"])
    elif str(value) not in params.getlist(name):
        params.appendlist(name, str(value))
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def remove_filter(context, name, value=None):
    """Return the current query string without name (or without name=value)."""
    params = _params(context["request"])
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [v for v in params.getlist(name) if v != str(value)])
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def with_page(context, number):
    params = _params(context["request"])
    params["page"] = number
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def with_param(context, name, value):
    """Return the current query string with name set to value (page reset)."""
    params = _params(context["request"])
    params[name] = value
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def with_sort(context, sort):
    """Return the current query string sorted by sort, from its first page."""
    params = _params(context["request"])
    params.pop("page", None)
    params["sort"] = sort
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def add_word(context, word):
    """Return the article list's address for the current search narrowed by
    one more word."""
    from django.urls import reverse

    params = _params(context["request"])
    q = params.get("q", "").strip()
    params["q"] = f"{q} {word}".strip()
    return f"{reverse('articles:article-list')}?{params.urlencode()}"


@register.filter
def percent(value) -> str:
    """A share (0–1) as a percentage, "<0.1%" for a sliver."""
    value = float(value or 0)
    if 0 < value < 0.001:
        return "<0.1%"
    return f"{value:.1%}"


# What json_script escapes so that nothing in the data can end the script
# element or open a comment in it (django.utils.html.json_script).
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(value, element_id=None):
    """Return value as <script type="application/ld+json">, escaped exactly as
    json_script escapes its data. json_script writes type="application/json",
    which search engines and reference managers do not read as linked data."""
    data = json.dumps(value, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    if element_id:
        return format_html(
            '<script id="{}" type="application/ld+json">{}</script>',
            element_id,
            mark_safe(data),  # escaped above, as json_script does
        )
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(data)
    )


@register.filter(name="language_name")
def language_name_filter(code) -> str:
    """A language tag by its English name ("tr" → "Turkish")."""
    return language_name(str(code))


@register.filter
def get_list(mapping, key):
    return mapping.get(key, [])


@register.filter
def duration(value: timedelta) -> str:
    """Return a timedelta in words, to the minute: "1 hour", "1 hour 30 minutes"."""
    minutes = max(round(value.total_seconds() / 60), 1)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{pluralize(hours)}")
    if minutes:
        parts.append(f"{minutes} minute{pluralize(minutes)}")
    return " ".join(parts)


# The pages whose articles the header's search box searches within: the list and
# the outlet, person and topic pages, each with its own filters.
SEARCH_WITHIN = frozenset(
    {"article-list", "outlet-detail", "person-detail", "topic-detail"}
)
# Not carried over: the new search words replace the old, and a new search
# starts on its first page.
NOT_KEPT = frozenset({"q", "page"})


@register.inclusion_tag("includes/header_search.html", takes_context=True)
def header_search(context):
    """Return the header's search form: on a list or an entity page it searches
    within that page's filters (kept as hidden inputs), anywhere else (and on a
    page whose filters could not be used) the whole archive."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    within = (
        match is not None
        and match.namespace == "articles"
        and match.url_name in SEARCH_WITHIN
        and not context.get("errors")
    )
    if not within:
        return {"action": reverse("articles:article-list"), "kept": [], "label": ""}
    kept = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in NOT_KEPT
        for value in values
        if value.strip()
    ]
    entity = context.get("object")
    filtered = any(name != "sort" for name, _ in kept)
    if entity is None:
        label = "Search within these filters" if filtered else ""
    else:
        scope = entity if match.url_name == "outlet-detail" else f"articles on {entity}"
        label = f"Search {scope}" + (" within these filters" if filtered else "")
    return {"action": request.path, "kept": kept, "label": label}


@register.inclusion_tag("includes/no_results.html", takes_context=True)
def no_results(context):
    """Return what an empty list says: that nothing matches what was asked,
    and links that ask less (without the filters, without the words, across
    the whole archive); "No published articles yet" only when nothing was
    asked and there is nothing to show."""
    request = context["request"]
    asked = {
        name: [v for v in values if v.strip()]
        for name, values in request.GET.lists()
        if name not in {"page", "sort"}
    }
    asked = {name: values for name, values in asked.items() if values}
    q = " ".join(asked.pop("q", []))
    entity = context.get("object")
    path = request.path
    broader = []
    if q and asked:
        broader.append((f"{path}?{QueryDict.fromkeys(['q'], q).urlencode()}", "q"))
    if q and entity is not None:
        everywhere = QueryDict(mutable=True)
        everywhere["q"] = q
        broader.append(
            (f"{reverse('articles:article-list')}?{everywhere.urlencode()}", "all")
        )
    if asked:
        params = request.GET.copy()
        for name in ("q", "page"):
            params.pop(name, None)
        broader.append((f"{path}?{params.urlencode()}" if q else path, "filters"))
    return {
        "q": q,
        "filtered": bool(asked),
        "entity": entity,
        "broader": broader,
        "asked": bool(q or asked),
    }
