"""The styles of up to five series drawn on one chart (a comparison, a share
beside a count): a colour, a dash pattern and a marker each, so that series stay
apart for readers with a colour-vision deficiency and in greyscale print.

The same values are custom properties and `.series-N` classes in
static/css/archive.css (the stylesheet styles the page; these are for SVG
presentation attributes, which keep a chart readable where the stylesheet does
not load, as in a downloaded SVG). docs/public-site.md, "Look", explains them.
"""

from typing import NamedTuple


class SeriesStyle(NamedTuple):
    css_class: str  # "series-1": colour and dashes from the stylesheet
    colour: str  # Okabe-Ito hue, darkened to 3:1 or more on white
    dash: str  # an SVG stroke-dasharray; "" for a solid line
    marker: str  # "circle", "square", "triangle", "diamond" or "cross"


SERIES = (
    SeriesStyle("series-1", "#0072b2", "", "circle"),  # blue
    SeriesStyle("series-2", "#d55e00", "8 4", "square"),  # vermilion
    SeriesStyle("series-3", "#007a5a", "2 3", "triangle"),  # bluish green
    SeriesStyle("series-4", "#ad4d8c", "10 3 2 3", "diamond"),  # reddish purple
    SeriesStyle("series-5", "#9a6a00", "14 3 3 3 3 3", "cross"),  # ochre
)


def series_style(index: int) -> SeriesStyle:
    """Return the style of the index-th series (0-based); more than five
    series repeat the styles, which a chart should not need."""
    return SERIES[index % len(SERIES)]
