from datetime import timedelta

from django import template
from django.http import QueryDict
from django.template.defaultfilters import pluralize

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
