"""Coverage over time: articles per month (or year) as a server-rendered SVG bar
chart with a table behind it, and a topic's attention across outlets.

The numbers are counted by the search index (articles.search) and laid out
here, in Python, so that the templates only print numbers: no JavaScript, no
inline styles. Months are calendar months in UTC.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from django.utils import dateformat

from . import search
from .models import Outlet

Unit = Literal["month", "year"]

# The chart's geometry in SVG user units: viewBox="0 0 WIDTH HEIGHT". Bars stand
# on the baseline (PLOT_TOP + CHART_HEIGHT); the tallest is CHART_HEIGHT high.
# The gutter on the left holds the y-axis labels, the strip below the year labels.
WIDTH = 720
PLOT_LEFT = 40
PLOT_TOP = 8
CHART_HEIGHT = 200
AXIS_HEIGHT = 22
HEIGHT = PLOT_TOP + CHART_HEIGHT + AXIS_HEIGHT
BASELINE = PLOT_TOP + CHART_HEIGHT
PLOT_WIDTH = WIDTH - PLOT_LEFT
BAR_FILL = 0.8  # of each period's slot; the rest is the gap between bars
MAX_BAR_WIDTH = 48  # so that two or three months do not look like a wall
MAX_TICKS = 15  # year labels under the chart, at most
# The top of the y-axis is at least this many articles, so that one article is a
# short bar and not a wall; above it, the next round number at or above the
# tallest bar (AXIS_STEPS times a power of ten: 5, 6, 8, 10, 15, 20, 25, 30…).
MIN_AXIS_MAX = 5
AXIS_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
MIN_TICK_GAP = 36  # between the first month's label and the next, in user units

MAX_MONTHS = 120  # a longer timeline is drawn by year
MAX_ATTENTION_MONTHS = 24  # a longer attention table counts by year


@dataclass(frozen=True)
class MonthCount:
    month: dt.date  # the first of the month
    count: int


@dataclass(frozen=True)
class Bar:
    start: dt.date  # the first day of the month or year
    label: str  # "March 2020", or "2020" when the unit is a year
    count: int
    x: float
    y: float
    width: float
    height: float


class Tick(NamedTuple):
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    unit: Unit = "month"
    months: list[MonthCount] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    maximum: int = 0  # the tallest bar's count
    axis_max: int = 0  # the count at the top of the y-axis (axis_top)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PLOT_LEFT
    plot_top: int = PLOT_TOP
    chart_height: int = CHART_HEIGHT
    baseline: int = BASELINE

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def caption(self) -> str:
        return f"Articles per {self.unit}"

    @property
    def max_label(self) -> str:
        """The y-axis label at the top of the chart (axis_top)."""
        return f"{self.axis_max:,}"

    @property
    def note(self) -> str:
        """A sentence under the chart's caption when its bars alone would
        mislead: a single period says nothing of change over time."""
        if len(self.bars) != 1:
            return ""
        bar = self.bars[0]
        if bar.count == 1:
            return f"The only dated article is from {bar.label}."
        return f"All {self.total:,} dated articles are from {bar.label}."

    @property
    def label_x(self) -> int:
        """Where the y-axis labels end (they are right-aligned in the gutter)."""
        return self.plot_left - 6

    @property
    def max_label_y(self) -> int:
        return self.plot_top + 4

    @property
    def zero_label_y(self) -> int:
        return self.baseline + 4

    @property
    def tick_y(self) -> int:
        return self.height - 4

    @property
    def description(self) -> str:
        """A sentence for the chart's <desc>: what a screen reader announces."""
        if not self.bars:
            return "No dated articles."
        peak = max(self.bars, key=lambda bar: bar.count)
        return (
            f"{_articles(self.total)} from {self.bars[0].label} to "
            f"{self.bars[-1].label} (by {self.unit}); the most, "
            f"{self.maximum:,}, in {peak.label}. The numbers are in the table below."
        )


def _articles(n: int) -> str:
    return f"{n:,} article" + ("" if n == 1 else "s")


def month_after(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _months(first: dt.date, last: dt.date):
    month = first
    while month <= last:
        yield month
        month = month_after(month)


def first_of_month(value) -> dt.date:
    """The first of the month, in UTC, of a date or an aware datetime."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date()
    return value.replace(day=1)


def monthly_counts(question) -> list[MonthCount]:
    """Return the question's articles per month, oldest first, from the search
    index's counts (articles.search.over_time).

    Undated articles are left out; months without articles between the first
    and the last are filled in with zeros.
    """
    counts = search.over_time(question, unit="month")
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [MonthCount(m, counts.get(m, 0)) for m in _months(first, last)]


def month_label(month: dt.date) -> str:
    return dateformat.format(month, "F Y")


def _nice_step(span: int, limit: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… years that labels a span of years
    with at most `limit` labels (one more is kept for the first period)."""
    for exponent in range(10):
        for factor in (1, 2, 5):
            step = factor * 10**exponent
            if math.ceil(span / step) + 1 <= limit:
                return step
    return 10**10


def _ticks(bars: list[Bar]) -> list[Tick]:
    """Year labels: at each January (every year, or every 2, 5, 10… years when
    the span is long), and at the first period unless it would crowd the next."""
    span = bars[-1].start.year - bars[0].start.year + 1
    step = _nice_step(span, MAX_TICKS)
    marked = [
        bar for bar in bars if bar.start.month == 1 and bar.start.year % step == 0
    ]
    first = bars[0]
    if not marked or (marked[0] is not first and marked[0].x - first.x >= MIN_TICK_GAP):
        marked.insert(0, first)
    return [Tick(bar.x, str(bar.start.year)) for bar in marked]


def axis_top(maximum: int) -> int:
    """Return the count at the top of the y-axis: the smallest round number
    (AXIS_STEPS) at or above maximum, and at least MIN_AXIS_MAX."""
    wanted = max(maximum, MIN_AXIS_MAX)
    power = 1
    while True:
        for step in AXIS_STEPS:
            top = step * power
            if top == int(top) and top >= wanted:
                return int(top)
        power *= 10


def timeline(counts: list[MonthCount]) -> Timeline:
    """Lay out a bar chart of monthly counts, by year when the span exceeds
    MAX_MONTHS months. Bars are scaled to the top of the y-axis (axis_top), so
    a chart of one or two articles shows short bars, not full-height ones; a
    bar is at most MAX_BAR_WIDTH wide; empty periods get a bar of height 0 (it
    keeps its place in the table and the tooltips)."""
    if not counts:
        return Timeline()
    first, last = counts[0].month, counts[-1].month
    if (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
        unit: Unit = "year"
        years: dict[int, int] = {}
        for item in counts:
            years[item.month.year] = years.get(item.month.year, 0) + item.count
        periods = [(dt.date(year, 1, 1), str(year), n) for year, n in years.items()]
    else:
        unit = "month"
        periods = [(c.month, month_label(c.month), c.count) for c in counts]
    maximum = max(n for _, _, n in periods)
    top = axis_top(maximum)
    slot = PLOT_WIDTH / len(periods)
    width = min(slot * BAR_FILL, MAX_BAR_WIDTH)
    bars = []
    for i, (start, label, n) in enumerate(periods):
        height = round(CHART_HEIGHT * n / top, 2)
        bars.append(
            Bar(
                start=start,
                label=label,
                count=n,
                x=round(PLOT_LEFT + i * slot + (slot - width) / 2, 2),
                y=round(BASELINE - height, 2),
                width=round(width, 2),
                height=height,
            )
        )
    return Timeline(
        unit=unit,
        months=list(counts),
        bars=bars,
        ticks=_ticks(bars),
        maximum=maximum,
        axis_max=top,
    )


class Cell(NamedTuple):
    """Articles on the topic in one period, and their share of everything the
    outlet (or the listed outlets) published in that period, as a fraction."""

    count: int
    share: float

    @property
    def percent(self) -> str:
        """The share for display, without the % sign: "50", "<1", ">99"."""
        if not self.share:
            return "0"
        value = round(self.share * 100)
        if value < 1:
            return "<1"
        if value >= 100 and self.share < 1:
            return ">99"
        return str(value)


@dataclass(frozen=True)
class AttentionRow:
    outlet: str  # the outlet's name
    slug: str
    url: str
    cells: list[Cell]  # one per period of Attention.periods
    total: int  # articles on the topic in all the periods
    output: int  # everything the outlet published in those periods

    @property
    def total_cell(self) -> Cell:
        return Cell(self.total, self.total / self.output if self.output else 0.0)


@dataclass(frozen=True)
class Attention:
    unit: Unit = "month"
    periods: list[str] = field(default_factory=list)  # "May 2020" or "2020"
    starts: list[dt.date] = field(default_factory=list)  # first day of each
    rows: list[AttentionRow] = field(default_factory=list)
    totals: list[Cell] = field(default_factory=list)  # of the listed outlets
    outlets_covering: int = 0  # outlets with any article on the topic

    @property
    def total(self) -> Cell:
        count = sum(row.total for row in self.rows)
        output = sum(row.output for row in self.rows)
        return Cell(count, count / output if output else 0.0)


def _share(count: int, output: int) -> float:
    # The two queries are not one snapshot: an article published in between
    # must not make a share exceed 1.
    output = max(output, count)
    return count / output if output else 0.0


def attention(question, *, outlets_limit: int = 8) -> Attention:
    """Return, per outlet and period, the question's published articles (a
    topic's) as a count and as a share of everything the outlet published in
    that period, so that a prolific outlet does not drown the rest.

    The `outlets_limit` outlets with the most matching articles are kept.
    Periods are months, or years when their coverage spans more than
    MAX_ATTENTION_MONTHS months. Two counts of the search index, however many
    outlets, periods and articles.
    """
    by_outlet = search.over_time_by_outlet(
        question, unit="month", size=max(outlets_limit, 1)
    )
    covering = by_outlet.outlets
    counts = {o: months for o, months in by_outlet.periods.items() if months}
    counts = dict(list(counts.items())[: max(outlets_limit, 0)])
    if not counts:
        return Attention(outlets_covering=covering)
    names = {
        pk: (name, slug)
        for pk, name, slug in Outlet.objects.filter(pk__in=counts).values_list(
            "pk", "name", "slug"
        )
    }
    top = sorted(
        (o for o in counts if o in names),
        key=lambda o: (-sum(counts[o].values()), names[o][0], o),
    )

    months = [m for o in top for m in counts[o]]
    first, last = min(months), max(months)
    yearly = len(list(_months(first, last))) > MAX_ATTENTION_MONTHS
    if yearly:
        unit: Unit = "year"
        starts = [dt.date(y, 1, 1) for y in range(first.year, last.year + 1)]
    else:
        unit = "month"
        starts = list(_months(first, last))

    def period(day: dt.date) -> dt.date:
        return dt.date(day.year, 1, 1) if yearly else day.replace(day=1)

    everything = question.everything.narrowed(outlets=frozenset(top))
    output: dict[int, dict[dt.date, int]] = {}
    published = search.over_time_by_outlet(everything, unit="month", size=len(top))
    for outlet, by_month in published.periods.items():
        by_period = output.setdefault(outlet, {})
        for month, n in by_month.items():
            by_period[period(month)] = by_period.get(period(month), 0) + n

    rows = []
    for outlet in top:
        topical: dict[dt.date, int] = {}
        for month, n in counts[outlet].items():
            topical[period(month)] = topical.get(period(month), 0) + n
        whole = output.get(outlet, {})
        cells = [
            Cell(topical.get(s, 0), _share(topical.get(s, 0), whole.get(s, 0)))
            for s in starts
        ]
        name, slug = names[outlet]
        rows.append(
            AttentionRow(
                outlet=name,
                slug=slug,
                url=_outlet_url(slug),
                cells=cells,
                total=sum(cell.count for cell in cells),
                output=sum(max(whole.get(s, 0), topical.get(s, 0)) for s in starts),
            )
        )
    totals = []
    for i, s in enumerate(starts):
        count = sum(row.cells[i].count for row in rows)
        whole = sum(output.get(o, {}).get(s, 0) for o in top)
        totals.append(Cell(count, _share(count, whole)))
    labels = [str(s.year) if yearly else dateformat.format(s, "M Y") for s in starts]
    return Attention(
        unit=unit,
        periods=labels,
        starts=starts,
        rows=rows,
        totals=totals,
        outlets_covering=covering,
    )


def _outlet_url(slug: str) -> str:
    from django.urls import reverse

    return reverse("articles:outlet-detail", kwargs={"slug": slug})
