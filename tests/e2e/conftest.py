"""One site per test session for the browser tests: the embedded service (SQLite, handlers in the
process) on a free port, with a real SMTP server; and one Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.store.engine import make_engine
from services.store.migrate import upgrade
from tests.support.browser import CHROMIUM, FLAGS, SHOTS
from tests.support.mail import MailServer, free_port
from tests.support.matrix import Homeserver
from tests.support.pipeline import KafkaPipeline, pipeline_settings
from tests.support.server import served


@dataclass
class Site:
    base: str
    container: Container
    mail: MailServer


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, homeserver: Homeserver) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    bot = homeserver.register()  # the site's Matrix bot, on the real homeserver
    url = f"sqlite:///{folder / 'site.db'}"
    upgrade(make_engine(url))
    mail = MailServer().start()
    port = free_port()
    settings = pipeline_settings(
        url,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_starttls=False,
        public_base_url=f"http://127.0.0.1:{port}",
        relay_idle_s=0.05,
        sign_in_per_minute=0,
        anonymous_reports_per_minute=0,
        registrations_per_minute=0,
        anonymous_case_lookups_per_minute=0,
        matrix_homeserver=homeserver.url,
        matrix_user_id=bot.user_id,
        matrix_access_token=bot.access_token,
        matrix_wait_ms=500,
    )
    container = bootstrap(settings)
    with served(create_app(container, run_dispatcher=True), port) as base:
        yield Site(base, container, mail)
    mail.stop()


@pytest.fixture
def kafka_site(postgres_url: str, kafka_bootstrap: str, tmp_path: Path) -> Iterator[Site]:
    mail = MailServer().start()
    port = free_port()
    settings = pipeline_settings(
        postgres_url,
        kafka_bootstrap,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_starttls=False,
        public_base_url=f"http://127.0.0.1:{port}",
        registrations_per_minute=0,
        sign_in_per_minute=0,
        worker_metrics_port=free_port(),
    )
    pipeline = KafkaPipeline(settings, log_dir=tmp_path)
    stop = threading.Event()
    relay = threading.Thread(target=pipeline.relay.run, args=(stop,), daemon=True)
    relay.start()
    app = create_app(pipeline.container, run_dispatcher=False)
    try:
        with served(app, port) as base:
            yield Site(base, pipeline.container, mail)
    finally:
        stop.set()
        relay.join(timeout=10)
        pipeline.close()
        mail.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def person_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page as a person uses it, in a German browser; a failure keeps a screenshot. The pages ship
    no script at all, so JavaScript stays on here only for axe-core; ``no_js_page`` proves the
    journeys without it."""
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    yield page
    if request.node.stash.get(FAILED, False):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"failed-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def no_js_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    yield page
    context.close()
