"""What every part of the ``weltoffen`` command shares: the console, the settings, the operator."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console

from services.access import Principal
from services.settings import Settings
from services.store.tables import Role

console = Console(stderr=True)
ROOT = Path(__file__).resolve().parent.parent
OPERATOR = Principal("cli", Role.ADMIN)  # whoever runs the command administers this installation


def load_settings(**overrides: object) -> Settings:
    """The settings, or one line per problem that says what to set (no traceback) and exit code 2."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            name = f"WELTOFFEN_{where.upper()}: " if where else ""
            console.print(
                f"[red]settings[/red]: {name}{error['msg'].removeprefix('Value error, ')}", soft_wrap=True
            )
        raise typer.Exit(2) from None


def invalid(exc: ValidationError) -> typer.Exit:
    """One line per invalid value, and exit code 2."""
    for error in exc.errors():
        where = ".".join(map(str, error["loc"])) or "value"
        console.print(f"[red]{where}[/red]: {error['msg'].removeprefix('Value error, ')}", soft_wrap=True)
    return typer.Exit(2)
