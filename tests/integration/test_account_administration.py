"""Admins disable, enable and re-role accounts and mail reset links, through the API (the pages and
the operations are the same): a disabled account's sessions end at once and a coordinator's open
cases go back to the queue; nobody changes their own account; every other role is refused; a bad
body is a 422 that names the field. Both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.notify.tables import Notification
from services.store.tables import Role
from tests.integration.test_incidents import case_of, report, run
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.people import person
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[Container, TestClient]]:
    container = bootstrap(pipeline_settings(database_url), clock=Clock())
    with api_client(create_app(container, run_dispatcher=False)) as client:
        yield container, client


def test_disabling_a_coordinator_ends_their_sessions_and_queues_their_cases(
    world: tuple[Container, TestClient],
) -> None:
    container, client = world
    ags = "03355017"
    admin = person(container, Role.ADMIN, client=client)
    coordinator = person(container, Role.COORDINATOR, region=ags, expertise="security,legal", client=client)
    official = person(container, Role.OFFICIAL, client=client)
    case_id = report(client, official, ags)["case_id"]
    run(container)
    assert case_of(container, case_id).assignee_id == coordinator.id
    assert client.get("/me", headers=coordinator.auth).status_code == 200

    answer = client.patch(f"/accounts/{coordinator.id}", json={"is_active": False}, headers=admin.auth)
    assert answer.status_code == 200 and answer.json()["is_active"] is False
    assert client.get("/me", headers=coordinator.auth).status_code == 401  # signed out at once
    again = client.post("/auth/token", json={"email": coordinator.email, "password": "x" * 12})
    assert again.status_code == 401
    case = case_of(container, case_id)
    assert case.assignee_id is None and case.status == "queued"
    assert client.post(f"/accounts/{coordinator.id}/password-reset", headers=admin.auth).status_code == 409

    enabled = client.patch(f"/accounts/{coordinator.id}", json={"is_active": True}, headers=admin.auth)
    assert enabled.json()["is_active"] is True
    assert client.post(f"/accounts/{coordinator.id}/password-reset", headers=admin.auth).status_code == 202
    with Session(container.engine) as session:
        mailed = session.exec(
            select(Notification).where(
                Notification.template == "password_reset",
                Notification.recipient_id.startswith(coordinator.id),  # type: ignore[attr-defined]
            )
        ).all()
    assert len(mailed) == 1


def test_a_role_change_brings_what_the_role_needs_and_never_touches_ones_own_account(
    world: tuple[Container, TestClient],
) -> None:
    container, client = world
    admin = person(container, Role.ADMIN, client=client)
    official = person(container, Role.OFFICIAL, client=client)
    missing = client.patch(f"/accounts/{official.id}", json={"role": "municipality"}, headers=admin.auth)
    assert missing.status_code == 422 and "municipality_ags" in missing.text
    changed = client.patch(
        f"/accounts/{official.id}",
        json={"role": "municipality", "municipality_ags": "03241001"},
        headers=admin.auth,
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "municipality" and changed.json()["municipality_ags"] == "03241001"
    assert client.get("/me", headers=official.auth).status_code == 401  # signs in again as what they are now
    own = client.patch(f"/accounts/{admin.id}", json={"is_active": False}, headers=admin.auth)
    assert own.status_code == 409 and "another admin" in own.text
    assert client.patch("/accounts/nobody", json={"is_active": False}, headers=admin.auth).status_code == 404
    unknown = client.patch(f"/accounts/{official.id}", json={"password": "x"}, headers=admin.auth)
    assert unknown.status_code == 422


def test_no_other_role_administers_accounts(world: tuple[Container, TestClient]) -> None:
    container, client = world
    target = person(container, Role.OFFICIAL, client=client)
    for role in (Role.OFFICIAL, Role.COORDINATOR, Role.ORGANISER):
        someone = person(container, role, client=client)
        assert (
            client.patch(
                f"/accounts/{target.id}", json={"is_active": False}, headers=someone.auth
            ).status_code
            == 403
        )
        assert client.post(f"/accounts/{target.id}/password-reset", headers=someone.auth).status_code == 403
    assert client.get("/me", headers=target.auth).status_code == 200
