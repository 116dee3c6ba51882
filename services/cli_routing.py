"""``weltoffen coordinators add|update|list``, ``weltoffen oncall set|show`` and ``weltoffen demo``:
routing set up from a terminal, on the same operations as the API."""

from __future__ import annotations

import getpass
import os
from datetime import datetime, timedelta
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.cli_support import OPERATOR, console, invalid, load_settings

coordinators_app = typer.Typer(help="Coordinators and what routing knows about them.", no_args_is_help=True)
oncall_app = typer.Typer(help="The programme on-call rota (Europe/Berlin).", no_args_is_help=True)


def _engine() -> Engine:
    from services.crypto import FieldCipher
    from services.store.engine import make_engine
    from services.store.migrate import upgrade
    from services.store.types import use_field_cipher

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)  # a fresh install: the tables may not exist yet
    use_field_cipher(FieldCipher(settings.field_keys()))  # profiles hold an encrypted contact route
    return engine


def _split(values: str) -> list[str]:
    return [v.strip() for v in values.split(",") if v.strip()]


def _account_id(session: Session, email: str) -> str:
    from services.store.tables import Account

    found = session.exec(select(Account.id).where(Account.email == email.lower())).first()
    if found is None:
        console.print(f"[red]{email}[/red]: no such account", soft_wrap=True)
        raise typer.Exit(1)
    return found


@coordinators_app.command("add")
def coordinators_add(
    email: str = typer.Option(...),
    name: str = typer.Option(..., help="display name"),
    region: str = typer.Option(..., help="AGS prefixes covered, comma-separated, e.g. 05 or 11,12"),
    expertise: str = typer.Option(
        ..., help="comma-separated: legal, psychosocial, security, takedown, media"
    ),
    languages: str = typer.Option("de", help="comma-separated, e.g. de,en"),
    capacity: int = typer.Option(10, help="open cases at most"),
    team_lead: bool = typer.Option(False),
    on_call: bool = typer.Option(False, help="programme on-call when the rota names nobody"),
) -> None:
    """Create a coordinator account with its routing profile. The password is asked for."""
    from services.accounts.operations import AccountCreate, AccountExists, create_account
    from services.incidents.coordinator_profiles import ProfileUpdate, set_profile
    from services.store.tables import Role
    from services.store.uow import UnitOfWork

    password = os.environ.get("WELTOFFEN_NEW_PASSWORD") or getpass.getpass("password (12+ characters): ")
    regions = _split(region)
    if not regions:
        console.print("[red]--region[/red]: at least one AGS prefix, e.g. 05", soft_wrap=True)
        raise typer.Exit(2)
    try:
        account_body = AccountCreate(
            email=email, display_name=name, role=Role.COORDINATOR, password=password, region=regions[0]
        )
        profile_body = ProfileUpdate.model_validate(
            {
                "expertise": _split(expertise),
                "languages": _split(languages),
                "capacity": capacity,
                "regions": regions,
                "team_lead": team_lead,
                "programme_on_call": on_call,
            }
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    engine = _engine()
    with UnitOfWork(engine) as uow:
        try:
            account = create_account(uow, account_body)
        except AccountExists as exc:
            console.print(f"[red]{email}[/red]: {exc}", soft_wrap=True)
            raise typer.Exit(1) from None
    with UnitOfWork(engine) as uow:
        profile = set_profile(uow, OPERATOR, account.id, profile_body)
    console.print(
        f"coordinator {account.email} ({account.id}) covers {','.join(profile.regions)}: "
        f"{', '.join(profile.expertise)}; {', '.join(profile.languages)}; capacity {profile.capacity}",
        soft_wrap=True,
    )


@coordinators_app.command("update")
def coordinators_update(
    email: str = typer.Option(..., help="the coordinator's sign-in address"),
    region: str | None = typer.Option(None, help="AGS prefixes covered, comma-separated"),
    expertise: str | None = typer.Option(None),
    languages: str | None = typer.Option(None),
    capacity: int | None = typer.Option(None),
    team_lead: bool | None = typer.Option(None, "--team-lead/--no-team-lead"),
    on_call: bool | None = typer.Option(None, "--on-call/--no-on-call"),
    backup: str | None = typer.Option(None, help="the backup's sign-in address ('' for none)"),
) -> None:
    """Change what routing knows about a coordinator; what is not given stays."""
    from services.incidents.coordinator_profiles import ProfileUpdate, all_profiles, set_profile
    from services.store.uow import UnitOfWork
    from workflows.errors import DomainError

    engine = _engine()
    with Session(engine) as session:
        account_id = _account_id(session, email)
        backup_id = _account_id(session, backup) if backup else None if backup == "" else "keep"
        current = next((p for p in all_profiles(session, OPERATOR) if p.account_id == account_id), None)
    if current is None:
        console.print(f"[red]{email}[/red]: no profile yet; use 'coordinators add'", soft_wrap=True)
        raise typer.Exit(1)
    values = current.model_dump(include={"expertise", "languages", "capacity", "regions", "team_lead"})
    values |= {"programme_on_call": current.programme_on_call, "backup_id": current.backup_id}
    changes = {
        "regions": _split(region) if region is not None else None,
        "expertise": _split(expertise) if expertise is not None else None,
        "languages": _split(languages) if languages is not None else None,
        "capacity": capacity,
        "team_lead": team_lead,
        "programme_on_call": on_call,
        "backup_id": None if backup_id == "keep" else backup_id,
    }
    values |= {k: v for k, v in changes.items() if v is not None or (k == "backup_id" and backup == "")}
    try:
        body = ProfileUpdate.model_validate(values)
        with UnitOfWork(engine) as uow:
            profile = set_profile(uow, OPERATOR, account_id, body)
    except ValidationError as exc:
        raise invalid(exc) from None
    except DomainError as exc:
        console.print(f"[red]{email}[/red]: {exc}", soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(
        f"{email} covers {','.join(profile.regions)}: {', '.join(profile.expertise)}; "
        f"{', '.join(profile.languages)}; capacity {profile.capacity}",
        soft_wrap=True,
    )


@coordinators_app.command("list")
def coordinators_list() -> None:
    """Every coordinator routing can choose from, by region."""
    from services.incidents.coordinator_profiles import all_profiles

    with Session(_engine()) as session:
        rows = all_profiles(session, OPERATOR)
    for p in rows:
        duty = "on duty" if p.on_duty else "off duty"
        lead = "\tteam lead" if p.team_lead else ""
        print(
            f"{','.join(p.regions)}\t{p.display_name}\t{','.join(p.expertise)}\t{','.join(p.languages)}"
            f"\t{p.capacity}\t{duty}{lead}"
        )
    console.print(
        f"{len(rows)} coordinator(s)" if rows else "no coordinators yet: weltoffen coordinators add …"
    )


@oncall_app.command("set")
def oncall_set(
    people: Annotated[list[str], typer.Argument(help="sign-in addresses, taking turns in this order")],
    start: str = typer.Option(..., help="first hand-over, Berlin time: 'YYYY-MM-DD HH:MM'"),
    hours: int = typer.Option(12, help="length of one turn"),
    turns: int = typer.Option(14, help="how many turns"),
) -> None:
    """Set the rota: turns of HOURS from START, the people taking turns; replaces what started then."""
    from services.incidents.on_call import BERLIN, rotation, set_rota
    from services.store.uow import UnitOfWork
    from workflows.errors import DomainError

    try:
        first = datetime.strptime(start, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN)
    except ValueError:
        console.print("[red]--start[/red]: write it as 'YYYY-MM-DD HH:MM' (Berlin time)", soft_wrap=True)
        raise typer.Exit(2) from None
    engine = _engine()
    with Session(engine) as session:
        ids = [_account_id(session, email) for email in people]
    try:
        body = rotation(ids, first, hours, turns)
        with UnitOfWork(engine) as uow:
            rota = set_rota(uow, OPERATOR, body)
    except ValidationError as exc:
        raise invalid(exc) from None
    except DomainError as exc:
        console.print(f"[red]rota[/red]: {exc}", soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(f"{len(rota.turns)} turn(s) set")
    for warning in rota.warnings:
        console.print(f"[yellow]warning[/yellow]: {warning}", soft_wrap=True)


@oncall_app.command("show")
def oncall_show(days: int = typer.Option(7, help="how far ahead")) -> None:
    """Who is on call when (Berlin time), the gaps, and who is on call now."""
    from datetime import UTC

    from services.incidents.on_call import rota

    now = datetime.now(UTC)
    with Session(_engine()) as session:
        found = rota(session, OPERATOR, now, now + timedelta(days=days), now)
    for turn in found.turns:
        print(f"{turn.starts_at:%a %d.%m. %H:%M} to {turn.ends_at:%a %d.%m. %H:%M}\t{turn.display_name}")
    for warning in found.warnings:
        console.print(f"[yellow]warning[/yellow]: {warning}", soft_wrap=True)
    console.print(
        f"on call now: {len(found.on_call_now)} person(s)" if found.on_call_now else "on call now: nobody"
    )


def demo() -> None:
    """Load a demo: coordinators for every federal state, an on-call rota, an official, an organiser
    with a published dialogue, a municipality with an open self-check round. Prints the passwords."""
    from datetime import UTC

    from services.demo.loader import DemoLoadedAlready, load_demo

    try:
        loaded = load_demo(_engine(), lambda: datetime.now(UTC))
    except DemoLoadedAlready as exc:
        console.print(str(exc), soft_wrap=True)
        raise typer.Exit(1) from None
    print("role\tname\tsign-in address\tpassword\tnote")
    for person in loaded.sign_ins:
        print(f"{person.role}\t{person.name}\t{person.email}\t{person.password}\t{person.note}")
    for warning in loaded.rota_warnings:
        console.print(f"[yellow]rota[/yellow]: {warning}", soft_wrap=True)
    console.print(
        f"demo loaded: {len(loaded.sign_ins)} accounts (passwords above, shown once); dialogue "
        f"/dialogues/{loaded.dialogue_id}, self-check round /selfchecks/{loaded.round_id}",
        soft_wrap=True,
    )
