import calendar
import datetime

from django import template
from django.db.models import Max, Min
from django.utils import formats, timezone
from django.utils.text import capfirst

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def bounded_date_hierarchy(cl):
    """Return the admin's date drill-down without reading the filtered rows.

    Django's lists the years, months or days that have rows in the filtered
    list: a SELECT DISTINCT over up to every article. This one offers the years
    between the archive's first and last dates (the two ends of an index), then
    a year's twelve months and a month's days; one may hold no articles.
    """
    field = cl.date_hierarchy
    year_field, month_field, day_field = (
        f"{field}__{part}" for part in ("year", "month", "day")
    )
    year, month, day = (
        cl.params.get(name) for name in (year_field, month_field, day_field)
    )

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    def month_title(date):
        return capfirst(formats.date_format(date, "YEAR_MONTH_FORMAT"))

    def day_title(date):
        return capfirst(formats.date_format(date, "MONTH_DAY_FORMAT"))

    if year and month and day:
        date = datetime.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": month_title(date),
            },
            "choices": [{"title": day_title(date)}],
        }
    if year and month:
        days = calendar.monthrange(int(year), int(month))[1]
        dates = [datetime.date(int(year), int(month), d) for d in range(1, days + 1)]
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link(
                        {year_field: year, month_field: month, day_field: d.day}
                    ),
                    "title": day_title(d),
                }
                for d in dates
            ],
        }
    if year:
        return {
            "show": True,
            "back": {"link": link({}), "title": "All dates"},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m}),
                    "title": month_title(datetime.date(int(year), m, 1)),
                }
                for m in range(1, 13)
            ],
        }
    span = cl.model._default_manager.aggregate(first=Min(field), last=Max(field))
    if span["first"] is None:
        return {"show": False}
    first, last = (timezone.localtime(span[k]).year for k in ("first", "last"))
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({year_field: str(y)}), "title": str(y)}
            for y in range(first, last + 1)
        ],
    }
