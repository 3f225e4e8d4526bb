"""The production settings seen from outside: a real gunicorn serving them, asked
the way the TLS proxy asks (docs/deploy.md#the-tls-proxy). Security headers,
the HTTPS redirect, secure cookies and the request limits, checked on the wire."""

import http.client
import json
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest

from tests.test_deploy import gunicorn, production_environment
from tests.test_settings import ROOT

HOST = "archive.example.org"
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https"}
PASSWORD = "a-long-admin-password-42"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Return the address of gunicorn serving the production settings."""
    env = production_environment(tmp_path_factory.mktemp("production"))
    subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--noinput"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SUPERUSER_USERNAME": "admin",
            "DJANGO_SUPERUSER_EMAIL": "admin@example.org",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        },
        check=True,
        timeout=60,
    )
    env.update(
        # One worker: the throttle counts live in its memory (no REDIS_URL).
        GUNICORN_WORKERS="1",
        DATA_UPLOAD_MAX_MEMORY_SIZE="4096",
        SITE_SEARCH_RATE="2/minute",
    )
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn(env, log) as (port, _):
        yield port


def ask(port, method, path, headers=None, body=None):
    """Return (status, headers, body) of one request, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def directives(header: str) -> dict:
    parts = (part.strip().split(" ", 1) for part in header.split(";"))
    return dict(parts)


@pytest.mark.parametrize(
    ("path", "styles"),
    [
        ("/", "'self'"),
        ("/articles/2016/", "'self'"),
        # The browsable API's templates style elements inline (archive/csp.py).
        ("/api/v1/articles/", "'self' 'unsafe-inline'"),
    ],
)
def test_every_answer_carries_the_security_headers(server, path, styles):
    status, headers, _ = ask(server, "GET", path, PROXIED)
    assert status in {200, 404}
    assert headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = directives(headers["Content-Security-Policy"])
    assert policy == {**POLICY, "style-src": styles}


def test_swagger_ui_gets_inline_styles_but_never_inline_scripts(server):
    status, headers, body = ask(server, "GET", "/api/docs/", PROXIED)
    assert status == 200
    policy = directives(headers["Content-Security-Policy"])
    assert policy == {**POLICY, "style-src": "'self' 'unsafe-inline'"}
    # Its start-up script is a file of its own, served as JavaScript.
    assert b'<script src="/api/docs/?script="></script>' in body
    status, headers, body = ask(server, "GET", "/api/docs/?script=", PROXIED)
    assert status == 200
    assert headers["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in body


def test_static_files_are_not_sniffed(server):
    _, _, page = ask(server, "GET", "/", PROXIED)
    start = page.index(b"/static/css/archive.")
    stylesheet = page[start : page.index(b'"', start)].decode()
    status, headers, _ = ask(server, "GET", stylesheet, PROXIED)
    assert status == 200
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"].startswith("text/css")


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_plain_http_is_redirected_to_https_with_its_path_and_query(server, method):
    path = "/articles/?q=grain+talks&outlet=tass&page=2"
    status, headers, _ = ask(server, method, path, {"Host": HOST})
    assert status == 301
    assert headers["Location"] == f"https://{HOST}{path}"
    # No HSTS over plain HTTP (browsers ignore it there).
    assert "Strict-Transport-Security" not in headers


def test_the_health_check_answers_probes_over_plain_http_by_address(server):
    status, _, body = ask(server, "GET", "/healthz", {"Host": "10.0.0.5:8000"})
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def cookies(headers) -> dict:
    """Return each Set-Cookie's name and its attributes, lower-cased."""
    found = {}
    for line in headers.get_all("Set-Cookie") or []:
        name_value, *attributes = (part.strip() for part in line.split(";"))
        name, value = name_value.split("=", 1)
        found[name] = (value, {a.split("=")[0].lower() for a in attributes})
    return found


def test_cookies_are_secure_and_a_curator_logs_in_through_the_proxy(server):
    status, headers, page = ask(server, "GET", "/admin/login/", PROXIED)
    assert status == 200
    csrf, attributes = cookies(headers)["csrftoken"]
    assert "secure" in attributes
    marker = b'name="csrfmiddlewaretoken" value="'
    start = page.index(marker) + len(marker)
    token = page[start : page.index(b'"', start)].decode()

    form = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": "admin",
            "password": PASSWORD,
            "next": "/admin/",
        }
    )
    status, headers, body = ask(
        server,
        "POST",
        "/admin/login/",
        {
            **PROXIED,
            "Cookie": f"csrftoken={csrf}",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/admin/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        form,
    )
    assert status == 302, body
    assert headers["Location"] == "/admin/"
    session, attributes = cookies(headers)["sessionid"]
    assert {"secure", "httponly"} <= attributes
    status, _, page = ask(
        server, "GET", "/admin/", {**PROXIED, "Cookie": f"sessionid={session}"}
    )
    assert status == 200
    assert b"/admin/logout/" in page  # Logged in: the page offers to log out.


def test_an_over_size_body_is_answered_413_at_once(server):
    body = json.dumps({"title": "x" * 10_000})
    started = time.monotonic()
    status, _, content = ask(
        server,
        "POST",
        "/api/v1/articles/",
        {**PROXIED, "Content-Type": "application/json"},
        body,
    )
    assert time.monotonic() - started < 5
    assert status == 413
    error = json.loads(content)["error"]
    assert error["code"] == "too_large"
    assert "(DATA_UPLOAD_MAX_MEMORY_SIZE)" in error["message"]


def test_anonymous_site_searches_are_throttled_per_address(server):
    statuses = [ask(server, "GET", f"/quotes/?q=word{n}", PROXIED)[0] for n in range(3)]
    assert statuses == [200, 200, 429]
    status, headers, page = ask(server, "GET", "/quotes/?q=again", PROXIED)
    assert status == 429
    assert 0 < int(headers["Retry-After"]) <= 60
    assert b"Too many searches" in page
    assert ask(server, "GET", "/quotes/", PROXIED)[0] == 200
