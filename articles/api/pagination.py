"""Keyset ("cursor") pagination: pages by position in a unique ordering, never by
offset and never with a COUNT(*), so every page costs the same however deep it is
and rows added meanwhile neither repeat nor vanish between pages."""

import base64
import binascii
import datetime as dt
import heapq
import json
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


@dataclass(frozen=True)
class Key:
    """One column of an ordering: its name, direction, and value type."""

    field: str
    descending: bool = False
    kind: type = int
    nullable: bool = False

    def order(self, backwards: bool):
        # Nulls come last reading forwards (as on the site), so first backwards.
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
        expression = F(self.field)
        if self.descending != backwards:
            return expression.desc(**nulls)
        return expression.asc(**nulls)

    def beyond(self, value, backwards: bool) -> Q:
        """Rows strictly after value in this key's reading order."""
        if value is None:
            return Q(**{f"{self.field}__isnull": False}) if backwards else Q(pk__in=[])
        lookup = "lt" if self.descending != backwards else "gt"
        after = Q(**{f"{self.field}__{lookup}": value})
        if self.nullable and not backwards:
            after |= Q(**{f"{self.field}__isnull": True})
        return after

    def equal(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.field}__isnull": True})
        return Q(**{self.field: value})

    def encode(self, value):
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return value

    def decode(self, raw):
        if raw is None:
            if not self.nullable:
                raise ValueError
            return None
        if self.kind is dt.datetime:
            value = dt.datetime.fromisoformat(raw)
            if value.tzinfo is None:
                raise ValueError  # the cursors given out carry their offset
            # In UTC, as stored (PostgreSQL refuses offsets of 16 hours or
            # more); an OverflowError outside UTC's calendar.
            return value.astimezone(dt.UTC)
        if self.kind is float:
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError  # ranks are finite numbers
            return value
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError
        return raw


@dataclass
class Source:
    """One ordered stream of rows: a queryset and the names of its key columns,
    which line up with the pagination's keys. `keep`, when given, picks the rows
    of a batch that belong in the list (the search door's filters, for a sync
    stream read in modification order from the database)."""

    queryset: object
    fields: list[str]
    keep: object = None  # (rows) -> the rows to keep


BAD_CURSOR = (
    "This cursor is not one this list gave out (or it was made for another "
    "ordering). Start again without it."
)

# A filtered stream reads this many rows at a time, and at most SCAN_LIMIT for
# one page: a filter that matches few of them gives a short page, and its
# `next` link goes on from where the reading stopped.
SCAN_BATCH = 1_000
SCAN_LIMIT = 20_000


class KeysetPagination(BasePagination):
    """Paginate a view's stream(s) by keys the view gives in `keyset(request)`.

    The view returns (name, keys, sources): `name` identifies the ordering so a
    cursor from another ordering is refused; the last key must be unique.
    Several sources (the sync stream of articles and tombstones) are merged.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    total = None  # the exact number of matches, where the search door counted

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.name, self.keys, sources = view.keyset(request, queryset)
        self.page_size = self.get_page_size(request)
        position, backwards = self.decode_cursor(request)
        limit = self.page_size + 1
        streams, self.stopped_at = [], None
        for source in sources:
            for part in self.after(source, position, backwards):
                streams.append(self.read(part, source, limit))
        order = self.sort_key(backwards)
        rows = list(heapq.merge(*streams, key=order))
        if self.stopped_at is not None:
            # A filtered stream stopped reading early: nothing past where it
            # stopped is known to be complete, in any stream.
            rows = [row for row in rows if order(row) <= order(self.stopped_at)]
        rows = rows[:limit]
        has_more = len(rows) > self.page_size or self.stopped_at is not None
        rows = rows[: self.page_size]
        if len(rows) == self.page_size:
            self.stopped_at = None  # a full page goes on from its last row
        if backwards:
            rows.reverse()
        self.rows = rows
        came_from_cursor = position is not None
        self.has_next = has_more if not backwards else came_from_cursor
        self.has_previous = came_from_cursor if not backwards else has_more
        self.backwards = backwards
        return rows

    def read(self, part, source: Source, limit: int) -> list:
        """The first `limit` rows of a part of a source (that it keeps)."""
        if source.keep is None:
            rows = list(part[:limit])
            self.mark(rows, source)
            return rows
        kept, scanned = [], 0
        while len(kept) < limit:
            batch = list(part[scanned : scanned + SCAN_BATCH])
            self.mark(batch, source)
            kept += source.keep(batch)
            scanned += len(batch)
            if len(batch) < SCAN_BATCH:
                break
            if scanned >= SCAN_LIMIT and len(kept) < limit:
                self.stopped_at = batch[-1]
                break
        return kept[:limit]

    @staticmethod
    def mark(rows, source: Source):
        for row in rows:
            row._keyset = tuple(getattr(row, f) for f in source.fields)

    def paginate_search(self, request, *, ordering: str, find) -> list:
        """A page of the search door's results: `find(offset=, after=,
        before=, per_page=)` returns a articles.search.Found. Pages in date
        order follow a place in the order (a key of the index); by relevance,
        a position among the ranked matches."""
        self.request, self.name = request, ordering
        self.keys = [Key("position")]
        self.page_size = size = self.get_page_size(request)
        position, backwards = self.decode_cursor(request)
        at = position[0] if position else None
        if at is not None and not 0 <= at < 2**64:
            raise ValidationError({"cursor": [BAD_CURSOR]})
        self.stopped_at, self.backwards = None, backwards
        if ordering == "relevance":
            start = 0 if at is None else (max(0, at - size) if backwards else at + 1)
            end = at if backwards else start + size
            found = find(offset=start, per_page=end - start)
            keys = range(start, start + len(found.articles))
            self.has_next = found.more or (backwards and at is not None)
            self.has_previous = start > 0
        else:
            found = find(
                after=None if backwards else at,
                before=at if backwards else None,
                per_page=size,
            )
            keys = found.keys
            came_from_cursor = at is not None
            self.has_next = found.more if not backwards else came_from_cursor
            self.has_previous = came_from_cursor if not backwards else found.more
        for article, key in zip(found.articles, keys, strict=True):
            article._keyset = (key,)
        self.rows, self.total = found.articles, found.total
        return self.rows

    def after(self, source: Source, position, backwards: bool) -> list:
        """Return querysets of the rows after position, in reading order.

        The first key's bound (`published_at <= v`) is kept at the top of the
        condition so PostgreSQL can start the index scan there instead of
        filtering from the first row; rows with no value in a nullable first key
        are queried apart, since an OR with them would undo that.
        """
        columns = [
            Key(f, k.descending, k.kind, k.nullable)
            for f, k in zip(source.fields, self.keys, strict=True)
        ]
        queryset = source.queryset.order_by(*[c.order(backwards) for c in columns])
        if position is None:
            return [queryset]
        first, value = columns[0], position[0]
        tail = self.lexicographic(columns[1:], position[1:], backwards)
        is_null = f"{first.field}__isnull"
        if value is None:
            parts = [queryset.filter(Q(**{is_null: True}) & tail)]
            if backwards:  # Dated rows come after undated ones read backwards.
                parts.append(queryset.filter(**{is_null: False}))
            return parts
        lookup = "lt" if first.descending != backwards else "gt"
        bound = Q(**{f"{first.field}__{lookup}e": value})
        strictly = Q(**{f"{first.field}__{lookup}": value})
        parts = [queryset.filter(bound & (strictly | (first.equal(value) & tail)))]
        if first.nullable and not backwards:
            parts.append(queryset.filter(**{is_null: True}))
        return parts

    @staticmethod
    def lexicographic(columns, values, backwards: bool) -> Q:
        condition, equal_so_far = Q(pk__in=[]), Q()
        for column, value in zip(columns, values, strict=True):
            condition |= equal_so_far & column.beyond(value, backwards)
            equal_so_far &= column.equal(value)
        return condition

    def sort_key(self, backwards: bool):
        def key(row):
            parts = []
            for value, k in zip(row._keyset, self.keys, strict=True):
                is_null = value is None
                if is_null:
                    parts.append((not backwards, 0))
                    continue
                number = value.timestamp() if isinstance(value, dt.datetime) else value
                parts.append(
                    (backwards, -number if k.descending != backwards else number)
                )
            return parts

        return key

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return settings.API_PAGE_SIZE
        maximum = settings.API_MAX_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= maximum:
            raise ValidationError(
                {"page_size": [f"Give a whole number from 1 to {maximum}."]}
            )
        return size

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None, False
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            if data["o"] != self.name or len(data["v"]) != len(self.keys):
                raise ValueError
            values = [k.decode(v) for k, v in zip(self.keys, data["v"], strict=True)]
            return values, bool(data.get("b"))
        except (
            ValueError,
            KeyError,
            TypeError,
            OverflowError,
            binascii.Error,
            UnicodeError,
        ):
            raise ValidationError({"cursor": [BAD_CURSOR]}) from None

    def encode_cursor(self, row, backwards: bool) -> str:
        values = [k.encode(v) for k, v in zip(self.keys, row._keyset, strict=True)]
        data = {"o": self.name, "v": values, **({"b": 1} if backwards else {})}
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii")

    def link(self, row, backwards: bool) -> str:
        url = self.request.build_absolute_uri()
        return replace_query_param(
            url, self.cursor_query_param, self.encode_cursor(row, backwards)
        )

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.stopped_at is not None and not self.backwards:
            return self.link(self.stopped_at, backwards=False)
        if not self.rows:
            return None
        return self.link(self.rows[-1], backwards=False)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.stopped_at is not None and self.backwards:
            return self.link(self.stopped_at, backwards=True)
        if not self.rows:
            return remove_query_param(
                self.request.build_absolute_uri(), self.cursor_query_param
            )
        return self.link(self.rows[0], backwards=True)

    def get_paginated_response(self, data):
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        links = [
            f'<{url}>; rel="{rel}"'
            for url, rel in [(next_link, "next"), (previous_link, "prev")]
            if url
        ]
        headers = {"Link": ", ".join(links)} if links else None
        body = {"next": next_link, "previous": previous_link, "results": data}
        if getattr(self, "total", None) is not None:
            body = {"count": self.total, **body}
        return Response(body, headers=headers)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "How many articles match, exactly (article "
                    "lists only; not on sync pages, ordered by modification).",
                },
                "next": {**link, "description": "The next page, or null."},
                "previous": {**link, "description": "The previous page, or null."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {settings.API_PAGE_SIZE},"
                f" at most {settings.API_MAX_PAGE_SIZE}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.API_MAX_PAGE_SIZE,
                },
            },
        ]
