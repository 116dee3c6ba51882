"""A self-check round driven through its operations, without HTTP: the functions the API calls.
Failures are named domain errors; answers that do not fit are named per question. Both databases."""

from __future__ import annotations

import random

import pytest

from services.access import Principal
from services.bootstrap import Container, bootstrap
from services.selfchecks import rounds
from services.selfchecks.schemas import RoundCreate
from services.store.tables import Role
from tests.integration.test_selfchecks import answers
from tests.support.operations import act
from tests.support.people import person
from tests.support.pipeline import pipeline_settings
from workflows.errors import NotFound
from workflows.selfchecks.round_rules import (
    FieldErrors,
    NoRespondents,
    NotRoundOwner,
    RespondentNotFound,
    RoundAlreadySubmitted,
    RoundStatus,
)

pytestmark = pytest.mark.integration


def municipality(container: Container) -> Principal:
    ags = f"{random.choice([1, 2, 4, 6, 7, 8]):02d}{random.randint(0, 999999):06d}"
    found = person(container, Role.MUNICIPALITY, municipality_ags=ags)
    return Principal(found.id, Role.MUNICIPALITY, municipality_ags=ags)


def test_a_round_from_opening_to_submission_through_its_operations(private_database_url: str) -> None:
    # A database of its own: a submitted round on the shared one would count as a peer elsewhere.
    container = bootstrap(pipeline_settings(private_database_url))
    town, other_town = municipality(container), municipality(container)
    coordinator = Principal(
        person(container, Role.COORDINATOR, region="09").id, Role.COORDINATOR, region="09"
    )
    secret = container.settings.secret_key.get_secret_value()
    opened = act(container, lambda uow: rounds.open_round(uow, town, RoundCreate(population=12000)))
    assert opened.status == RoundStatus.OPEN

    with pytest.raises(NotFound):  # another town cannot even learn that the round exists
        act(container, lambda uow: rounds.add_respondent(uow, other_town, opened.id, "Bürgeramt"))
    with pytest.raises(NoRespondents):
        act(container, lambda uow: rounds.submit(uow, town, opened.id))
    respondent = act(container, lambda uow: rounds.add_respondent(uow, town, opened.id, "Bürgeramt"))
    token = rounds.answer_token(secret, respondent.id)
    with pytest.raises(RespondentNotFound):
        act(container, lambda uow: rounds.save_answers(uow, secret, respondent.id, "guessed", {}))

    with pytest.raises(FieldErrors) as wrong:
        act(container, lambda uow: rounds.save_answers(uow, secret, respondent.id, token, {"nope": 1}))
    assert wrong.value.detail == [
        {
            "loc": ["body", "answers", "nope"],
            "msg": "no such question in this questionnaire",
            "type": "value_error",
        }
    ]
    with pytest.raises(FieldErrors):  # nothing answered yet
        act(container, lambda uow: rounds.submit(uow, town, opened.id))
    saved = act(container, lambda uow: rounds.save_answers(uow, secret, respondent.id, token, answers(3)))
    assert saved.answered == saved.of > 0
    with pytest.raises(FieldErrors) as unstated:  # everything answered, but not from where
        act(container, lambda uow: rounds.submit(uow, town, opened.id))
    assert [e["loc"] for e in unstated.value.detail] == [["respondents", "Bürgeramt", "perspective"]]
    with pytest.raises(FieldErrors) as unknown:
        act(container, lambda uow: rounds.save_answers(uow, secret, respondent.id, token, {}, "mayor"))
    assert unknown.value.detail[0]["loc"] == ["body", "perspective"]
    act(container, lambda uow: rounds.save_answers(uow, secret, respondent.id, token, {}, "department"))

    submitted = act(container, lambda uow: rounds.submit(uow, town, opened.id))
    assert submitted.status == RoundStatus.SUBMITTED
    with pytest.raises(RoundAlreadySubmitted):
        act(container, lambda uow: rounds.submit(uow, town, opened.id))
    with pytest.raises(RoundAlreadySubmitted):
        act(container, lambda uow: rounds.save_answers(uow, secret, respondent.id, token, answers(1)))
    with pytest.raises(NotFound):  # a coordinator of another region does not see it
        act(container, lambda uow: rounds.load_round(uow.session, coordinator, opened.id))
    with pytest.raises(NotRoundOwner):  # an admin could; a coordinator of the region may read, not act
        region = Principal("coord-x", Role.COORDINATOR, region=town.municipality_ags[:2])
        act(container, lambda uow: rounds.submit(uow, region, opened.id))
