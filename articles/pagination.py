"""Pagination that never counts a whole large table on a request's hot path."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.http import Http404
from django.utils.functional import cached_property


def estimated_row_count(model, using: str = "default") -> int | None:
    """Return PostgreSQL's planner estimate of the table's rows, or None elsewhere.

    The estimate is kept by autovacuum/ANALYZE; it is -1 before the first ANALYZE.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """A paginator for admin changelists over big tables.

    An unfiltered list on PostgreSQL takes the planner's estimate instead of
    COUNT(*) once the table is larger than ARCHIVE_EXACT_COUNT_LIMIT
    (`estimated`). A filtered list counts at most one row past
    ARCHIVE_FILTERED_COUNT_LIMIT (`SELECT count(*) FROM (... LIMIT n + 1)`): a
    filter matching 900,000 articles then costs as much as one matching 1,001,
    and the list says "more than 1,000" (`more_than`), with that many rows (20
    pages) to page through: narrower filters find the rest.
    """

    estimated = False
    more_than = False

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None:
            return super().count
        if not query.where:
            estimate = estimated_row_count(queryset.model, queryset.db)
            if estimate is not None and estimate > settings.ARCHIVE_EXACT_COUNT_LIMIT:
                self.estimated = True
                return estimate
            return super().count
        limit = settings.ARCHIVE_FILTERED_COUNT_LIMIT
        counted = queryset.order_by().values("pk")[: limit + 1].count()
        if counted > limit:
            self.more_than = True
            return limit
        return counted


@dataclass
class Window:
    """One page of a list paged by "newer/older" links, without any COUNT.

    Fetches one row more than it shows, to know whether another page follows.
    """

    object_list: list
    number: int
    has_next: bool
    per_page: int
    page_range: list = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 1000


class PageOutOfRange(Http404):
    """A page number past the end of a list, or past MAX_PAGE: a 404 whose
    message the not-found page shows (articles.api.errors.page_not_found)."""


def page_number(raw) -> int:
    """Return a page number from a query parameter; anything odd is page 1, and
    a number past MAX_PAGE is refused (offsets that deep cost the database a
    scan of every row before them)."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    if number > MAX_PAGE:
        raise PageOutOfRange(
            f"Lists go back at most {MAX_PAGE:,} pages. To reach older articles, "
            "narrow the list (a date range, an outlet or a search) or sort it "
            "oldest first."
        )
    return max(number, 1)


def window(queryset, *, number: int, per_page: int) -> Window:
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    if number > 1 and not rows:
        raise PageOutOfRange(
            f"This list has no page {number:,}; it ends before that. "
            "Go back to its first page."
        )
    return Window(
        object_list=rows[:per_page],
        number=number,
        has_next=len(rows) > per_page,
        per_page=per_page,
    )
