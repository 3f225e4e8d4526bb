import re
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from articles.management.commands import bench
from articles.models import Article, ArticlePerson
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FAST = {"requests": 2, "warmup": 0, "sample": 30, "depth": 1}


def scenario_names() -> list[str]:
    out = StringIO()
    call_command("bench", list=True, stdout=out)
    return [line.split()[1] for line in out.getvalue().splitlines()]


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in [
            get_user_model(),
            Session,
            AccessLog,
            AccessAttempt,
            LogEntry,
            Article,
            ArticlePerson,
        ]
    }


def test_reports_every_scenario_and_leaves_the_database_as_found():
    call_command("generate_corpus", articles=200, stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("bench", **FAST, stdout=out, stderr=StringIO())
    report = out.getvalue()
    assert (
        "| Scenario | p50 ms | p95 ms | max ms | queries | p95 target (ms) |" in report
    )
    names = scenario_names()
    assert {"home", "facets", "admin-changelist", "api-export"} <= set(names)
    number = r"\d+\.\d"
    for name in names:
        row = rf"\| {name} \| {number} \| {number} \| {number} \| \d+(–\d+)? \| "
        assert re.search(row + r"(met|missed by \d+ ms|—)", report), name
    assert re.search(
        r"Search common words, with the articles they match: \w+ \(", report
    )
    assert "Command: `python manage.py bench --requests 2 --warmup 0" in report
    assert snapshot() == before


def test_needs_published_articles():
    ArticleFactory(status=Article.Status.DRAFT)
    with pytest.raises(CommandError, match="No published articles"):
        call_command("bench", **FAST, stdout=StringIO())


def test_a_response_other_than_200_fails_the_run_naming_the_url(monkeypatch):
    ArticleFactory(status=Article.Status.PUBLISHED)
    scenarios = bench.Command.scenarios

    def with_a_bad_url(self):
        chosen = scenarios(self)
        for s in chosen:
            if s.name == "home":
                s.build = lambda: ["/no-such-page/"]
        return chosen

    monkeypatch.setattr(bench.Command, "scenarios", with_a_bad_url)
    with pytest.raises(CommandError, match="home: GET /no-such-page/ answered 404"):
        call_command("bench", **FAST, only=["home"], stdout=StringIO())


def test_only_runs_the_named_groups_and_patterns():
    ArticleFactory(status=Article.Status.PUBLISHED)
    out = StringIO()
    call_command(
        "bench", **FAST, only=["home", "api-l*"], stdout=out, stderr=StringIO()
    )
    rows = [line.split()[1] for line in out.getvalue().splitlines() if "| " in line]
    assert rows == ["Scenario", "---", "home", "api-list"]
