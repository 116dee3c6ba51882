"""A Matrix confirmation code cannot be guessed: the fifth wrong code voids it, and only a new code
confirms the ID. Through the API on both databases; the code is worked out as the bot's message
would carry it (the homeserver itself is tested in test_matrix_channel)."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services.bootstrap import Container
from services.notify.matrix_ids import MAX_WRONG_CODES, code_for
from services.notify.tables import NotificationPreference
from services.store.tables import Role
from tests.support.people import Person, person

pytestmark = pytest.mark.integration
CONFIRM = "/me/notification-preferences/matrix/confirm"


def code_sent(container: Container, who: Person) -> str:
    """What setting the ID does (the bot would now send this code to it): a new code."""
    matrix_id = f"@{uuid.uuid4().hex[:10]}:example.org"
    with container.uow() as uow:
        preference = uow.session.get(NotificationPreference, who.id) or NotificationPreference(
            account_id=who.id, updated_at=uow.clock()
        )
        preference.matrix_id, preference.matrix_confirmed_at = matrix_id, None
        preference.matrix_code_sent_at = uow.clock()
        preference.matrix_code_failures = 0
        uow.session.add(preference)
        uow.commit()
    with Session(container.engine) as session:  # as the bot reads it when it sends the code
        stored = session.get(NotificationPreference, who.id)
        assert stored is not None and stored.matrix_code_sent_at is not None
        sent_at = stored.matrix_code_sent_at
    return code_for(container.settings.secret_key.get_secret_value(), who.id, matrix_id, sent_at)


def wrong(code: str, n: int) -> str:
    return f"{(int(code) + n) % 1_000_000:06d}"


def confirm(client: TestClient, who: Person, code: str) -> tuple[int, str]:
    answer = client.post(CONFIRM, json={"code": code}, headers=who.auth)
    return answer.status_code, answer.text


def test_wrong_codes_below_the_limit_leave_the_code_usable(container: Container, client: TestClient) -> None:
    who = person(container, Role.COORDINATOR, client=client)
    code = code_sent(container, who)
    for n in range(1, MAX_WRONG_CODES):
        assert confirm(client, who, wrong(code, n))[0] == 422
    status, text = confirm(client, who, code)
    assert status == 200 and '"matrix_confirmed":true' in text


def test_the_fifth_wrong_code_voids_it_until_a_new_one_is_sent(
    container: Container, client: TestClient
) -> None:
    who = person(container, Role.COORDINATOR, client=client)
    code = code_sent(container, who)
    for n in range(1, MAX_WRONG_CODES + 1):
        status, text = confirm(client, who, wrong(code, n))
        assert status == 422 and "ask for a new one" in text
    assert confirm(client, who, code)[0] == 422  # right, but too late: guessing has no end otherwise

    fresh = code_sent(container, who)
    assert confirm(client, who, wrong(fresh, 1))[0] == 422  # the count starts again with a new code
    status, text = confirm(client, who, fresh)
    assert status == 200 and '"matrix_confirmed":true' in text
