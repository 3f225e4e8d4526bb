"""Read-replica routing (archive/db.py).

The test settings define a "replica" alias that mirrors the test database and
install no router; the tests here install the router for themselves. Tests
that look at where a request's queries went run outside a transaction
(transaction=True), because the replica connection cannot see rows the
default connection has not committed.
"""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connections, transaction
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from archive.db import (
    PRIMARY,
    REPLICA,
    PrimaryReplicaRouter,
    ReplicaReadsMiddleware,
    replica_allowed,
    replica_reads,
)
from articles.models import Article, Outlet
from tests.conftest import restore_role_groups
from tests.factories import ArticleFactory, UserFactory

ROUTED = override_settings(DATABASE_ROUTERS=["archive.db.PrimaryReplicaRouter"])
BOTH = ["default", "replica"]
PASSWORD = "correct horse battery staple"

router = PrimaryReplicaRouter()


def test_outside_a_request_reads_come_from_the_primary():
    # Management commands and the shell: they may write what they read.
    assert router.db_for_read(Article) == PRIMARY


def test_inside_a_replica_scope_reads_come_from_the_replica():
    with replica_reads():
        assert router.db_for_read(Article) == REPLICA
        assert router.db_for_read(Outlet) == REPLICA
    assert router.db_for_read(Article) == PRIMARY


@pytest.mark.parametrize("model", [Session, User, Token])
def test_sessions_users_and_tokens_are_always_read_from_the_primary(model):
    with replica_reads():
        assert router.db_for_read(model) == PRIMARY


def test_a_write_sends_the_rest_of_the_scope_to_the_primary():
    with replica_reads():
        assert router.db_for_write(Article) == PRIMARY
        assert router.db_for_read(Article) == PRIMARY
    with replica_reads():
        assert router.db_for_read(Article) == REPLICA


def test_the_scope_ends_even_when_the_block_raises():
    with pytest.raises(RuntimeError), replica_reads():
        raise RuntimeError("the view failed")
    assert not replica_allowed()


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_come_from_the_primary():
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Article) == PRIMARY
        assert router.db_for_read(Article) == REPLICA


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(PRIMARY, "articles")
    assert not router.allow_migrate(REPLICA, "articles")


def test_objects_from_primary_and_replica_may_be_related():
    outlet, article = Outlet(), Article()
    outlet._state.db, article._state.db = REPLICA, PRIMARY
    assert router.allow_relation(outlet, article) is True
    article._state.db = "elsewhere"
    assert router.allow_relation(outlet, article) is None


def scope_seen_by_view(request):
    seen = []

    def view(request):
        seen.append(replica_allowed())
        return None

    ReplicaReadsMiddleware(view)(request)
    assert not replica_allowed()
    return seen[0]


def test_an_anonymous_get_may_read_from_the_replica():
    rf = RequestFactory()
    assert scope_seen_by_view(rf.get("/articles/")) is True
    assert scope_seen_by_view(rf.head("/api/v1/articles/")) is True


@pytest.mark.parametrize(
    "request_",
    [
        RequestFactory().post("/api/v1/articles/"),
        RequestFactory().put("/api/v1/articles/1/"),
        RequestFactory().patch("/api/v1/articles/1/"),
        RequestFactory().delete("/api/v1/articles/1/"),
        RequestFactory().get("/admin/"),
        RequestFactory().get("/admin/login/"),
        RequestFactory().get("/articles/", HTTP_AUTHORIZATION="Token abc"),
        RequestFactory(HTTP_COOKIE="sessionid=abc").get("/articles/"),
    ],
    ids=[
        "post",
        "put",
        "patch",
        "delete",
        "admin",
        "admin-login",
        "api-token",
        "session-cookie",
    ],
)
def test_writes_the_admin_and_signed_in_requests_stay_on_the_primary(request_):
    assert scope_seen_by_view(request_) is False


@pytest.fixture
def published(transactional_db):
    return ArticleFactory(title="Routed article")


def queries_on_each(client_call):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client_call()
    return response, len(primary), len(replica)


@ROUTED
@pytest.mark.django_db(transaction=True, databases=BOTH)
@pytest.mark.parametrize("path", ["/articles/", "/api/v1/articles/"])
def test_an_anonymous_visitor_reads_from_the_replica(client, published, path):
    response, on_primary, on_replica = queries_on_each(lambda: client.get(path))
    assert response.status_code == 200
    assert b"Routed article" in response.content
    assert on_replica > 0
    assert on_primary == 0


@ROUTED
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_curator_reads_public_pages_from_the_primary(client, published):
    restore_role_groups()
    client.force_login(UserFactory(username="curator", is_staff=True))
    response, on_primary, on_replica = queries_on_each(lambda: client.get("/articles/"))
    assert response.status_code == 200
    assert b"Routed article" in response.content
    assert on_primary > 0
    assert on_replica == 0


@ROUTED
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_curator_just_logged_in_is_recognised_from_the_primary(client):
    restore_role_groups()
    UserFactory(username="curator", is_staff=True, is_superuser=True)
    response, _, on_replica = queries_on_each(
        lambda: client.post(
            "/admin/login/",
            {"username": "curator", "password": PASSWORD, "next": "/admin/"},
        )
    )
    assert response.status_code == 302
    assert on_replica == 0
    response, on_primary, on_replica = queries_on_each(lambda: client.get("/admin/"))
    assert response.status_code == 200
    assert response.context["user"].username == "curator"
    assert on_primary > 0
    assert on_replica == 0


@ROUTED
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_an_api_client_with_a_token_reads_from_the_primary(client, published):
    token = Token.objects.create(user=UserFactory(username="robot"))
    response, on_primary, on_replica = queries_on_each(
        lambda: client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Token {token.key}")
    )
    assert response.status_code == 200
    assert on_primary > 0
    assert on_replica == 0


@ROUTED
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_management_commands_read_and_write_on_the_primary():
    _, on_primary, on_replica = queries_on_each(
        lambda: call_command("generate_corpus", articles=20, stdout=StringIO())
    )
    assert Article.objects.count() == 20
    assert on_primary > 0
    assert on_replica == 0
