"""Charts that stay meaningful with few data points, and the series styles the
charts share with the stylesheet."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from articles.series import SERIES, series_style
from articles.timelines import CHART_HEIGHT, MAX_BAR_WIDTH, axis_top
from articles.timelines import timeline as lay_out
from tests.test_timelines import months

STYLESHEET = Path(__file__).resolve().parent.parent / "static/css/archive.css"


@pytest.mark.parametrize(
    ("tallest", "top"),
    [
        (0, 5),
        (1, 5),
        (5, 5),
        (6, 6),
        (7, 8),
        (9, 10),
        (11, 15),
        (23, 25),
        (31, 40),
        (99, 100),
        (101, 150),
        (1234, 1500),
        (80000, 80000),
    ],
)
def test_the_y_axis_tops_at_a_round_number_of_at_least_five(tallest, top):
    assert axis_top(tallest) == top


def test_one_article_is_a_short_bar_not_a_full_height_wall():
    chart = lay_out(months(dt.date(2016, 4, 1), [1]))
    (bar,) = chart.bars
    assert chart.max_label == "5"
    assert bar.height == CHART_HEIGHT / 5
    assert bar.width <= MAX_BAR_WIDTH
    assert bar.y + bar.height == chart.baseline


def test_a_few_articles_over_years_keep_their_proportions():
    chart = lay_out(months(dt.date(2016, 1, 1), [1, 0, 0, 2, 0, 3]))
    heights = [bar.height for bar in chart.bars if bar.count]
    assert heights == [CHART_HEIGHT / 5, 2 * CHART_HEIGHT / 5, 3 * CHART_HEIGHT / 5]
    assert max(heights) < CHART_HEIGHT


def test_a_single_period_says_so_beside_the_chart():
    one = lay_out(months(dt.date(2016, 4, 1), [1]))
    assert one.note == "The only dated article is from April 2016."
    three = lay_out(months(dt.date(2016, 4, 1), [3]))
    assert three.note == "All 3 dated articles are from April 2016."
    html = render_to_string("includes/timeline.html", {"timeline": three})
    assert '<p class="timeline-note">All 3 dated articles are from April 2016.</p>' in (
        html
    )
    assert lay_out(months(dt.date(2016, 4, 1), [3, 1])).note == ""


def test_series_styles_are_the_stylesheets():
    css = STYLESHEET.read_text()
    for number, style in enumerate(SERIES, start=1):
        assert style.css_class == f"series-{number}"
        assert f"--series-{number}: {style.colour};" in css
        assert f"--series-{number}-dash: {style.dash or 'none'};" in css
        assert re.search(
            rf"\.series-{number} \{{ --series: var\(--series-{number}\)", css
        )
    assert len({style.colour for style in SERIES}) == 5
    assert len({style.marker for style in SERIES}) == 5
    assert len({style.dash for style in SERIES}) == 5
    assert series_style(5) == SERIES[0]


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    r, g, b = linear
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_series_colour_stands_out_from_the_paper():
    """WCAG 1.4.11: graphics a reader needs reach 3:1 against the background."""
    for style in SERIES:
        contrast = (1 + 0.05) / (relative_luminance(style.colour) + 0.05)
        assert contrast >= 3, (style.colour, contrast)
