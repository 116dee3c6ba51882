"""Accounts for tests: officials, coordinators with routing profiles, admins — and their tokens."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlmodel import Session

from services.accounts.operations import AccountCreate, new_account
from services.bootstrap import Container
from services.incidents.tables import CoordinatorProfile
from services.store.tables import Role

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    id: str
    email: str
    role: Role
    token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def person(
    container: Container,
    role: Role,
    *,
    region: str | None = None,
    municipality_ags: str | None = None,
    expertise: str = "",
    capacity: int = 10,
    team_lead: bool = False,
    on_call: bool = False,
    on_duty: bool = True,
    client: TestClient | None = None,
    name: str | None = None,
) -> Person:
    slug = re.sub(r"[^a-z0-9]+", "-", (name or str(role)).lower()).strip("-")
    email = f"{slug}-{uuid.uuid4().hex[:8]}@example.org"
    if role is Role.COORDINATOR and region is None:
        region = "03"
    body = AccountCreate(
        email=email,
        display_name=name or str(role),
        role=role,
        password=PASSWORD,
        region=region,
        municipality_ags=municipality_ags,
    )
    with Session(container.engine, expire_on_commit=False) as session:
        account = new_account(body, container.clock())
        session.add(account)
        session.flush()
        if role is Role.COORDINATOR:
            session.add(
                CoordinatorProfile(
                    account_id=account.id,
                    expertise=expertise,
                    capacity=capacity,
                    team_lead=team_lead,
                    programme_on_call=on_call,
                    on_duty=on_duty,
                    languages="de,en",
                )
            )
        session.commit()
    found = Person(account.id, email, role)
    if client is not None:
        answer = client.post("/auth/token", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        found.token = answer.json()["access_token"]
    return found


def sign_in(client: TestClient, someone: Person) -> Person:
    """A fresh token (tests that move the clock by hours outlive the old one)."""
    answer = client.post("/auth/token", json={"email": someone.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    someone.token = answer.json()["access_token"]
    return someone
