"""An import stopped half-way, killed or by Ctrl-C, leaves only whole articles,
and running it again brings in the rest, each article once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from articles.ingest import fingerprint
from tests.test_settings import ROOT

RECORDS = 2_000


@pytest.fixture
def own_database(tmp_path):
    """Return the URL of a database of this test's own, on the engine the suite
    runs on (a SQLite file, or a PostgreSQL database dropped afterwards),
    migrated and knowing one person and one topic."""
    url = os.environ.get("DATABASE_URL", "")
    dropped = None
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        # Its own name: tests in parallel processes each make one.
        name = f"{config['NAME']}_interrupted_{os.getpid()}"
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        url = f"{admin.rsplit('/', 1)[0]}/{name}"

        def dropped():
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    else:
        url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    manage(url, "migrate", "-v0")
    manage(
        url,
        "shell",
        "-v0",
        "-c",
        "from articles.models import Person, Topic; "
        "Person.objects.create(name='Sergey Lavrov', slug='sergey-lavrov', "
        "aliases=['Sergei Lavrov', 'Lavrov']); "
        "Topic.objects.create(name='Black Sea grain deal', "
        "slug='black-sea-grain-deal', keywords=['grain corridor'])",
    )
    yield url
    if dropped is not None:
        dropped()


def environment(url: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="archive.settings.dev",
        DEBUG="0",
        DATABASE_URL=url,
    )
    return env


def manage(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(url),
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )


def connect(url: str):
    """Return a DB-API connection to the database the import writes."""
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
    return psycopg.connect(url, autocommit=True)


def rows(connection, sql: str) -> list[tuple]:
    cursor = connection.cursor()
    cursor.execute(sql)
    return cursor.fetchall()


def body_of(number: int) -> str:
    return (
        f"Russian Foreign Minister Sergey Lavrov met his Turkish counterpart Hakan "
        f"Fidan in Moscow for round {number} of talks on shipping.\n\n"
        f"“We discussed the grain corridor in detail, item {number}, and agreed to "
        f"keep working,” Lavrov said after the talks. Officials said meeting "
        f"{number} lasted several hours and covered port access, insurance and "
        f"inspections of vessels leaving Odesa, with ledger entry {number * 7919}."
    )


def write_records(path) -> dict[str, dict]:
    """Write RECORDS JSON Lines records; return them by URL, with line numbers."""
    records = {}
    with path.open("w", encoding="utf-8") as out:
        for number in range(RECORDS):
            record = {
                "title": f"Lavrov and Fidan talks, round {number}",
                "url": f"https://tass.com/politics/{2_000_000 + number}",
                "outlet": "TASS",
                "published_at": "2023-08-31T10:15:00Z",
                "authors": ["Anna Petrova"],
                "language": "en",
                "body": body_of(number),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            records[record["url"]] = {**record, "line": number + 1}
    return records


def assert_every_article_whole(connection, records) -> set[str]:
    """Check each stored article against its record and what the importer
    writes with it; return the stored articles' sources."""
    articles = rows(
        connection,
        "SELECT id, url, title, body, raw_text, source, outlet_id "
        "FROM articles_article",
    )
    ids = {row[0] for row in articles}
    ((lavrov,),) = rows(connection, "SELECT id FROM articles_person")
    ((grain,),) = rows(connection, "SELECT id FROM articles_topic")
    outlets = rows(connection, "SELECT id, name FROM articles_outlet")
    assert [name for _, name in outlets] == ["TASS"]

    def by_article(sql) -> dict[int, list[tuple]]:
        found = defaultdict(list)
        for article_id, *values in rows(connection, sql):
            # No row of an article that is not there (none half-undone).
            assert article_id in ids, (sql, article_id)
            found[article_id].append(tuple(values))
        return found

    keys = by_article("SELECT article_id, key FROM articles_articlefingerprint")
    people = by_article(
        "SELECT article_id, person_id, role, state FROM articles_articleperson"
    )
    topics = by_article("SELECT article_id, topic_id, state FROM articles_articletopic")
    quotes = by_article(
        'SELECT article_id, speaker_id, text, start, "end", state FROM articles_quote'
    )
    candidates = by_article(
        "SELECT article_id, name, role, state FROM articles_candidateperson"
    )
    assert rows(connection, "SELECT count(*) FROM articles_articleversion") == [(0,)]

    sources = set()
    for article_id, url, title, body, raw_text, source, outlet_id in articles:
        record = records[url]
        assert title == record["title"]
        assert body == record["body"]
        assert json.loads(raw_text) == {k: v for k, v in record.items() if k != "line"}
        assert source.endswith(f".jsonl:{record['line']}")
        assert outlet_id == outlets[0][0]
        expected = fingerprint.band_keys(fingerprint.shingles(body))
        assert sorted(key for (key,) in keys[article_id]) == sorted(expected)
        assert people[article_id] == [(lavrov, "quoted", "suggested")]
        assert topics[article_id] == [(grain, "suggested")]
        ((speaker, text, start, end, state),) = quotes[article_id]
        assert (speaker, state) == (lavrov, "suggested")
        assert body[start:end] == text
        assert candidates[article_id] == [("Anna Petrova", "author", "suggested")]
        sources.add(source)
    return sources


def default_interrupt():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def signal_masks(pid: int) -> str:
    """What the process blocks, ignores and catches (for a failure's message)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "(no /proc)"
    return " ".join(line for line in status.splitlines() if line.startswith("Sig"))


@pytest.mark.parametrize(
    "stop", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"]
)
def test_an_interrupted_import_keeps_whole_articles_and_a_rerun_adds_the_rest(
    own_database, tmp_path, stop
):
    path = tmp_path / "export.jsonl"
    records = write_records(path)
    output = tmp_path / "first.out"
    with output.open("w") as sink:
        # A session of its own, as a terminal's job: Ctrl-C reaches the
        # import's worker processes too, and the kill takes them all.
        first = subprocess.Popen(
            [sys.executable, "manage.py", "import_articles", "--workers=2", str(path)],
            cwd=ROOT,
            env=environment(own_database),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Ctrl-C as in a terminal, whatever this process ignores or blocks.
            preexec_fn=default_interrupt,
        )
    connection = connect(own_database)
    try:
        deadline = time.monotonic() + 120
        count = 0
        while not count and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
            ((count,),) = rows(connection, "SELECT count(*) FROM articles_article")
        signals = signal_masks(first.pid)
        os.killpg(first.pid, stop)
        first.wait(timeout=60)
        said = output.read_text()
        ((count,),) = rows(connection, "SELECT count(*) FROM articles_article")
        assert 0 < count < RECORDS, f"{said}\n{signals}"

        if stop == signal.SIGINT:
            assert first.returncode == 130, said
            assert "Traceback" not in said
            assert "Interrupted. The batches written before the stop are kept" in said
            assert "Run the same command again for the rest" in said
        else:
            assert first.returncode == -signal.SIGKILL
        kept = assert_every_article_whole(connection, records)
        assert len(kept) == count
    finally:
        connection.close()

    again = subprocess.run(
        [sys.executable, "manage.py", "import_articles", "--report=json", str(path)],
        cwd=ROOT,
        env=environment(own_database),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["summary"] == {
        "imported": RECORDS - count,
        "updated": 0,
        "duplicate": count,
        "rejected": 0,
    }
    duplicates = {
        item["source"] for item in report["items"] if item["status"] == "duplicate"
    }
    assert duplicates == kept

    connection = connect(own_database)
    try:
        assert len(assert_every_article_whole(connection, records)) == RECORDS
        assert rows(connection, "SELECT count(DISTINCT url) FROM articles_article") == [
            (RECORDS,)
        ]
    finally:
        connection.close()
