"""The self-check report in a real headless Chromium (Debian's), with JavaScript switched off: the
page and its SVG chart render, and the language switch works."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import Role
from tests.integration.test_selfchecks import answers
from tests.support.browser import assert_accessible
from tests.support.people import person
from tests.support.pipeline import pipeline_settings
from tests.support.server import served

pytestmark = pytest.mark.integration


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, object]]:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    upgrade(make_engine(url))
    container = bootstrap(pipeline_settings(url))
    with served(create_app(container)) as base:
        yield base, container


def test_report_renders_in_chromium_without_javascript(
    server: tuple[str, object], tmp_path: Path, browser: Any
) -> None:

    base, container = server
    with httpx.Client(base_url=f"{base}/api/v1", timeout=10) as http:

        class Client:  # people.person signs in through this
            def post(self, path: str, json: dict[str, str]) -> httpx.Response:
                return http.post(path, json=json)

        town = person(
            container, Role.MUNICIPALITY, municipality_ags="06412000", client=Client(), name="Musterstadt"
        )  # type: ignore[arg-type]
        round_id = http.post("/selfchecks", json={"population": 12000}, headers=town.auth).json()["id"]
        for level, perspective in ((1, "integration_commissioner"), (3, "leadership")):
            link = http.post(
                f"/selfchecks/{round_id}/respondents",
                json={"label": f"Amt {level}", "perspective": perspective},
                headers=town.auth,
            ).json()["answer_url"]
            http.put(
                link.replace("http://127.0.0.1:8000", ""), json={"answers": answers(level)}
            ).raise_for_status()
        http.post(f"/selfchecks/{round_id}/submit", headers=town.auth).raise_for_status()
        deadline = time.monotonic() + 20
        while http.get(f"/selfchecks/{round_id}/result", headers=town.auth).status_code != 200:
            assert time.monotonic() < deadline, "the embedded dispatcher did not score the round"
            time.sleep(0.1)

    context = browser.new_context(
        java_script_enabled=False,
        extra_http_headers={"Authorization": town.auth["Authorization"]},
        locale="de-DE",
    )
    page = context.new_page()
    page.goto(f"{base}/api/v1/selfchecks/{round_id}/report")
    assert page.locator("h1").inner_text() == "Selbstcheck: Musterstadt"
    bars = page.locator("svg rect")
    assert bars.count() == 7
    widths = [bars.nth(i).bounding_box()["width"] for i in range(7)]  # type: ignore[index]
    assert all(w > 0 for w in widths), widths
    page.screenshot(path=str(tmp_path / "report-de.png"), full_page=True)
    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Self-check: Musterstadt"
    assert page.get_by_role("region", name="Field of action").get_by_role("columnheader").first.is_visible()
    perspectives = page.get_by_role("region", name="Perspectives")
    assert perspectives.get_by_role("columnheader").all_inner_texts() == [
        "Field of action",
        "Leadership (the mayor's office)",
        "Integration commissioner",
    ]
    page.screenshot(path=str(tmp_path / "report-en.png"), full_page=True)
    context.close()
    assert (tmp_path / "report-de.png").stat().st_size > 10_000
    # axe needs JavaScript to run; the page itself has none
    context = browser.new_context(extra_http_headers={"Authorization": town.auth["Authorization"]})
    page = context.new_page()
    for lang in ("de", "en"):
        page.goto(f"{base}/api/v1/selfchecks/{round_id}/report?lang={lang}")
        assert_accessible(page, f"report-{lang}", widths=(390, 1280))
    context.close()
