"""The OpenAPI schema is valid and true: schemathesis generates requests from it
for every operation, anonymously and as an editor, and runs every check on each
response, in-process, with the CLI's configuration (schemathesis.toml)."""

import re
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from archive.wsgi import application

# The same configuration as the CLI runs (docs/api.md, "Checking the contract").
CONFIG = SchemathesisConfig.from_path(
    Path(__file__).parent.parent / "schemathesis.toml"
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


def test_schema_validates_against_the_openapi_3_specification():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    assert generated["openapi"].startswith("3.")
    listing = generated["paths"]["/api/v1/articles/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"q", "outlet", "topic", "person", "role", "language", "country"} <= names
    assert {"published_after", "published_before", "modified_since", "status"} <= names
    assert {"ordering", "fields", "cursor", "page_size"} <= names
    described = [p for p in listing["parameters"] if p.get("description")]
    assert len(described) == len(listing["parameters"])


@pytest.mark.django_db
def test_docs_are_served_from_our_own_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert all(a.startswith("/static/") or a.startswith("/api/") for a in assets)
    assert client.get("/api/schema/").status_code == 200


@pytest.fixture
def keep_connection():
    """Schemathesis calls the WSGI app directly, not through Django's test client,
    so Django would close the test's database connection (and its transaction)
    after each request. Do what the test client does: leave it open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "editor"])
def headers(request, demo, keep_connection):
    """Each operation is tried anonymously and with an editor's token, on the
    demo collection."""
    if request.param == "anonymous":
        return {}
    editor = request.getfixturevalue("editor")
    return {"Authorization": f"Bearer {Token.objects.create(user=editor).key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, headers):
    case.call_and_validate(headers=headers)
