"""Attention over time: counts per day, week, month or year of one or more
searches, as a server-drawn SVG line chart with the numbers behind it.

Everything is laid out here, in Python, so that templates only print numbers:
no JavaScript, no style attributes. Each series has its own colour, dash
pattern and marker shape (articles.series), so that series stay distinct for
colour-blind readers, in print and in greyscale.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import dateformat

from .series import SeriesStyle, series_style

UNITS = ("day", "week", "month", "year")
MAX_PERIODS = 120  # the finest unit that gives at most this many is chosen
MAX_SERIES = 5

# Geometry in SVG user units (viewBox="0 0 WIDTH HEIGHT").
WIDTH = 720
HEIGHT = 260
LEFT = 56  # the y-axis labels' gutter
RIGHT = 16
TOP = 12
BOTTOM = 28  # the x-axis labels' strip
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
MAX_TICKS = 8
MARKERS_UP_TO = 40  # periods; more, and only the lines are drawn


def period_start(day: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_period(start: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return start + dt.timedelta(days=1)
    if unit == "week":
        return start + dt.timedelta(days=7)
    if unit == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1)


def periods(first: dt.date, last: dt.date, unit: str) -> list[dt.date]:
    """Every period's first day from the one holding `first` to the one
    holding `last`."""
    starts, at, end = [], period_start(first, unit), period_start(last, unit)
    while at <= end:
        starts.append(at)
        at = next_period(at, unit)
    return starts


def count_periods(first: dt.date, last: dt.date, unit: str) -> int:
    days = (last - first).days
    if unit == "day":
        return days + 1
    if unit == "week":
        return days // 7 + 2
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def choose_unit(first: dt.date, last: dt.date) -> str:
    """The finest unit that draws the span in at most MAX_PERIODS periods."""
    for unit in UNITS:
        if count_periods(first, last, unit) <= MAX_PERIODS:
            return unit
    return "year"


def label(start: dt.date, unit: str) -> str:
    if unit == "day":
        return dateformat.format(start, "j M Y")
    if unit == "week":
        return f"Week of {dateformat.format(start, 'j M Y')}"
    if unit == "month":
        return dateformat.format(start, "F Y")
    return str(start.year)


def short_label(start: dt.date, unit: str) -> str:
    if unit in ("day", "week"):
        return dateformat.format(start, "j M Y")
    if unit == "month":
        return dateformat.format(start, "M Y")
    return str(start.year)


@dataclass
class Series:
    """One line: a name, its articles per period and, for shares, everything
    published in each period."""

    name: str
    counts: dict[dt.date, int]
    link: str = ""
    index: int = 0
    values: list[float] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def style(self) -> SeriesStyle:
        return series_style(self.index)

    @property
    def colour(self) -> str:
        return self.style.colour

    @property
    def dash(self) -> str:
        return self.style.dash

    @property
    def marker(self) -> str:
        return self.style.marker

    @property
    def css_class(self) -> str:
        return self.style.css_class

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def legend_mark(self) -> str:
        """The series' marker, for the legend's swatch (36 × 12)."""
        return _shape(self.marker, 18, 6)

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)

    def marks(self, starts, unit, scale) -> list["Mark"]:
        """A marker at each point, in the series' shape, titled with its value."""
        made = []
        for (x, y), start, value in zip(self.points, starts, self.values, strict=True):
            n = self.counts.get(start, 0)
            title = f"{self.name}, {label(start, unit)}: {n:,} article" + (
                "" if n == 1 else "s"
            )
            if scale == "share":
                title += f" ({value:.1%} of all)"
            made.append(Mark(_shape(self.marker, x, y), title))
        return made


@dataclass(frozen=True)
class Mark:
    d: str  # an SVG path
    title: str


def _shape(marker: str, x: float, y: float, r: float = 3.5) -> str:
    """An SVG path drawing the marker centred on (x, y)."""
    if marker == "circle":
        return f"M{x - r},{y}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0Z"
    if marker == "square":
        return f"M{x - r},{y - r}h{2 * r}v{2 * r}h{-2 * r}Z"
    if marker == "triangle":
        return f"M{x},{y - r - 1}L{x + r + 0.5},{y + r}L{x - r - 0.5},{y + r}Z"
    if marker == "diamond":
        return f"M{x},{y - r - 1}L{x + r + 1},{y}L{x},{y + r + 1}L{x - r - 1},{y}Z"
    return (  # a cross
        f"M{x - r},{y - r}L{x + r},{y + r}M{x + r},{y - r}L{x - r},{y + r}"
    )


@dataclass(frozen=True)
class Cell:
    """A series' articles in a period and their share of all published then."""

    count: int
    share: float | None

    @property
    def percent(self) -> str:
        if self.share is None:
            return ""
        if 0 < self.share < 0.001:
            return "<0.1%"
        return f"{self.share:.1%}"


@dataclass(frozen=True)
class Row:
    start: dt.date
    label: str
    cells: list[Cell]  # one per series
    everything: int | None


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    unit: str
    scale: str  # "count" or "share"
    series: list[Series]
    starts: list[dt.date] = field(default_factory=list)
    everything: dict[dt.date, int] | None = None
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    maximum: float = 0.0
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    baseline: int = TOP + PLOT_HEIGHT
    right_edge: int = WIDTH - RIGHT

    @property
    def empty(self) -> bool:
        return not self.starts

    @property
    def markers(self) -> bool:
        return len(self.starts) <= MARKERS_UP_TO

    @property
    def lines(self) -> list[tuple[Series, list[Mark]]]:
        """Each series with its markers (none when the periods are many)."""
        return [
            (s, s.marks(self.starts, self.unit, self.scale) if self.markers else [])
            for s in self.series
        ]

    @property
    def axis_label(self) -> str:
        if self.scale == "share":
            return f"Share of all articles published that {self.unit}"
        return f"Articles per {self.unit}"

    @property
    def rows(self) -> list[Row]:
        rows = []
        for start in self.starts:
            total = (
                self.everything.get(start, 0) if self.everything is not None else None
            )
            cells = []
            for s in self.series:
                n = s.counts.get(start, 0)
                cells.append(Cell(n, _share(n, total) if total is not None else None))
            rows.append(Row(start, label(start, self.unit), cells, total))
        return rows

    @property
    def description(self) -> str:
        """A sentence for the chart's <desc>: what a screen reader announces."""
        if self.empty:
            return "No dated articles."
        first, last = (
            label(self.starts[0], self.unit),
            label(self.starts[-1], self.unit),
        )
        parts = []
        for s in self.series:
            if not s.counts:
                parts.append(f"{s.name}: no articles")
                continue
            peak = max(s.counts, key=lambda d: (s.counts[d], d))
            parts.append(
                f"{s.name}: {s.total:,} articles, most ({s.counts[peak]:,}) in "
                f"{label(peak, self.unit)}"
            )
        return (
            f"{self.axis_label} from {first} to {last}. " + "; ".join(parts) + ". "
            "The numbers are in the table below."
        )


def _share(n: int, total: int | None) -> float:
    # Counted apart, an article published in between must not make a share
    # exceed 1.
    if not total:
        return 0.0
    return min(n / total, 1.0)


def chart(
    series: list[Series],
    *,
    unit: str | None = None,
    scale: str = "count",
    everything: dict[dt.date, int] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Chart:
    """Lay the series out on one time axis: from the first period with an
    article (or `since`) to the last (or `until`), every period drawn, empty
    ones at zero. Shares need `everything` (all published articles per
    period, counted the same way)."""
    for i, s in enumerate(series):
        s.index = i
    days = [d for s in series for d in s.counts]
    first = since or (min(days) if days else None)
    last = until or (max(days) if days else None)
    if first is None or last is None or first > last:
        return Chart(unit=unit or "month", scale=scale, series=series)
    unit = unit or choose_unit(first, last)
    starts = periods(first, last, unit)
    if scale == "share" and everything is None:
        raise ValueError("Shares need everything published per period.")
    for s in series:
        counts = s.counts
        if scale == "share":
            s.values = [_share(counts.get(p, 0), everything.get(p, 0)) for p in starts]
        else:
            s.values = [float(counts.get(p, 0)) for p in starts]
    highest = max((v for s in series for v in s.values), default=0.0)
    maximum, step = _scale(highest, share=scale == "share")
    slot = PLOT_WIDTH / len(starts)
    baseline = TOP + PLOT_HEIGHT
    for s in series:
        s.points = [
            (
                round(LEFT + slot * (i + 0.5), 2),
                round(baseline - PLOT_HEIGHT * value / maximum, 2),
            )
            for i, value in enumerate(s.values)
        ]
    y_ticks = []
    value = 0.0
    while value <= maximum + 1e-9:
        position = round(baseline - PLOT_HEIGHT * value / maximum, 2)
        text = (
            f"{value:.0%}"
            if scale == "share" and step >= 0.01
            else (f"{value:.1%}" if scale == "share" else f"{value:,.0f}")
        )
        y_ticks.append(Tick(position, text))
        value += step
    return Chart(
        unit=unit,
        scale=scale,
        series=series,
        starts=starts,
        everything=everything,
        x_ticks=_x_ticks(starts, unit, slot),
        y_ticks=y_ticks,
        maximum=maximum,
    )


def _scale(highest: float, *, share: bool) -> tuple[float, float]:
    """A round top for the y axis and the step between its labels. A chart of
    one or two articles is not a wall: counts go up to at least 4."""
    highest = max(highest, 0.01 if share else 4.0)
    raw = highest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step * 4 >= highest:
            break
    if not share:
        step = max(1.0, math.ceil(step))
    return step * math.ceil(highest / step - 1e-9), step


def _x_ticks(starts: list[dt.date], unit: str, slot: float) -> list[Tick]:
    every = max(1, math.ceil(len(starts) / MAX_TICKS))
    if unit == "month" and len(starts) > MAX_TICKS:
        # Label Januaries (every year, or every few years).
        years = max(1, math.ceil(len(starts) / 12 / MAX_TICKS))
        chosen = [
            i
            for i, s in enumerate(starts)
            if s.month == 1 and (s.year - starts[0].year) % years == 0
        ] or [0]
        return [
            Tick(round(LEFT + slot * (i + 0.5), 2), str(starts[i].year)) for i in chosen
        ]
    return [
        Tick(round(LEFT + slot * (i + 0.5), 2), short_label(starts[i], unit))
        for i in range(0, len(starts), every)
    ]
