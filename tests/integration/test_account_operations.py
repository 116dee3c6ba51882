"""Creating accounts through the operation the API, the CLI and the benchmarks share. Both databases."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

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


def test_the_first_account_of_a_fresh_install_from_any_folder(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.support.pipeline import ROOT

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    env |= {"PYTHONPATH": str(ROOT), "WELTOFFEN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    env["WELTOFFEN_NEW_PASSWORD"] = PASSWORD
    args = [sys.executable, "-m", "services.cli", "accounts", "create", "--email", "first@example.org"]
    args += ["--role", "admin", "--name", "First"]
    first = subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "data" / "weltoffen.db").is_file()  # migrated on first use, in the data folder
    assert not (elsewhere / "var").exists()  # not in whatever folder the command ran from
    again = subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    lines = (again.stdout + again.stderr).strip().splitlines()
    assert again.returncode == 1 and len(lines) == 1 and "exists already" in lines[0]
