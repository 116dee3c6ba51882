"""``weltoffen deadletters list|show|replay|discard``: dead letters for operators, on the same
operations as the pages."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from services.cli_support import OPERATOR, console, load_settings

deadletters_app = typer.Typer(help="Messages the worker could not handle.", no_args_is_help=True)


def _engine() -> Engine:
    from services.store.engine import make_engine

    return make_engine(load_settings().database_url)


@deadletters_app.command("list")
def list_letters(
    topic: Annotated[str | None, typer.Option(help="a source topic, e.g. weltoffen.incidents")] = None,
    everything: Annotated[bool, typer.Option("--all", help="decided ones too")] = False,
) -> None:
    """The dead letters waiting for a decision, newest first."""
    from services.pipeline.dead_letters import letters

    with Session(_engine()) as session:
        found = letters(session, OPERATOR, topic, everything)
    for letter in found:
        print(
            f"{letter.id}\t{letter.source_topic}\t{letter.failed_at}\toffset {letter.source_offset}"
            f"\t{letter.state}\t{letter.error}"
        )
    console.print(f"{len(found)} dead letter(s)")


@deadletters_app.command("show")
def show_letter(letter_id: int) -> None:
    """One letter; its payload only if it is an event (events carry no personal data)."""
    from services.pipeline.dead_letters import DeadLetterNotFound, show

    try:
        with Session(_engine()) as session:
            letter, payload = show(session, OPERATOR, letter_id)
    except DeadLetterNotFound as exc:
        console.print(f"[red]{letter_id}[/red]: {exc}")
        raise typer.Exit(1) from None
    for name, value in vars(letter).items():
        print(f"{name}: {value}")
    print(
        payload if payload is not None else f"(not an event of the catalogue: {letter.size} bytes, not shown)"
    )


@deadletters_app.command("replay")
def replay_letters(
    letter_id: Annotated[int | None, typer.Argument()] = None,
    every: Annotated[bool, typer.Option("--all", help="every waiting letter (of --topic)")] = False,
    topic: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Send a letter (or all waiting ones) again to its source topic, after a fix."""
    from services.pipeline.dead_letters import letters, replay
    from services.store.uow import UnitOfWork
    from workflows.errors import DomainError

    engine = _engine()
    with Session(engine) as session:
        ids = [letter_id] if letter_id is not None else [x.id for x in letters(session, OPERATOR, topic)]
    if letter_id is None and not every:
        console.print("say which: a letter's id, or --all")
        raise typer.Exit(2)
    done = 0
    for one in ids:
        try:
            with UnitOfWork(engine) as uow:
                replay(uow, OPERATOR, one)
                uow.commit()
            done += 1
        except DomainError as exc:
            console.print(f"[red]{one}[/red]: {exc}", soft_wrap=True)
    console.print(f"{done} letter(s) sent again")
    if done < len(ids):
        raise typer.Exit(1)


@deadletters_app.command("discard")
def discard_letter(letter_id: int, reason: Annotated[str, typer.Option(help="why (kept on record)")]) -> None:
    """Give a letter up, with the reason."""
    from services.pipeline.dead_letters import discard
    from services.store.uow import UnitOfWork
    from workflows.errors import DomainError

    try:
        with UnitOfWork(_engine()) as uow:
            discard(uow, OPERATOR, letter_id, reason)
            uow.commit()
    except DomainError as exc:
        console.print(f"[red]{letter_id}[/red]: {exc}", soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(f"letter {letter_id} discarded")
