from __future__ import annotations

import pytest

from services.access import Principal, Scope, can_access, require_access, require_role
from services.api.errors import status_of
from services.store.tables import Role
from workflows.errors import Forbidden, NotFound

OFFICIAL = Principal("official-1", Role.OFFICIAL)
OTHER_OFFICIAL = Principal("official-2", Role.OFFICIAL)
COORDINATOR_LOWER_SAXONY = Principal("coord-1", Role.COORDINATOR, region="03")
COORDINATOR_BAVARIA = Principal("coord-2", Role.COORDINATOR, region="09")
ORGANISER = Principal("org-1", Role.ORGANISER)
OTHER_ORGANISER = Principal("org-2", Role.ORGANISER)
MUNICIPALITY = Principal("muni-1", Role.MUNICIPALITY, municipality_ags="03241001")
OTHER_MUNICIPALITY = Principal("muni-2", Role.MUNICIPALITY, municipality_ags="09162000")
ADMIN = Principal("admin-1", Role.ADMIN)

CASE = Scope(owner_id="official-1", assignee_id="coord-9", region_ags="03241001")
DIALOGUE = Scope(organiser_id="org-1", municipality_ags="03241001")
SELF_CHECK = Scope(municipality_ags="03241001", region_ags="03241001")

ALLOWED = {
    # The official's own municipality does not see the official's case.
    "case": {OFFICIAL, COORDINATOR_LOWER_SAXONY, ADMIN},
    "dialogue": {ORGANISER, ADMIN, MUNICIPALITY},
    "self_check": {COORDINATOR_LOWER_SAXONY, ADMIN, MUNICIPALITY},
}
EVERYONE = [
    OFFICIAL,
    OTHER_OFFICIAL,
    COORDINATOR_LOWER_SAXONY,
    COORDINATOR_BAVARIA,
    ORGANISER,
    OTHER_ORGANISER,
    MUNICIPALITY,
    OTHER_MUNICIPALITY,
    ADMIN,
]


@pytest.mark.parametrize("principal", EVERYONE, ids=lambda p: f"{p.role}:{p.account_id}")
@pytest.mark.parametrize(
    ("kind", "scope"), [("case", CASE), ("dialogue", DIALOGUE), ("self_check", SELF_CHECK)]
)
def test_every_role_on_every_kind_of_object(principal: Principal, kind: str, scope: Scope) -> None:
    assert can_access(principal, scope) is (principal in ALLOWED[kind])


def test_the_assignee_sees_a_case_outside_their_region() -> None:
    assert can_access(Principal("coord-9", Role.COORDINATOR, region="09"), CASE)


def test_a_coordinator_without_region_sees_no_regional_queue() -> None:
    assert not can_access(Principal("coord-3", Role.COORDINATOR, region=None), SELF_CHECK)


def test_denial_is_a_404_that_does_not_reveal_the_object() -> None:
    with pytest.raises(NotFound) as caught:
        require_access(OTHER_OFFICIAL, CASE, "case")
    assert status_of(caught.value) == 404
    assert str(caught.value) == "case not found"


def test_role_check_is_a_403() -> None:
    with pytest.raises(Forbidden) as caught:
        require_role(OFFICIAL, Role.ADMIN)
    assert status_of(caught.value) == 403
    require_role(ADMIN, Role.ADMIN)
