"""Fixtures of the API integration tests: a container with a real SMTP server and an injected clock,
and an HTTP client of the app (handlers are run by the test through the dispatcher)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.mail import MailServer
from tests.support.pipeline import pipeline_settings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def container(database_url: str, mail: MailServer, clock: Clock) -> Container:
    settings = pipeline_settings(
        database_url, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    return bootstrap(settings, clock=clock)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with api_client(create_app(container, run_dispatcher=False)) as test_client:
        yield test_client
