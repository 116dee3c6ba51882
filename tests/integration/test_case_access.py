"""Every incident and case endpoint, tried by every role on someone else's case: 403 or 404, and
the case is left exactly as it was."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.store.tables import Role
from tests.integration.test_incidents import case_of, report, run
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.people import Person, person
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[Container, TestClient]]:
    container = bootstrap(pipeline_settings(database_url), clock=Clock())
    with api_client(create_app(container, run_dispatcher=False)) as client:
        yield container, client


def endpoints(case_id: str, offer_id: str) -> list[tuple[str, str, dict[str, object] | None]]:
    base = f"/cases/{case_id}"
    return [
        ("GET", base, None),
        ("POST", f"{base}/acknowledge", None),
        ("POST", f"{base}/reassign", {"assignee_id": "someone"}),
        ("POST", f"{base}/notes", {"text": "intern"}),
        ("POST", f"{base}/information", {"text": "mehr"}),
        ("POST", f"{base}/resolve", None),
        ("POST", f"{base}/close", None),
        ("POST", f"{base}/offers/{offer_id}/accept", None),
        ("POST", f"{base}/offers/{offer_id}/decline", None),
        ("POST", f"{base}/offers/{offer_id}/delivered", None),
        ("POST", f"{base}/checkin/enable", {"interval_minutes": 60}),
        ("POST", f"{base}/checkin", None),
        ("POST", f"{base}/checkin/disable", None),
        ("EVIDENCE", f"{base}/evidence", None),
        ("POST", f"{base}/messages", {"text": "an Sie"}),
        ("PUT", f"{base}/contact-sharing", {"share": True}),
        ("GET", f"{base}/evidence/any-file", None),
    ]


def call(client: TestClient, who: Person, method: str, path: str, body: dict[str, object] | None) -> int:
    if method == "GET":
        return client.get(path, headers=who.auth).status_code
    if method == "EVIDENCE":
        files = {"file": ("shot.png", io.BytesIO(b"\x89PNG\r\n\x1a\n..."), "image/png")}
        return client.post(path, files=files, headers=who.auth).status_code
    if method == "PUT":
        return client.put(path, json=body, headers=who.auth).status_code
    return client.post(path, json=body, headers=who.auth).status_code


def test_routing_configuration_is_for_admins_and_own_duty_for_coordinators(
    world: tuple[Container, TestClient],
) -> None:
    container, client = world
    coordinator = person(container, Role.COORDINATOR, region="08", expertise="legal", client=client)
    admin_only = [
        ("GET", "/coordinators", None),
        ("PUT", f"/coordinators/{coordinator.id}/profile", {"expertise": ["legal"]}),
        ("GET", "/on-call", None),
        (
            "PUT",
            "/on-call",
            {
                "turns": [
                    {
                        "account_id": coordinator.id,
                        "starts_at": "2026-12-01T07:00:00Z",
                        "ends_at": "2026-12-01T19:00:00Z",
                    }
                ]
            },
        ),
    ]
    own = [
        ("PUT", "/me/duty", {"on_duty": True}),
        ("PATCH", "/me/coordinator-profile", {"capacity": 3}),
        ("GET", "/me/shifts", None),
        ("PUT", "/me/shifts", {"shifts": []}),
    ]
    others = [
        person(container, role, client=client, municipality_ags="08111000")
        for role in (Role.OFFICIAL, Role.ORGANISER, Role.MUNICIPALITY)
    ]
    for someone in [*others, coordinator]:
        for method, path, body in admin_only:
            answer = client.request(method, path, json=body, headers=someone.auth)
            assert answer.status_code == 403, f"{someone.role} {method} {path} -> {answer.status_code}"
    for someone in others:
        for method, path, body in own:
            answer = client.request(method, path, json=body, headers=someone.auth)
            assert answer.status_code == 403, f"{someone.role} {method} {path} -> {answer.status_code}"
    for method, path, body in [*admin_only, *own]:
        assert client.request(method, path, json=body).status_code == 401


def test_strangers_can_do_nothing_with_a_case(world: tuple[Container, TestClient]) -> None:
    container, client = world
    ags = "03241001"
    owner = person(container, Role.OFFICIAL, client=client, name="owner")
    assignee = person(container, Role.COORDINATOR, region=ags, expertise="security,legal", client=client)
    case_id = report(client, owner, ags)["case_id"]
    run(container)
    case = case_of(container, case_id)
    assert case.assignee_id == assignee.id
    offer_id = client.get(f"/cases/{case_id}", headers=owner.auth).json()["offers"][0]["id"]

    strangers = [
        person(container, Role.OFFICIAL, client=client, name="other-official"),
        person(
            container, Role.COORDINATOR, region="09", expertise="security", client=client, name="far-coord"
        ),
        person(container, Role.ORGANISER, client=client),
        # the official's own municipality must not read the official's case
        person(container, Role.MUNICIPALITY, municipality_ags=ags, client=client),
    ]
    for stranger in strangers:
        for method, path, body in endpoints(case_id, offer_id):
            status = call(client, stranger, method, path, body)
            assert status in (403, 404), f"{stranger.role} {method} {path} -> {status}"
        queue = client.get("/cases", headers=stranger.auth)
        assert queue.status_code == 403 or case_id not in [c["id"] for c in queue.json()]
        assert case_id not in [c["id"] for c in client.get("/me/cases", headers=stranger.auth).json()]
    unchanged = case_of(container, case_id)
    assert (unchanged.version, unchanged.status, unchanged.assignee_id) == (
        case.version,
        case.status,
        case.assignee_id,
    )


def test_regional_colleague_sees_the_case_but_not_its_content(world: tuple[Container, TestClient]) -> None:
    container, client = world
    ags = "03241002"
    owner = person(container, Role.OFFICIAL, client=client)
    person(container, Role.COORDINATOR, region=ags, expertise="security,legal", client=client)
    colleague = person(container, Role.COORDINATOR, region="0324", expertise="media", client=client)
    case_id = report(client, owner, ags)["case_id"]
    run(container)
    assert case_id in [c["id"] for c in client.get("/cases", headers=colleague.auth).json()]
    detail = client.get(f"/cases/{case_id}", headers=colleague.auth).json()
    assert detail["narrative"] is None and detail["notes"] is None and detail["evidence_links"] is None
    assert client.post(f"/cases/{case_id}/acknowledge", headers=colleague.auth).status_code == 403
    admin = person(container, Role.ADMIN, client=client)
    assert client.get(f"/cases/{case_id}", headers=admin.auth).json()["narrative"] is not None
    own = client.get(f"/cases/{case_id}", headers=owner.auth).json()
    assert own["narrative"] is not None and own["notes"] == []


def test_evidence_upload_limits(world: tuple[Container, TestClient]) -> None:
    container, client = world
    owner = person(container, Role.OFFICIAL, client=client)
    case_id = report(client, owner, "03241003")["case_id"]
    url = f"/cases/{case_id}/evidence"

    def upload(name: str, data: bytes, kind: str) -> int:
        return client.post(
            url, files={"file": (name, io.BytesIO(data), kind)}, headers=owner.auth
        ).status_code

    assert upload("screenshot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png") == 201
    assert upload("virus.exe", b"MZ....", "application/x-msdownload") == 415
    assert upload("fake.png", b"not an image", "image/png") == 422
    assert upload("huge.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf") == 413
    files = client.get(f"/cases/{case_id}", headers=owner.auth).json()["evidence_files"]
    assert [f["filename"] for f in files] == ["screenshot.png"]
