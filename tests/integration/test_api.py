"""The HTTP API base: health, sign-in, roles and per-object access, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services.accounts.operations import AccountCreate, new_account
from services.api.app import create_app
from services.bootstrap import bootstrap
from services.store.tables import Role
from services.store.uow import utc_now
from tests.support.api import api_client
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery staple"


def make_account(client: TestClient, role: Role, **extra: str) -> tuple[str, str]:
    """Create an account straight in the database; returns (id, bearer token)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    body = AccountCreate(email=email, display_name=f"Test {role}", role=role, password=PASSWORD, **extra)  # type: ignore[arg-type]
    container = client.app.state.container  # type: ignore[attr-defined]
    with Session(container.engine, expire_on_commit=False) as session:
        account = new_account(body, utc_now())
        session.add(account)
        session.commit()
    response = client.post("/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return account.id, response.json()["access_token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    container = bootstrap(pipeline_settings(database_url))
    with api_client(create_app(container)) as test_client:
        yield test_client


def test_health_and_readiness_in_embedded_mode(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


@pytest.mark.parametrize("broker", ["real", "missing"])
def test_readiness_checks_the_configured_broker(broker: str, kafka_bootstrap: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sqlite_url

    bootstrap_servers = kafka_bootstrap if broker == "real" else "127.0.0.1:1"
    container = bootstrap(pipeline_settings(sqlite_url(tmp_path), bootstrap_servers))
    with api_client(create_app(container)) as test_client:
        response = test_client.get("/readyz")
    if broker == "real":
        assert response.status_code == 200 and response.json()["checks"]["broker"] == "ok"
    else:
        assert response.status_code == 503 and response.json()["checks"]["broker"] == "unreachable"


def test_sign_in_and_me(client: TestClient) -> None:
    account_id, token = make_account(client, Role.OFFICIAL)
    me = client.get("/me", headers=auth(token))
    assert me.status_code == 200
    assert me.json()["id"] == account_id and me.json()["role"] == "official"
    assert "password_hash" not in me.json()


def test_missing_wrong_and_revoked_tokens_are_refused(client: TestClient) -> None:
    assert client.get("/me").status_code == 401
    assert "Bearer" in client.get("/me").json()["detail"]
    assert client.get("/me", headers=auth("forged")).status_code == 401
    _, token = make_account(client, Role.ORGANISER)
    assert client.post("/auth/logout", headers=auth(token)).status_code == 204
    assert client.get("/me", headers=auth(token)).status_code == 401


def test_failed_sign_ins_block_the_client_not_the_owner_and_do_not_tell_who_has_an_account(
    client: TestClient,
) -> None:
    _, _ = make_account(client, Role.COORDINATOR, region="05")
    email = client.get("/me", headers=auth(_)).json()["email"]
    nobody = f"nobody-{uuid.uuid4().hex[:6]}@example.org"
    answers: dict[str, list[tuple[int, str, str | None]]] = {}
    for address in (email, nobody):
        answers[address] = []
        for _attempt in range(6):
            response = client.post("/auth/token", json={"email": address, "password": "wrong password!"})
            answers[address].append(
                (response.status_code, response.json()["detail"], response.headers.get("Retry-After"))
            )
    # a known and an unknown address are answered alike, the sixth time too, with Retry-After
    assert answers[email] == answers[nobody]
    assert [code for code, _, _ in answers[email]] == [401] * 5 + [429]
    assert answers[email][0][1] == "e-mail or password is wrong"
    assert 800 < int(answers[email][5][2] or 0) <= 900
    blocked = client.post("/auth/token", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429  # this client, this address: blocked even with the right password
    # the owner, on another device, is not locked out
    with api_client(client.app, client=("198.51.100.7", 50000)) as elsewhere:
        assert elsewhere.post("/auth/token", json={"email": email, "password": PASSWORD}).status_code == 200


def test_only_admins_create_accounts_and_input_is_validated(client: TestClient) -> None:
    _, admin = make_account(client, Role.ADMIN)
    _, official = make_account(client, Role.OFFICIAL)
    body = {
        "email": f"coord-{uuid.uuid4().hex[:6]}@example.org",
        "display_name": "Koordination Nord",
        "role": "coordinator",
        "password": PASSWORD,
        "region": "03",
    }
    assert client.post("/accounts", json=body, headers=auth(official)).status_code == 403
    created = client.post("/accounts", json=body, headers=auth(admin))
    assert created.status_code == 201 and created.json()["region"] == "03"
    assert client.post("/accounts", json=body, headers=auth(admin)).status_code == 409

    bad = client.post(
        "/accounts", json={**body, "email": "x@example.org", "region": None}, headers=auth(admin)
    )
    assert bad.status_code == 422
    assert "a coordinator account needs a region" in bad.text
    short = client.post(
        "/accounts", json={**body, "email": "y@example.org", "password": "short"}, headers=auth(admin)
    )
    assert short.status_code == 422 and "password" in short.text


@pytest.mark.parametrize("role", list(Role))
def test_every_role_on_someone_elses_account(client: TestClient, role: Role) -> None:
    extra = {"region": "03"} if role is Role.COORDINATOR else {}
    if role is Role.MUNICIPALITY:
        extra = {"municipality_ags": "03241001"}
    caller_id, token = make_account(client, role, **extra)
    other_id, _ = make_account(client, Role.OFFICIAL)
    own = client.get(f"/accounts/{caller_id}", headers=auth(token))
    other = client.get(f"/accounts/{other_id}", headers=auth(token))
    listing = client.get("/accounts", headers=auth(token))
    assert own.status_code == 200
    if role is Role.ADMIN:
        assert other.status_code == 200 and listing.status_code == 200
    else:
        assert other.status_code == 404 and listing.status_code == 403


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {"/healthz", "/readyz", "/auth/token", "/me", "/accounts", "/accounts/{account_id}"}
    assert {f"/api/v1{path}" for path in expected} <= set(paths)


def test_openapi_lists_the_error_answers_with_one_body_shape(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    acknowledge = document["paths"]["/api/v1/cases/{case_id}/acknowledge"]["post"]["responses"]
    assert {"401", "403", "404", "409", "503"} <= set(acknowledge)
    evidence = document["paths"]["/api/v1/cases/{case_id}/evidence"]["post"]["responses"]
    assert {"413", "415"} <= set(evidence)
    assert acknowledge["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }


def test_public_endpoints_are_rate_limited_per_client(database_url: str) -> None:
    container = bootstrap(
        pipeline_settings(database_url, sign_in_per_minute=3, anonymous_reports_per_minute=2)
    )
    with api_client(create_app(container)) as limited:
        email = f"x-{uuid.uuid4().hex[:6]}@example.org"
        answers = [limited.post("/auth/token", json={"email": email, "password": "y"}) for _ in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert (
            "try again in" in answers[-1].json()["detail"] and int(answers[-1].headers["Retry-After"]) <= 60
        )
        reports = [limited.post("/incidents/anonymous", json={}) for _ in range(3)]
        assert [r.status_code for r in reports] == [422, 422, 429]  # counted before validation, too
        guesses = [
            limited.get(f"/anonymous/cases/GUESS-{n}", headers={"X-Case-Secret": "s"}) for n in range(11)
        ]
        assert [g.status_code for g in guesses] == [404] * 10 + [429]  # codes cannot be guessed in bulk
        assert "Retry-After" in guesses[-1].headers


def test_the_window_slides() -> None:
    from services.api.limits import SlidingWindow

    now = [1000.0]
    window = SlidingWindow(clock=lambda: now[0])
    assert window.allow("b", "1.2.3.4", 2) is None and window.allow("b", "1.2.3.4", 2) is None
    assert window.allow("b", "1.2.3.4", 2) == 60.0
    assert window.allow("b", "5.6.7.8", 2) is None  # another client has its own window
    now[0] += 60.5
    assert window.allow("b", "1.2.3.4", 2) is None
