"""Coverage timelines (articles per month as a server-drawn SVG bar chart with a
table behind it) and a topic's attention across outlets."""

import datetime as dt
import re

import html5lib
import pytest
from django.template.loader import render_to_string

from articles.models import Article, LinkState
from articles.search import Question, sync
from articles.timelines import (
    CHART_HEIGHT,
    MAX_TICKS,
    Attention,
    MonthCount,
    attention,
    monthly_counts,
    timeline,
)
from tests.factories import (
    ArticleFactory,
    ArticleTopicFactory,
    OutletFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def of_outlet(outlet):
    return Question(outlets=frozenset([outlet.pk]))


def of_topic(topic):
    return Question(topics=(topic.pk,))


def at(year, month, day=15, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def published(**filters):
    return Article.objects.published().filter(**filters)


def on_topic(topic, outlet, when, **fields):
    article = ArticleFactory(outlet=outlet, published_at=when, **fields)
    ArticleTopicFactory(article=article, topic=topic)
    return article


def months(first: dt.date, counts: list[int]) -> list[MonthCount]:
    result, month = [], first
    for n in counts:
        result.append(MonthCount(month, n))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return result


def html_errors(fragment: str) -> list:
    parser = html5lib.HTMLParser(strict=False)
    parser.parseFragment(fragment)
    return parser.errors


# monthly_counts


def test_monthly_counts_fill_months_without_articles_with_zero():
    outlet = OutletFactory()
    for when in [at(2019, 11), at(2019, 11, 30), at(2020, 2, 1), at(2020, 2, 29)]:
        ArticleFactory(outlet=outlet, published_at=when)
    counts = monthly_counts(of_outlet(outlet))
    assert counts == [
        MonthCount(dt.date(2019, 11, 1), 2),
        MonthCount(dt.date(2019, 12, 1), 0),
        MonthCount(dt.date(2020, 1, 1), 0),
        MonthCount(dt.date(2020, 2, 1), 2),
    ]


def test_monthly_counts_of_no_dated_articles_is_empty():
    outlet = OutletFactory()
    ArticleFactory(outlet=outlet, published_at=None)
    assert monthly_counts(of_outlet(outlet)) == []
    assert timeline([]).bars == []


def test_months_are_calendar_months_in_utc():
    outlet = OutletFactory()
    plus_two = dt.timezone(dt.timedelta(hours=2))
    # 00:30 on 1 February in UTC+2 is still 31 January in UTC.
    ArticleFactory(
        outlet=outlet, published_at=dt.datetime(2020, 2, 1, 0, 30, 0, 0, plus_two)
    )
    ArticleFactory(
        outlet=outlet, published_at=dt.datetime(2020, 2, 29, 23, 59, tzinfo=dt.UTC)
    )
    assert monthly_counts(of_outlet(outlet)) == [
        MonthCount(dt.date(2020, 1, 1), 1),
        MonthCount(dt.date(2020, 2, 1), 1),
    ]


def test_drafts_withdrawn_and_undated_articles_are_never_counted():
    outlet, topic = OutletFactory(), TopicFactory()
    on_topic(topic, outlet, at(2020, 3))
    for status in ["draft", "review", "withdrawn"]:
        on_topic(topic, outlet, at(2020, 1), status=status)
        on_topic(topic, outlet, at(2020, 5), status=status)
    on_topic(topic, outlet, None)
    assert monthly_counts(of_outlet(outlet)) == [MonthCount(dt.date(2020, 3, 1), 1)]
    result = attention(of_topic(topic))
    assert result.periods == ["Mar 2020"]
    assert result.rows[0].cells == [(1, 1.0)]


def test_monthly_counts_need_no_query_whatever_the_span(django_assert_num_queries):
    outlet = OutletFactory()
    for year in range(2015, 2021):
        for month in (1, 6, 11):
            ArticleFactory(outlet=outlet, published_at=at(year, month))
    sync.catch_up()  # what the articles' commit applies
    # The search index counts; the one query asks whether it is caught up.
    with django_assert_num_queries(1):
        counts = monthly_counts(of_outlet(outlet))
    assert len(counts) == 71 and sum(c.count for c in counts) == 18


# timeline layout


def test_a_span_over_ten_years_is_counted_by_year():
    outlet = OutletFactory()
    for when in [at(2010, 1), at(2010, 12), at(2015, 6), at(2020, 6)]:
        ArticleFactory(outlet=outlet, published_at=when)
    chart = timeline(monthly_counts(of_outlet(outlet)))
    assert chart.unit == "year"
    assert len(chart.months) == 126
    assert [bar.label for bar in chart.bars] == [str(y) for y in range(2010, 2021)]
    assert [bar.count for bar in chart.bars] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert chart.bars[0].start == dt.date(2010, 1, 1)


def test_exactly_ten_years_of_months_stay_monthly():
    chart = timeline(months(dt.date(2011, 1, 1), [1] * 120))
    assert chart.unit == "month" and len(chart.bars) == 120
    assert timeline(months(dt.date(2011, 1, 1), [1] * 121)).unit == "year"


def test_tallest_bar_spans_the_chart_height_and_an_empty_month_has_none():
    chart = timeline(months(dt.date(2020, 1, 1), [2, 0, 8, 4]))
    two, empty, tallest, four = chart.bars
    assert chart.maximum == 8 and chart.max_label == "8"
    assert tallest.height == CHART_HEIGHT == chart.chart_height
    assert tallest.y == chart.plot_top
    assert empty.height == 0 and empty.y == chart.baseline
    assert four.height == CHART_HEIGHT / 2 and two.height == CHART_HEIGHT / 4
    for bar in chart.bars:
        assert bar.y + bar.height == chart.baseline


def test_bars_stay_inside_the_view_box_in_order_without_overlapping():
    for n in [1, 2, 13, 120]:
        chart = timeline(months(dt.date(2011, 1, 1), list(range(n))))
        assert len(chart.bars) == n
        assert chart.bars[0].x >= chart.plot_left
        assert chart.bars[-1].x + chart.bars[-1].width <= chart.width
        for left, right in zip(chart.bars, chart.bars[1:], strict=False):
            assert left.x + left.width < right.x
        assert all(bar.width > 0 for bar in chart.bars)


def test_an_all_zero_timeline_has_flat_bars():
    chart = timeline(months(dt.date(2020, 1, 1), [0, 0]))
    assert chart.maximum == 0 and [bar.height for bar in chart.bars] == [0, 0]


def test_year_labels_stand_at_january_and_the_first_month():
    chart = timeline(months(dt.date(2019, 9, 1), [1] * 18))  # Sep 2019 - Feb 2021
    by_x = {bar.x: bar for bar in chart.bars}
    assert [tick.label for tick in chart.ticks] == ["2019", "2020", "2021"]
    assert [by_x[tick.x].start for tick in chart.ticks] == [
        dt.date(2019, 9, 1),
        dt.date(2020, 1, 1),
        dt.date(2021, 1, 1),
    ]


def test_the_first_months_label_gives_way_to_a_january_right_after_it():
    chart = timeline(months(dt.date(2010, 12, 1), [1] * 120))  # narrow bars
    assert chart.ticks[0].label == "2011"
    assert [t.label for t in chart.ticks] == [str(y) for y in range(2011, 2021)]


def test_long_spans_skip_years_to_keep_at_most_fifteen_labels():
    for years in [11, 16, 31, 60, 125]:
        chart = timeline(months(dt.date(1901, 7, 1), [1] * (12 * years)))
        assert chart.unit == "year"
        labels = [tick.label for tick in chart.ticks]
        assert 2 <= len(labels) <= MAX_TICKS, (years, labels)
        assert labels == sorted(labels) and len(set(labels)) == len(labels)
        for left, right in zip(chart.ticks, chart.ticks[1:], strict=False):
            assert right.x - left.x >= 30
    labels = [t.label for t in timeline(months(dt.date(1960, 1, 1), [1] * 720)).ticks]
    assert labels == ["1960", "1965", *[str(y) for y in range(1970, 2020, 5)]]


# attention


def test_attention_shares_are_relative_to_each_outlets_output():
    topic = TopicFactory()
    a, b = OutletFactory(name="A"), OutletFactory(name="B")
    for n in range(4):
        article = ArticleFactory(outlet=a, published_at=at(2020, 5, n + 1))
        if n < 2:
            ArticleTopicFactory(article=article, topic=topic)
    for n in range(100):
        article = ArticleFactory(outlet=b, published_at=at(2020, 5, n % 28 + 1))
        if n == 0:
            ArticleTopicFactory(article=article, topic=topic)
    ArticleFactory(outlet=b, published_at=at(2020, 4))  # outside the period range
    result = attention(of_topic(topic))
    assert result.unit == "month" and result.periods == ["May 2020"]
    rows = {row.outlet: row for row in result.rows}
    assert rows["A"].cells == [(2, 0.5)]
    assert rows["B"].cells == [(1, 0.01)]
    assert (rows["A"].total, rows["A"].output) == (2, 4)
    assert (rows["B"].total, rows["B"].output) == (1, 100)
    assert [row.outlet for row in result.rows] == ["A", "B"]
    assert result.totals == [(3, 3 / 104)]
    assert rows["A"].url == a.get_absolute_url()


def test_attention_counts_confirmed_topic_links_only():
    topic, outlet = TopicFactory(), OutletFactory()
    on_topic(topic, outlet, at(2020, 1))
    suggested = ArticleFactory(outlet=outlet, published_at=at(2020, 1, 2))
    ArticleTopicFactory(article=suggested, topic=topic, state=LinkState.SUGGESTED)
    other_topic = ArticleFactory(outlet=outlet, published_at=at(2020, 1, 3))
    ArticleTopicFactory(article=other_topic, topic=TopicFactory())
    ArticleFactory(outlet=outlet, published_at=at(2020, 1, 4))
    (row,) = attention(of_topic(topic)).rows
    assert row.cells == [(1, 0.25)]


def test_attention_fills_periods_without_topic_articles():
    topic, outlet, other = TopicFactory(), OutletFactory(), OutletFactory()
    on_topic(topic, outlet, at(2020, 1))
    on_topic(topic, other, at(2020, 3))
    ArticleFactory(outlet=outlet, published_at=at(2020, 2))
    result = attention(of_topic(topic))
    assert result.periods == ["Jan 2020", "Feb 2020", "Mar 2020"]
    assert result.starts[0] == dt.date(2020, 1, 1)
    rows = {row.outlet: row.cells for row in result.rows}
    assert rows[outlet.name] == [(1, 1.0), (0, 0.0), (0, 0.0)]
    assert rows[other.name] == [(0, 0.0), (0, 0.0), (1, 1.0)]


def test_attention_query_count_stays_constant_as_outlets_and_months_grow(
    django_assert_num_queries,
):
    topic = TopicFactory()
    on_topic(topic, OutletFactory(), at(2020, 1))
    sync.catch_up()
    # Two questions to the search index (each asking whether it is caught up)
    # and the outlets' names.
    with django_assert_num_queries(3):
        small = attention(of_topic(topic))
    for n in range(6):
        outlet = OutletFactory()
        for month in range(1, 13, n + 1):
            on_topic(topic, outlet, at(2021, month))
            ArticleFactory(outlet=outlet, published_at=at(2021, month, 20))
    sync.catch_up()
    with django_assert_num_queries(3):
        large = attention(of_topic(topic))
    assert len(small.rows) == 1 and len(large.rows) == 7
    assert len(large.periods) == 24


def test_attention_without_topic_articles_is_one_question_and_empty(
    django_assert_num_queries,
):
    topic = TopicFactory()
    ArticleFactory()
    sync.catch_up()
    with django_assert_num_queries(1):
        result = attention(of_topic(topic))
    assert result == Attention()
    html = render_to_string("includes/attention.html", {"attention": result})
    assert html.strip() == ""


def test_outlets_limit_keeps_the_outlets_with_the_most_topic_articles():
    topic = TopicFactory()
    for n in [3, 1, 5, 2, 4]:
        outlet = OutletFactory(name=f"Outlet with {n}")
        for day in range(n):
            on_topic(topic, outlet, at(2020, 1, day + 1))
    result = attention(of_topic(topic), outlets_limit=2)
    assert [row.outlet for row in result.rows] == ["Outlet with 5", "Outlet with 4"]
    assert result.outlets_covering == 5
    html = render_to_string("includes/attention.html", {"attention": result})
    assert "Of the 5 outlets covering the topic, the 2 with the most" in html
    assert html.count('<th scope="row"><a href=') == 2
    assert [row.outlet for row in attention(of_topic(topic)).rows] == [
        f"Outlet with {n}" for n in [5, 4, 3, 2, 1]
    ]


def test_attention_over_more_than_two_years_counts_by_year_of_whole_output():
    topic, outlet = TopicFactory(), OutletFactory()
    on_topic(topic, outlet, at(2018, 6))
    on_topic(topic, outlet, at(2020, 12))
    # Before the first topic article but in the same year: part of that year's output.
    ArticleFactory(outlet=outlet, published_at=at(2018, 1))
    ArticleFactory(outlet=outlet, published_at=at(2019, 7))
    ArticleFactory(outlet=outlet, published_at=at(2021, 1))  # after the last year
    result = attention(of_topic(topic))
    assert result.unit == "year"
    assert result.periods == ["2018", "2019", "2020"]
    assert result.rows[0].cells == [(1, 0.5), (0, 0.0), (1, 1.0)]


# templates


def test_timeline_template_draws_one_bar_per_month_and_a_table():
    chart = timeline(months(dt.date(2020, 2, 1), [4, 0, 1]))
    html = render_to_string(
        "includes/timeline.html", {"timeline": chart, "caption": "Articles per month"}
    )
    assert html.count('<rect class="timeline-bar"') == 3
    assert "<title>February 2020: 4 articles</title>" in html
    assert "<title>April 2020: 1 article</title>" in html
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="timeline-title', html)
    assert '<title id="timeline-title">Articles per month</title>' in html
    assert '<desc id="timeline-desc">5 articles from February 2020' in html
    assert '<text class="timeline-axis"' in html and ">2020</text>" in html
    assert "<details>" in html and "<summary>Show the numbers</summary>" in html
    assert "<caption>Articles per month</caption>" in html
    assert '<th scope="col">Month</th>' in html
    assert '<th scope="col" class="number">Articles</th>' in html
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"number\">(\d+)</td></tr>", html)
    assert rows == [
        ("February 2020", "4"),
        ("March 2020", "0"),
        ("April 2020", "1"),
        ("Total", "5"),
    ]
    assert "<script" not in html and "style=" not in html and "javascript:" not in html
    assert html_errors(html) == []


def test_timeline_template_by_year_says_so():
    chart = timeline(months(dt.date(2008, 6, 1), [1] * 150))
    html = render_to_string(
        "includes/timeline.html", {"timeline": chart, "caption": "Articles per month"}
    )
    assert html.count('<rect class="timeline-bar"') == 13
    assert "<caption>Articles per year</caption>" in html
    assert '<th scope="col">Year</th>' in html and "<tr><td>2008</td>" in html
    assert "<title>2009: 12 articles</title>" in html


def test_timeline_template_escapes_the_caption_and_renders_nothing_when_empty():
    chart = timeline(months(dt.date(2020, 1, 1), [1]))
    html = render_to_string(
        "includes/timeline.html",
        {"timeline": chart, "caption": "<b>Evil</b>", "timeline_id": "t2"},
    )
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html and "<b>Evil</b>" not in html
    assert 'aria-labelledby="t2-title t2-desc"' in html
    empty = render_to_string("includes/timeline.html", {"timeline": timeline([])})
    assert empty.strip() == ""


def test_timeline_coordinates_are_not_localised(settings):
    from django.utils import translation

    settings.USE_THOUSAND_SEPARATOR = True
    chart = timeline(months(dt.date(2020, 1, 1), [3, 1, 2]))
    with translation.override("de"):
        html = render_to_string("includes/timeline.html", {"timeline": chart})
    for x in re.findall(r'<rect class="timeline-bar" x="([^"]+)"', html):
        float(x)


def test_attention_template_shows_counts_and_shares_and_escapes_names():
    topic = TopicFactory()
    a, b = OutletFactory(name="<b>Evil</b>"), OutletFactory(name="Big & Co")
    for n in range(4):
        article = ArticleFactory(outlet=a, published_at=at(2020, 5, n + 1))
        if n < 2:
            ArticleTopicFactory(article=article, topic=topic)
    for n in range(100):
        article = ArticleFactory(outlet=b, published_at=at(2020, 5, n % 28 + 1))
        if n == 0:
            ArticleTopicFactory(article=article, topic=topic)
    html = render_to_string(
        "includes/attention.html", {"attention": attention(of_topic(topic))}
    )
    assert '<caption class="visually-hidden">Attention by outlet</caption>' in html
    assert "share of everything the outlet published" in html
    assert '<th scope="col">Outlet</th>' in html
    assert '<th scope="col" class="number">May 2020</th>' in html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html and "<b>Evil</b>" not in html
    assert "Big &amp; Co" in html
    rows = re.findall(r'<tr><th scope="row">(.*?)</tr>', html)
    assert len(rows) == 3  # two outlets and the totals
    assert '<td class="number">2 (50%)</td>' in rows[0]
    assert '<td class="number">1 (1%)</td>' in rows[1]
    assert '<td class="number">3 (3%)</td>' in rows[2]
    assert "<script" not in html and "style=" not in html
    assert html_errors(html) == []


def test_small_shares_read_as_less_than_one_percent():
    topic, outlet = TopicFactory(), OutletFactory()
    on_topic(topic, outlet, at(2020, 1, 1))
    for day in range(2, 28):
        for hour in range(8):
            ArticleFactory(outlet=outlet, published_at=at(2020, 1, day, hour))
    result = attention(of_topic(topic))
    assert result.rows[0].cells[0].share == 1 / 209
    html = render_to_string("includes/attention.html", {"attention": result})
    assert "1 (&lt;1%)" in html
