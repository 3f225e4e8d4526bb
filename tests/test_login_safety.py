import re
from datetime import timedelta

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"
HOME = "192.0.2.10"


def log_in(client, username, password, address=HOME):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address=HOME):
    for _ in range(times):
        response = log_in(client, username, "wrong password", address)
        assert response.status_code in (200, 429)


def errors_in(response):
    return re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )


def test_five_wrong_passwords_lock_the_curator_out(client, curator):
    fail(client, "curator", 4)
    assert log_in(client, "curator", "wrong password").status_code == 429
    response = log_in(client, "curator", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Locked out" in page
    assert "Too many failed login attempts" in page
    assert "Try again in 1 hour." in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_for_that_username_from_that_address(client, curator, editor):
    fail(client, "curator", 5)
    assert log_in(client, "curator", PASSWORD).status_code == 429
    assert log_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    assert (
        log_in(client, "curator", PASSWORD, address="198.51.100.7").status_code == 302
    )


def test_a_curator_may_log_in_again_after_the_cool_off(client, curator):
    fail(client, "curator", 5)
    assert log_in(client, "curator", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(hours=1, minutes=1)
    )
    response = log_in(client, "curator", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_a_successful_login_resets_the_count(client, curator):
    fail(client, "curator", 4)
    assert log_in(client, "curator", PASSWORD).status_code == 302
    client.logout()
    fail(client, "curator", 4)
    assert log_in(client, "curator", PASSWORD).status_code == 302


def test_the_failure_limit_and_cool_off_come_from_settings(client, curator, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=90)
    fail(client, "curator", 2)
    response = log_in(client, "curator", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 1 hour 30 minutes." in response.content.decode()


def test_forwarded_addresses_are_ignored_without_proxies():
    request = RequestFactory().post(
        LOGIN, REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert get_client_ip_address(request) == HOME


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    # What API_NUM_PROXIES=1 sets (see base.py); a client-forged first entry
    # does not count.
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False
    request = RequestFactory().post(
        LOGIN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert get_client_ip_address(request) == "203.0.113.5"


def test_api_tokens_still_work_while_the_web_login_is_locked(client, curator):
    draft = ArticleFactory(status="draft")
    fail(client, "curator", 5)
    assert log_in(client, "curator", PASSWORD).status_code == 429
    api = APIClient(REMOTE_ADDR=HOME)
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}"
    )
    response = api.get("/api/v1/articles/", {"status": "draft"})
    assert response.status_code == 200, response.content
    assert [a["id"] for a in response.json()["results"]] == [draft.pk]


def test_the_session_ends_with_the_browser_and_after_eight_hours(client, curator):
    before = timezone.now()
    assert log_in(client, "curator", PASSWORD).status_code == 302
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    session = Session.objects.get(session_key=cookie.value)
    lasts = session.expire_date - before
    assert timedelta(hours=8) <= lasts < timedelta(hours=8, minutes=1)


def test_a_remembered_session_cookie_lasts_the_configured_age(
    client, curator, settings
):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    settings.SESSION_COOKIE_AGE = 3600
    assert log_in(client, "curator", PASSWORD).status_code == 302
    assert client.cookies["sessionid"]["max-age"] == 3600


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short. It must contain at least 12"),
        ("password1234", "This password is too common."),
    ],
)
def test_the_admin_refuses_weak_passwords_for_new_users(
    client, superuser, password, message
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcurator",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert any(message in error for error in errors_in(response))
    assert not get_user_model().objects.filter(username="newcurator").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short. It must contain at least 12"),
        ("password1234", "This password is too common."),
    ],
)
def test_the_admin_refuses_weak_passwords_on_change(
    client, superuser, curator, password, message
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[curator.pk]),
        {"usable_password": "true", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert any(message in error for error in errors_in(response))
    curator.refresh_from_db()
    assert curator.check_password(PASSWORD)


def test_trying_again_while_locked_out_starts_the_wait_again(client, curator):
    fail(client, "curator", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=59))
    assert log_in(client, "curator", "wrong password").status_code == 429
    attempt = AccessAttempt.objects.get(username="curator")
    assert attempt.attempt_time > timezone.now() - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=30))
    assert log_in(client, "curator", PASSWORD).status_code == 429
