"""``weltoffen demo``: a living system to try — coordinators covering every federal state with every
expertise in German and English, a programme on-call rota, an official who can report, an organiser
with a published dialogue, a municipality with an open self-check round. Everything is created
through the same operations as the API; every password is fresh and random and printed once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from services.access import Principal
from services.accounts.operations import AccountCreate, create_account
from services.demo.municipalities import MUNICIPALITIES, STATES
from services.dialogues.organisers import DialogueCreate, create_dialogue, publish_dialogue
from services.incidents.coordinator_profiles import ProfileUpdate, set_profile
from services.incidents.on_call import BERLIN, RotaUpdate, TurnIn, set_rota
from services.selfchecks.rounds import open_round
from services.selfchecks.schemas import RoundCreate
from services.store.tables import Account, Role
from services.store.uow import Clock, UnitOfWork
from workflows.errors import Conflict

DOMAIN = "demo.example.org"
OPERATOR = Principal("demo", Role.ADMIN)
FIRST = ["Anna", "Jonas", "Leyla", "Mehmet", "Sophie", "Lukas", "Olena", "Tobias", "Mariam", "Felix", "Ines"]
LAST = ["Becker", "Yilmaz", "Schulz", "Nowak", "Hoffmann", "Haddad", "Wagner", "Kovač", "Richter", "Braun"]
# Three coordinators per state: together they have every expertise, all speak German and English.
TEAM = (
    ("a", ["security", "legal", "takedown"], 8, False),
    ("b", ["psychosocial", "media", "legal"], 8, False),
    ("lead", ["security", "legal", "takedown", "psychosocial", "media"], 5, True),
)


@dataclass
class SignIn:
    role: str
    name: str
    email: str
    password: str
    note: str = ""


@dataclass
class Demo:
    sign_ins: list[SignIn] = field(default_factory=list)
    dialogue_id: str = ""
    round_id: str = ""
    rota_warnings: list[str] = field(default_factory=list)


class DemoLoadedAlready(Conflict):
    def __init__(self) -> None:
        super().__init__(f"the demo is loaded already (accounts @{DOMAIN} exist); sign in with them")


def demo_loaded(engine: Engine) -> bool:
    with UnitOfWork(engine) as uow:
        return (
            uow.session.exec(select(Account.id).where(Account.email == f"admin@{DOMAIN}")).first() is not None
        )


def load_demo(engine: Engine, clock: Clock) -> Demo:
    if demo_loaded(engine):
        raise DemoLoadedAlready()
    demo = Demo()
    _person(engine, clock, demo, Role.ADMIN, "Programmleitung", "admin")
    leads = _coordinators(engine, clock, demo)
    _rota(engine, clock, demo, [leads["11"], leads["03"]])
    _person(engine, clock, demo, Role.OFFICIAL, "Bürgermeisterin Hildesheim", "official", note="reports")
    _dialogue(engine, clock, demo)
    _self_check(engine, clock, demo)
    return demo


def _person(
    engine: Engine,
    clock: Clock,
    demo: Demo,
    role: Role,
    name: str,
    slug: str,
    note: str = "",
    **extra: str,
) -> Account:
    password = secrets.token_urlsafe(12)
    body = AccountCreate.model_validate(
        {"email": f"{slug}@{DOMAIN}", "display_name": name, "role": role, "password": password, **extra}
    )
    with UnitOfWork(engine, clock) as uow:
        account = create_account(uow, body)
    demo.sign_ins.append(SignIn(str(role), name, account.email, password, note))
    return account


def _coordinators(engine: Engine, clock: Clock, demo: Demo) -> dict[str, str]:
    """Three per state; each one's backup is the team lead, the lead's backup the first colleague."""
    leads: dict[str, str] = {}
    for number, (state, state_name) in enumerate(STATES.items()):
        ids: dict[str, str] = {}
        for offset, (slug, expertise, _capacity, lead) in enumerate(TEAM):
            name = f"{FIRST[(number + offset * 3) % len(FIRST)]} {LAST[(number * 2 + offset) % len(LAST)]}"
            role_note = "team lead" if lead else ", ".join(expertise)
            account = _person(
                engine,
                clock,
                demo,
                Role.COORDINATOR,
                name,
                f"koordination-{state}-{slug}",
                note=f"{state_name} ({state}): {role_note}",
                region=state,
            )
            ids[slug] = account.id
        for slug, expertise, capacity, lead in TEAM:
            backup = ids["a"] if lead else ids["lead"]
            profile = ProfileUpdate.model_validate(
                {
                    "expertise": expertise,
                    "languages": ["de", "en"],
                    "capacity": capacity,
                    "team_lead": lead,
                    "backup_id": backup,
                    "regions": ["11", "12"] if state == "11" else [state],  # Berlin helps Brandenburg
                }
            )
            with UnitOfWork(engine, clock) as uow:
                set_profile(uow, OPERATOR, ids[slug], profile)
        leads[state] = ids["lead"]
    return leads


def _rota(engine: Engine, clock: Clock, demo: Demo, on_call: list[str]) -> None:
    """Two weeks of twelve-hour turns, handed over at 08:00 and 20:00 Berlin time."""
    now = clock().astimezone(BERLIN)
    today = now.replace(minute=0, second=0, microsecond=0)
    if now.hour < 8:  # the last hand-over was yesterday evening
        start = (today - timedelta(days=1)).replace(hour=20)
    else:
        start = today.replace(hour=8 if now.hour < 20 else 20)
    turns = [
        TurnIn(
            account_id=on_call[i % 2],
            starts_at=_berlin_wall(start, 12 * i),
            ends_at=_berlin_wall(start, 12 * (i + 1)),
        )
        for i in range(28)
    ]
    with UnitOfWork(engine, clock) as uow:
        demo.rota_warnings = set_rota(uow, OPERATOR, RotaUpdate(turns=turns)).warnings


def _berlin_wall(start: datetime, hours: int) -> datetime:
    """``hours`` later on the wall clock in Berlin (a hand-over stays at 08:00 across a DST change)."""
    naive = start.replace(tzinfo=None) + timedelta(hours=hours)
    return naive.replace(tzinfo=BERLIN)


def _dialogue(engine: Engine, clock: Clock, demo: Demo) -> None:
    organiser = _person(engine, clock, demo, Role.ORGANISER, "Stadt Hildesheim, Bürgerdialog", "organiser")
    day = (clock().astimezone(BERLIN) + timedelta(days=10)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    body = DialogueCreate.model_validate(
        {
            "municipality_ags": "03254021",
            "title": "Zusammenleben in der Nordstadt: Bürgerdialog",
            "description": "Wie wollen wir in der Nordstadt zusammenleben? Ein Abend für alle Stimmen.",
            "format": "citizen_dialogue",
            "starts_at": day,
            "ends_at": day + timedelta(hours=2, minutes=30),
            "venue": "Rathaus Hildesheim, Markt 1, 31134 Hildesheim",
            "accessibility": ["step_free", "hearing_loop"],
            "capacity": 40,
            "registration_opens_at": clock() - timedelta(hours=1),
            "registration_closes_at": day - timedelta(days=1),
            "languages": ["de", "en"],
        }
    )
    principal = Principal.of(organiser)
    with UnitOfWork(engine, clock) as uow:
        dialogue = create_dialogue(uow, principal, body)
        uow.commit()
        publish_dialogue(uow, principal, dialogue.id)
        uow.commit()
        demo.dialogue_id = dialogue.id


def _self_check(engine: Engine, clock: Clock, demo: Demo) -> None:
    ags = "03254021"
    account = _person(
        engine, clock, demo, Role.MUNICIPALITY, MUNICIPALITIES[ags], "municipality", municipality_ags=ags
    )
    with UnitOfWork(engine, clock) as uow:
        found = open_round(uow, Principal.of(account), RoundCreate(population=101_000))
        uow.commit()
        demo.round_id = found.id
