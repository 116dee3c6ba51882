"""From an HTML form to an operation's input model and back: checkboxes, lists, and each pydantic
error as a message next to its field (and in the error summary) in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from services.web.render import Visit


def checked(form: Mapping[str, str], name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")


def listed(form: Mapping[str, str], prefix: str) -> list[str]:
    """Checkboxes named ``prefix:value``: the values ticked."""
    return [name.split(":", 1)[1] for name, value in form.items() if name.startswith(prefix + ":") and value]


def numbers(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def field_errors(
    visit: Visit,
    error: ValidationError,
    messages: Mapping[str, str],
    field_of: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """One message per form field, in the order of the form's errors. ``messages`` maps a field to
    the sentence that says what to do (msgids, translated here)."""
    found: dict[str, str] = {}
    for problem in error.errors():
        location = [str(part) for part in problem["loc"] if not isinstance(part, int)]
        name = (field_of or {}).get(".".join(location)) or (location[-1] if location else "form")
        if name not in found:
            found[name] = visit.gettext(messages.get(name, "Check this answer"))
    return found
