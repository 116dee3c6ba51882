"""A fresh install routes once an admin has told routing about a coordinator, through the API only;
coordinators go on and off duty themselves."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.bootstrap import Container
from services.incidents.tables import Case
from services.store.tables import Role
from tests.integration.test_incidents import report
from tests.support.people import PASSWORD, Person, person, sign_in
from tests.support.places import own_district

pytestmark = pytest.mark.integration


def test_an_admin_sets_a_profile_and_the_next_report_is_routed_to_that_coordinator(
    container: Container, client: TestClient
) -> None:
    region = own_district(13)
    admin = person(container, Role.ADMIN, client=client)
    official = person(container, Role.OFFICIAL, client=client)
    email = f"koordination-{uuid.uuid4().hex[:6]}@example.org"
    account = {"email": email, "display_name": "Koordination Nord", "role": "coordinator"}
    account |= {"password": PASSWORD, "region": region}
    created = client.post("/accounts", json=account, headers=admin.auth)
    assert created.status_code == 201, created.text
    coordinator_id = created.json()["id"]

    # without a profile nobody is chosen: the case waits in the queue
    queued = report(client, official, f"{region}000", kind="threat")
    container.dispatcher().drain()
    with container.uow() as uow:
        case = uow.session.get(Case, queued["case_id"])
        assert case is not None and case.status == "queued"

    profile = {"expertise": ["security", "legal"], "languages": ["de", "en"], "capacity": 5}
    path = f"/coordinators/{coordinator_id}/profile"
    assert client.put(path, json=profile, headers=official.auth).status_code == 403
    bad = client.put(path, json={"expertise": ["magic"]}, headers=admin.auth)
    assert bad.status_code == 422
    not_one = client.put(f"/coordinators/{official.id}/profile", json=profile, headers=admin.auth)
    assert not_one.status_code == 422 and "not an active coordinator" in not_one.json()["detail"]
    saved = client.put(path, json=profile, headers=admin.auth)
    assert saved.status_code == 200, saved.text
    assert saved.json() | {"display_name": "-"} == {
        "account_id": coordinator_id,
        "display_name": "-",
        "region": region,
        "regions": [region],
        "expertise": ["security", "legal"],
        "languages": ["de", "en"],
        "capacity": 5,
        "on_duty": True,
        "team_lead": False,
        "backup_id": None,
        "programme_on_call": False,
        "shared_contact": None,
    }
    assert coordinator_id in [p["account_id"] for p in client.get("/coordinators", headers=admin.auth).json()]

    routed = report(client, official, f"{region}000", kind="threat")
    container.dispatcher().drain()
    with container.uow() as uow:
        case = uow.session.get(Case, routed["case_id"])
        assert case is not None and case.status == "assigned" and case.assignee_id == coordinator_id

    # off duty: the next case waits for someone on duty
    coordinator = sign_in(client, Person(coordinator_id, email, Role.COORDINATOR))
    assert client.put("/me/duty", json={"on_duty": True}, headers=official.auth).status_code == 403
    off = client.put("/me/duty", json={"on_duty": False, "open_cases": "keep"}, headers=coordinator.auth)
    assert off.status_code == 200 and off.json()["on_duty"] is False
    waiting = report(client, official, f"{region}000", kind="threat")
    container.dispatcher().drain()
    with container.uow() as uow:
        case = uow.session.get(Case, waiting["case_id"])
        assert case is not None and case.status == "queued"


def test_the_cli_adds_a_coordinator_with_a_profile_and_lists_it(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.support.pipeline import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    env |= {"PYTHONPATH": str(ROOT), "WELTOFFEN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    env["WELTOFFEN_NEW_PASSWORD"] = PASSWORD
    cli = [sys.executable, "-m", "services.cli", "coordinators"]
    add = [*cli, "add", "--email", "nord@example.org", "--name", "Nord", "--region", "03"]
    add += ["--expertise", "security,legal", "--languages", "de,en", "--capacity", "7"]
    added = subprocess.run(add, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    assert "covers 03: security, legal; de, en; capacity 7" in added.stdout + added.stderr
    listed = subprocess.run([*cli, "list"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "03\tNord\tsecurity,legal\tde,en\t7\ton duty" in listed.stdout
    wrong = [*cli, "add", "--email", "x@example.org", "--name", "X", "--region", "03", "--expertise", "magic"]
    refused = subprocess.run(wrong, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "expertise" in refused.stdout + refused.stderr


def test_the_cli_updates_a_coordinator_sets_the_rota_and_loads_the_demo_once(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.support.pipeline import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    env |= {"PYTHONPATH": str(ROOT), "WELTOFFEN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}

    def weltoffen(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "services.cli", *args]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    demo = weltoffen("demo")
    assert demo.returncode == 0, demo.stderr
    rows = [line.split("\t") for line in demo.stdout.splitlines()[1:]]
    assert len(rows) == 52 and all(len(r[3]) >= 12 for r in rows)  # every account with its password
    assert {r[0] for r in rows} == {"admin", "coordinator", "official", "organiser", "municipality"}
    assert "demo loaded: 52 accounts" in demo.stderr
    again = weltoffen("demo")
    assert again.returncode == 1 and "loaded already" in again.stderr

    lead = "koordination-11-lead@demo.example.org"
    updated = weltoffen("coordinators", "update", "--email", lead, "--capacity", "3", "--region", "11,12,13")
    assert updated.returncode == 0, updated.stderr
    assert f"{lead} covers 11,12,13:" in updated.stderr and "capacity 3" in updated.stderr
    listed = weltoffen("coordinators", "list")
    assert any(
        line.startswith("11,12,13\t") and line.endswith("team lead") for line in listed.stdout.splitlines()
    )
    wrong = weltoffen("coordinators", "update", "--email", lead, "--region", "19")
    assert wrong.returncode == 2 and "federal state" in wrong.stderr

    a, b = "koordination-05-lead@demo.example.org", "koordination-09-lead@demo.example.org"
    rota = weltoffen("oncall", "set", a, b, "--start", "2030-03-30 08:00", "--hours", "12", "--turns", "2")
    assert rota.returncode == 0, rota.stderr
    assert "2 turn(s) set" in rota.stderr and "warning" not in rota.stderr
    bad_start = weltoffen("oncall", "set", a, "--start", "tomorrow")
    assert bad_start.returncode == 2 and "YYYY-MM-DD HH:MM" in bad_start.stderr
    shown = weltoffen("oncall", "show", "--days", "2")
    assert shown.returncode == 0 and "on call now: 1 person(s)" in shown.stderr  # the demo's rota


def test_a_coordinator_keeps_their_own_shifts_and_routing_follows_them(
    container: Container, client: TestClient
) -> None:
    from datetime import timedelta

    region = own_district(15)
    coordinator = person(container, Role.COORDINATOR, region=region, expertise="security", client=client)
    official = person(container, Role.OFFICIAL, client=client)
    now = container.clock()

    def shift(start_h: float, end_h: float) -> dict[str, str]:
        return {
            "starts_at": (now + timedelta(hours=start_h)).isoformat(),
            "ends_at": (now + timedelta(hours=end_h)).isoformat(),
        }

    def routed() -> bool:
        case_id = report(client, official, f"{region}000", kind="threat")["case_id"]
        container.dispatcher().drain()
        with container.uow() as uow:
            case = uow.session.get(Case, case_id)
            assert case is not None
            return case.assignee_id == coordinator.id

    later = client.put("/me/shifts", json={"shifts": [shift(2, 10)]}, headers=coordinator.auth)
    assert later.status_code == 200 and len(later.json()["shifts"]) == 1
    assert not routed()  # with shifts, only during one
    backwards = client.put("/me/shifts", json={"shifts": [shift(3, 1)]}, headers=coordinator.auth)
    assert backwards.status_code == 422 and "ends after it starts" in backwards.text
    assert (
        client.put("/me/shifts", json={"shifts": [shift(-1, 1)]}, headers=coordinator.auth).status_code == 200
    )
    assert client.get("/me/shifts", headers=coordinator.auth).json()["shifts"][0]["starts_at"]
    assert routed()
    assert client.put("/me/shifts", json={"shifts": []}, headers=coordinator.auth).json() == {"shifts": []}
    assert routed()  # no shifts: the on/off switch alone decides
    assert client.put("/me/shifts", json={"shifts": []}, headers=official.auth).status_code == 403
