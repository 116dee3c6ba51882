"""Shared fixtures. Kafka, PostgreSQL and a Matrix homeserver are started once per test run by
infra/test.sh."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from services.store.engine import make_engine
from services.store.migrate import upgrade
from tests.support.mail import MailServer
from tests.support.matrix import Homeserver


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set. Run the tests with 'bash infra/test.sh', which starts a real Kafka "
            "broker, PostgreSQL and a Matrix homeserver, or select unit tests only with "
            "-m 'not integration'.",
            pytrace=False,
        )
    return value


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return _required_env("WELTOFFEN_TEST_KAFKA")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = _required_env("WELTOFFEN_TEST_POSTGRES_URL")
    upgrade(make_engine(url))
    return url


@pytest.fixture
def unique() -> str:
    """A short unique token: tests isolate by keys, prefixes and consumer groups, not by restarts."""
    return uuid.uuid4().hex[:10]


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'weltoffen.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both databases (one contract, every backend)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    url = sqlite_url(tmp_path)
    upgrade(make_engine(url))
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def private_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Like database_url, but a database of this test alone (for tests that touch every row)."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
        upgrade(make_engine(url))
        yield url
        return
    server_url: str = request.getfixturevalue("postgres_url")
    name = f"private_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    yield url
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def mail() -> Iterator[MailServer]:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1."""
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def homeserver() -> Homeserver:
    """The real Synapse that infra/test.sh starts (users are registered with its shared secret)."""
    return Homeserver(_required_env("WELTOFFEN_TEST_MATRIX"), _required_env("WELTOFFEN_TEST_MATRIX_SECRET"))
