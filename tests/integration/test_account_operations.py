"""Creating accounts through the operation the API, the CLI and the benchmarks share. Both databases."""

from __future__ import annotations

import uuid

import pytest

from services.accounts.credentials import verify_password
from services.accounts.operations import AccountCreate, AccountExists, create_account
from services.bootstrap import Container
from services.store.tables import Role

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery staple"


def test_an_account_is_created_once_per_address_whatever_its_case(container: Container) -> None:
    email = f"Koordination-{uuid.uuid4().hex[:6]}@Example.org"
    body = AccountCreate(
        email=email, display_name="Nord", role=Role.COORDINATOR, password=PASSWORD, region="03"
    )
    with container.uow() as uow:
        account = create_account(uow, body)
    assert account.email == email.lower() and account.region == "03"
    assert verify_password(account, PASSWORD) and not verify_password(account, PASSWORD + "!")
    again = body.model_copy(update={"email": email.upper()})
    with container.uow() as uow, pytest.raises(AccountExists, match="exists already"):
        create_account(uow, again)


def test_role_specific_fields_are_required() -> None:
    with pytest.raises(ValueError, match="needs a region"):
        AccountCreate(email="c@example.org", display_name="C", role=Role.COORDINATOR, password=PASSWORD)
    with pytest.raises(ValueError, match="needs municipality_ags"):
        AccountCreate(email="m@example.org", display_name="M", role=Role.MUNICIPALITY, password=PASSWORD)


def test_the_cli_creates_an_account_once_and_names_the_problem_the_second_time(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from services.cli import app

    monkeypatch.setenv("WELTOFFEN_DATABASE_URL", database_url)
    monkeypatch.setenv("WELTOFFEN_NEW_PASSWORD", PASSWORD)
    email = f"admin-{uuid.uuid4().hex[:6]}@example.org"
    args = ["accounts", "create", "--email", email, "--role", "admin", "--name", "Admin"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "created admin account" in first.output and email in first.output
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 1
    assert "exists already" in second.output


def test_sign_in_counts_wrong_passwords_per_client_and_signs_out_everywhere(container: Container) -> None:
    from datetime import timedelta

    from services.access import Principal
    from services.accounts.credentials import account_for_token
    from services.accounts.signing_in import SignInFailed, SignInThrottled, sign_in, sign_out

    email = f"mayor-{uuid.uuid4().hex[:6]}@example.org"
    body = AccountCreate(email=email, display_name="Mayor", role=Role.OFFICIAL, password=PASSWORD)
    with container.uow() as uow:
        account = create_account(uow, body)
    secret, ttl, here, there = "test-secret", timedelta(hours=1), "203.0.113.1", "203.0.113.2"
    with container.uow() as uow:
        first = sign_in(uow, email.upper(), PASSWORD, secret, ttl, here)
        second = sign_in(uow, email, PASSWORD, secret, ttl, there)
    for _ in range(4):
        with container.uow() as uow, pytest.raises(SignInFailed):
            sign_in(uow, email, "wrong password!", secret, ttl, here)
    with container.uow() as uow:
        sign_in(uow, email, PASSWORD, secret, ttl, here)  # a success clears the count
    for _ in range(5):
        with container.uow() as uow, pytest.raises(SignInFailed):
            sign_in(uow, email, "wrong password!", secret, ttl, here)
    with container.uow() as uow, pytest.raises(SignInThrottled) as throttled:
        sign_in(uow, email, PASSWORD, secret, ttl, here)
    assert 14 * 60 < throttled.value.retry_after <= 15 * 60 + 1
    with container.uow() as uow:
        sign_in(uow, email, PASSWORD, secret, ttl, there)  # the owner elsewhere is not locked out

    with container.uow() as uow:
        assert account_for_token(uow.session, secret, first.token, container.clock()) is not None
        sign_out(uow, Principal.of(account))
    with container.uow() as uow:
        for signed_in in (first, second):
            assert account_for_token(uow.session, secret, signed_in.token, container.clock()) is None
