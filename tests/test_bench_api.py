from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_reports_every_scenario():
    call_command("generate_corpus", articles=200, stdout=StringIO())
    out = StringIO()
    call_command("bench_api", requests=3, warmup=1, depth=2, stdout=out)
    table = out.getvalue()
    assert "| Scenario | p50 ms | p95 ms | max ms | SQL queries per request |" in table
    for name in [
        "list",
        "deep page (page 3)",
        "filtered list",
        "search: surname",
        "search: two words",
        "detail",
    ]:
        assert f"| {name} |" in table


def test_needs_published_articles():
    with pytest.raises(CommandError, match="generate_corpus"):
        call_command("bench_api", stdout=StringIO())
