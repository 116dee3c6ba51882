"""The programme on-call rota: admins set who is on call when (hand-overs in Europe/Berlin); routing
and the paging of unrouted cases ask who is on call now. Without a turn at a moment, the
coordinators whose profile says programme on-call are."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, delete, select

from events.ids import new_id
from services.access import Principal, require_role
from services.incidents.tables import CoordinatorProfile, OnCallTurn
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.errors import Invalid
from workflows.incidents.rota import Turn, gaps, on_call_at

BERLIN = ZoneInfo("Europe/Berlin")


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _order(self) -> TurnIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("a turn ends after it starts")
        if self.ends_at - self.starts_at > timedelta(days=31):
            raise ValueError("a turn lasts at most 31 days")
        return self


class RotaUpdate(BaseModel):
    """The turns of a stretch of time; they replace every turn that starts inside that stretch."""

    model_config = ConfigDict(extra="forbid")
    turns: list[TurnIn] = Field(min_length=1, max_length=500)


class TurnOut(BaseModel):
    account_id: str
    display_name: str
    starts_at: datetime  # Europe/Berlin
    ends_at: datetime


class Rota(BaseModel):
    turns: list[TurnOut]
    gaps: list[tuple[datetime, datetime]] = Field(description="nobody on call (Europe/Berlin)")
    warnings: list[str]
    on_call_now: list[str]


class NotOnCallMaterial(Invalid):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"{account_id}: not an active coordinator with a profile; add a profile first")


def set_rota(uow: UnitOfWork, principal: Principal, body: RotaUpdate) -> Rota:
    require_role(principal, Role.ADMIN)
    for turn in body.turns:
        account = uow.session.get(Account, turn.account_id)
        if (
            account is None
            or not account.is_active
            or uow.session.get(CoordinatorProfile, turn.account_id) is None
        ):
            raise NotOnCallMaterial(turn.account_id)
    start = min(t.starts_at for t in body.turns)
    end = max(t.ends_at for t in body.turns)
    uow.session.exec(
        delete(OnCallTurn).where(col(OnCallTurn.starts_at) >= start, col(OnCallTurn.starts_at) < end)
    )
    for turn in body.turns:
        uow.session.add(
            OnCallTurn(
                id=new_id(),
                account_id=turn.account_id,
                starts_at=turn.starts_at,
                ends_at=turn.ends_at,
            )
        )
    uow.commit()
    return rota(uow.session, principal, start, end, uow.clock())


def turns_between(session: Session, start: datetime, end: datetime) -> list[Turn]:
    rows = session.exec(
        select(OnCallTurn).where(col(OnCallTurn.ends_at) > start, col(OnCallTurn.starts_at) < end)
    ).all()
    return [Turn(r.account_id, r.starts_at, r.ends_at) for r in rows]


def rota(session: Session, principal: Principal, start: datetime, end: datetime, now: datetime) -> Rota:
    """The turns between two moments, the gaps among them, and who is on call now."""
    require_role(principal, Role.ADMIN)
    turns = sorted(turns_between(session, start, end), key=lambda t: t.starts_at)
    names = dict(
        session.exec(
            select(Account.id, Account.display_name).where(col(Account.id).in_({t.account_id for t in turns}))
        ).all()
    )
    holes = gaps(turns, start, end)
    warnings = [
        f"nobody on call from {_berlin(a)} to {_berlin(b)} (the profiles marked programme on-call step in)"
        for a, b in holes
    ]
    return Rota(
        turns=[
            TurnOut(
                account_id=t.account_id,
                display_name=names.get(t.account_id, "?"),
                starts_at=t.starts_at.astimezone(BERLIN),
                ends_at=t.ends_at.astimezone(BERLIN),
            )
            for t in turns
        ],
        gaps=[(a.astimezone(BERLIN), b.astimezone(BERLIN)) for a, b in holes],
        warnings=warnings,
        on_call_now=on_call_now(session, now),
    )


def _berlin(moment: datetime) -> str:
    return f"{moment.astimezone(BERLIN):%a %d.%m. %H:%M}"


def on_call_now(session: Session, now: datetime) -> list[str]:
    """Who is on call at this moment: the rota's turn, else the profiles marked programme on-call."""
    by_rota = on_call_at(turns_between(session, now - timedelta(days=32), now + timedelta(seconds=1)), now)
    if by_rota:
        return by_rota
    flagged = session.exec(
        select(CoordinatorProfile.account_id)
        .join(Account, col(Account.id) == col(CoordinatorProfile.account_id))
        .where(col(CoordinatorProfile.programme_on_call), col(Account.is_active))
        .order_by(col(CoordinatorProfile.account_id))
    ).all()
    return list(flagged)


def rotation(people: list[str], first: datetime, hours: int, count: int) -> RotaUpdate:
    """``count`` turns of ``hours``, the people (account ids) taking turns in order from ``first``
    (Berlin time). A hand-over keeps its time on the wall clock across a change to or from summer
    time."""

    def wall(n: int) -> datetime:
        return (first.astimezone(BERLIN).replace(tzinfo=None) + timedelta(hours=hours * n)).replace(
            tzinfo=BERLIN
        )

    return RotaUpdate(
        turns=[
            TurnIn(account_id=people[n % len(people)], starts_at=wall(n), ends_at=wall(n + 1))
            for n in range(count)
        ]
    )
