"""The query parameters a list page, feed or API endpoint takes, and one answer
to any other: a 400 naming it.

A misspelt filter (`?outlett=tass`) silently ignored shows everything and looks
like an answer. The site's lists and the API both ask `parameter_errors()` with
the names their filters, sorting and paging declare, so the two cannot drift
apart, and both say which parameter was wrong and what the address takes.
"""

import difflib
from collections.abc import Iterable

import django_filters


def parameter_errors(
    query, *, known: Iterable[str], repeatable: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Return the errors of a request's query (a QueryDict) by parameter name:
    each name the address does not take, and each name given more than once
    that takes one value. Empty when every parameter is known."""
    known, repeatable = set(known), set(repeatable)
    errors = {}
    for name in query:
        if name not in known:
            errors[name] = [unknown_message(name, known)]
        elif name not in repeatable and len(query.getlist(name)) > 1:
            errors[name] = [
                "Given more than once; give it once."
                + (
                    " List several names in one value, separated by commas."
                    if name == "fields"
                    else ""
                )
            ]
    return errors


def unknown_message(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    guess = f" Did you mean “{close[0]}”?" if close else ""
    takes = ", ".join(sorted(known)) or "no parameters"
    return f"Unknown parameter “{name}”.{guess} This address takes: {takes}."


REPEATABLE_FILTERS = (
    django_filters.MultipleChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)


def filter_parameters(filterset_class) -> tuple[set[str], set[str]]:
    """Return the parameters a FilterSet takes, and those of them that may be
    repeated (`?topic=a&topic=b`)."""
    filters = filterset_class.base_filters
    repeatable = {
        name for name, f in filters.items() if isinstance(f, REPEATABLE_FILTERS)
    }
    return set(filters), repeatable
