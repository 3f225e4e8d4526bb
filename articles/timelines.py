"""Coverage over time: articles per month (or year) as a server-rendered SVG bar
chart with a table behind it, and a topic's attention across outlets."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncMonth

from .models import Article, ArticleTopic, LinkState

WIDTH, HEIGHT, AXIS = 720, 200, 24
MAX_MONTHS = 120


@dataclass(frozen=True)
class MonthCount:
    month: dt.date
    count: int


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Timeline:
    unit: str = "month"
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    maximum: int = 0
    width: int = WIDTH
    height: int = HEIGHT + AXIS
    chart_height: int = HEIGHT

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def _months(first: dt.date, last: dt.date):
    month = first
    while month <= last:
        yield month
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def monthly_counts(queryset) -> list[MonthCount]:
    """Return articles per month, gaps filled with zeros, in one GROUP BY query."""
    rows = (
        queryset.filter(published_at__isnull=False)
        .annotate(month=TruncMonth("published_at", tzinfo=dt.UTC))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    counts = {row["month"].date().replace(day=1): row["n"] for row in rows}
    if not counts:
        return []
    return [MonthCount(m, counts.get(m, 0)) for m in _months(min(counts), max(counts))]


def _by_year(counts: list[MonthCount]) -> list[tuple[str, int]]:
    years: dict[int, int] = {}
    for item in counts:
        years[item.month.year] = years.get(item.month.year, 0) + item.count
    return [(str(year), n) for year, n in sorted(years.items())]


def timeline(counts: list[MonthCount]) -> Timeline:
    """Lay out the bars: by month, or by year when the span exceeds ten years."""
    if not counts:
        return Timeline()
    if len(counts) > MAX_MONTHS:
        unit, periods = "year", _by_year(counts)
    else:
        unit = "month"
        periods = [(c.month.strftime("%B %Y"), c.count) for c in counts]
    maximum = max(n for _, n in periods) or 1
    step = WIDTH / len(periods)
    bars = [
        Bar(
            label=label,
            count=n,
            x=round(i * step, 2),
            y=round(HEIGHT - HEIGHT * n / maximum, 2),
            width=round(max(step * 0.8, 1), 2),
            height=round(HEIGHT * n / maximum, 2),
        )
        for i, (label, n) in enumerate(periods)
    ]
    if unit == "year":
        ticks = [(bar.x, bar.label) for bar in bars]
    else:
        ticks = [
            (bar.x, label[-4:])
            for bar, (label, _) in zip(bars, periods, strict=True)
            if label.startswith("January") or bar is bars[0]
        ]
    every = max(1, len(ticks) // 15 + (len(ticks) % 15 > 0))
    return Timeline(
        unit=unit, bars=bars, ticks=ticks[::every], maximum=max(n for _, n in periods)
    )


@dataclass
class AttentionRow:
    outlet: str
    url: str
    cells: list[tuple[int, float]]
    total: int


@dataclass
class Attention:
    periods: list[str] = field(default_factory=list)
    rows: list[AttentionRow] = field(default_factory=list)


MAX_ATTENTION_MONTHS = 24


def attention(topic, *, outlets_limit: int = 8) -> Attention:
    """Return, per outlet and period, the topic's published articles as a count
    and as a share of everything the outlet published in that period, so that a
    prolific outlet does not drown the rest. Periods are months, or years when
    the coverage spans more than two years. Two GROUP BY queries."""
    from .models import Outlet

    def by_month(queryset):
        return (
            queryset.filter(published_at__isnull=False)
            .annotate(month=TruncMonth("published_at", tzinfo=dt.UTC))
            .order_by()
            .values("outlet", "month")
            .annotate(n=Count("pk"))
        )

    links = ArticleTopic.objects.filter(topic=topic, state=LinkState.CONFIRMED)
    on_topic = by_month(
        Article.objects.published().filter(pk__in=links.values("article_id"))
    )
    counts: dict[int, dict[dt.date, int]] = {}
    for row in on_topic:
        month = row["month"].date()
        counts.setdefault(row["outlet"], {})[month] = row["n"]
    if not counts:
        return Attention()
    top = sorted(counts, key=lambda o: (-sum(counts[o].values()), o))[:outlets_limit]
    months = sorted({m for o in top for m in counts[o]})
    first = dt.datetime.combine(months[0], dt.time(), tzinfo=dt.UTC)
    last = dt.datetime.combine(
        (months[-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1),
        dt.time(),
        tzinfo=dt.UTC,
    )
    output = by_month(
        Article.objects.published().filter(
            outlet__in=top, published_at__gte=first, published_at__lt=last
        )
    ).values("outlet", "outlet__name", "outlet__slug", "month", "n")
    yearly = len(list(_months(months[0], months[-1]))) > MAX_ATTENTION_MONTHS

    def period(month: dt.date) -> str:
        return str(month.year) if yearly else month.strftime("%b %Y")

    totals: dict[int, dict[str, int]] = {}
    names: dict[int, tuple[str, str]] = {}
    for row in output:
        key = period(row["month"].date())
        outlet_totals = totals.setdefault(row["outlet"], {})
        outlet_totals[key] = outlet_totals.get(key, 0) + row["n"]
        names[row["outlet"]] = (row["outlet__name"], row["outlet__slug"])
    periods = list(dict.fromkeys(period(m) for m in _months(months[0], months[-1])))
    rows = []
    for outlet in top:
        topical: dict[str, int] = {}
        for month, n in counts[outlet].items():
            topical[period(month)] = topical.get(period(month), 0) + n
        cells = []
        for key in periods:
            n, whole = topical.get(key, 0), totals.get(outlet, {}).get(key, 0)
            cells.append((n, n / whole if whole else 0.0))
        name, slug = names[outlet]
        rows.append(
            AttentionRow(
                outlet=name,
                url=Outlet(slug=slug).get_absolute_url(),
                cells=cells,
                total=sum(topical.values()),
            )
        )
    return Attention(periods=periods, rows=rows)
