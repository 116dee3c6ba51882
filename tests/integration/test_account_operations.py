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
