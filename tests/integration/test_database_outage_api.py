"""The API while its database is away: 503 with Retry-After and a sentence a person can act on,
never a 500. A real PostgreSQL address where nothing listens stands for the database being down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import bootstrap
from tests.support.api import api_client
from tests.support.mail import free_port
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def client() -> Iterator[TestClient]:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/weltoffen?connect_timeout=2"
    container = bootstrap(pipeline_settings(url))
    with api_client(create_app(container, run_dispatcher=False), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/auth/token", {"email": "mayor@example.org", "password": "correct horse battery"}),
        (
            "post",
            "/dialogues/4b0f6f0e-4f36-4bb4-9d4c-0c3f4bd1c2a1/registrations",
            {"name": "Ada", "email": "ada@example.org", "privacy_consent": "2026-1"},
        ),
        ("get", "/dialogues", None),
    ],
)
def test_requests_while_the_database_is_down_are_answered_503_with_retry_after(
    client: TestClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    answer = client.request(method.upper(), path, json=body)
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert "nothing was saved" in answer.json()["detail"]


def test_readiness_says_the_database_is_unreachable(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"].startswith("unreachable")
