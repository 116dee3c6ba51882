"""Municipality keys (AGS) and districts of one test alone.

The tests of a run share one PostgreSQL database, and a coordinator covers every municipality whose
key starts with one of their regions. A test's district (two digits of a state, three of a
district) is therefore never handed out twice in a run. A test that routes cases by a full key
takes it from states that no test uses for districts or fixed regions (03, 05, 08 and 09 are
fixed in some tests), with a district of its own, so another test's team lead (who covers the
first five digits) cannot cover it either. A coordinator of a whole state covers every district of
it: on the shared database, a test takes a district of the states used with ``own_district`` (7, 12
to 16) rather than the state itself (one with the state 16 took emergencies of other tests' districts).
"""

from __future__ import annotations

import itertools
import random

ROUTING_STATES = (1, 2, 4, 6, 10, 11)  # for own_ags; own_district is for the others
_drawn = itertools.count(random.randrange(1000))
_districts: dict[int, itertools.count[int]] = {}


def own_district(state: int) -> str:
    """A district of ``state`` (five digits) that no other test of this run has."""
    counter = _districts.setdefault(state, itertools.count(random.randrange(1000)))
    return f"{state:02d}{next(counter) % 1000:03d}"


def own_ags() -> str:
    """A municipality (eight digits) in a district that no other test of this run has."""
    number = next(_drawn)
    state = ROUTING_STATES[(number // 1000) % len(ROUTING_STATES)]
    return f"{own_district(state)}{random.randint(0, 999):03d}"
