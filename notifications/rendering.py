"""One configured Jinja2 environment renders every message: sandboxed (templates may become
editable by admins), StrictUndefined (a missing variable fails loudly), autoescape for HTML."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from notifications.attachments import BUILDERS, Attachment
from notifications.labels import label
from notifications.messages import DEFAULT_LOCALE, MESSAGES, SHORT_TEXT_LIMIT, Part

TEMPLATES = Path(__file__).parent / "templates"
BERLIN = ZoneInfo("Europe/Berlin")
_WEEKDAYS = {
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


@dataclass(frozen=True)
class Rendered:
    """A message rendered for every channel in one language."""

    locale: str
    subject: str
    text: str
    html: str
    short: str
    webhook: dict[str, Any]
    inbox_title: str
    inbox_body: str
    attachments: tuple[Attachment, ...]


def local_time(value: datetime | str, locale: str = DEFAULT_LOCALE) -> str:
    """A UTC time as people in Germany read it: Europe/Berlin, with weekday."""
    moment = (datetime.fromisoformat(value) if isinstance(value, str) else value).astimezone(BERLIN)
    weekday = _WEEKDAYS.get(locale, _WEEKDAYS[DEFAULT_LOCALE])[moment.weekday()]
    if locale == "en":
        return f"{weekday} {moment:%d %b %Y, %H:%M} ({moment:%Z})"
    return f"{weekday}, {moment:%d.%m.%Y, %H:%M} Uhr"


def _cut(name: str, value: Any, keep: int) -> Any:
    if not isinstance(value, str) or len(value) <= keep or name.endswith(("_path", "_url")):
        return value
    return value[: keep - 1].rstrip() + "…"


class Renderer:
    def __init__(
        self,
        templates: Path = TEMPLATES,
        base_url: str = "http://127.0.0.1:8000",
        sender_address: str = "noreply@weltoffen.invalid",
    ) -> None:
        self.sender_address = sender_address  # the organiser named in calendar invites
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # compiled once per process; a new template ships with a new release
        )
        self.env.filters["local_time"] = local_time
        self.env.globals["label"] = label
        self.env.globals["link"] = lambda path: base_url.rstrip("/") + path

    def render(self, message: str, locale: str, context: dict[str, Any], issued_at: datetime) -> Rendered:
        """Render every part; a language without templates falls back to German."""
        spec = MESSAGES[message]
        values = spec.coerce(context)
        locale = locale if self._has(message, locale) else DEFAULT_LOCALE
        values["locale"] = locale
        short = self._short(message, locale, values)
        return Rendered(
            locale=locale,
            subject=" ".join(self._block(message, Part.EMAIL_TEXT, locale, "subject", values).split()),
            text=self._block(message, Part.EMAIL_TEXT, locale, "body", values).strip() + "\n",
            html=self._part(message, Part.EMAIL_HTML, locale, values),
            short=short,
            webhook=json.loads(self._part(message, Part.WEBHOOK, locale, {**values, "short": short})),
            inbox_title=self._block(message, Part.INBOX, locale, "title", values).strip(),
            inbox_body=self._block(message, Part.INBOX, locale, "body", values).strip(),
            attachments=tuple(
                BUILDERS[name]({"calendar_organizer": self.sender_address, **values}, issued_at)
                for name in spec.attachments
            ),
        )

    def _name(self, message: str, part: Part, locale: str) -> str:
        stem, ext = part.value.split(".")
        return f"{message}/{stem}.{locale}.{ext}"

    def _has(self, message: str, locale: str) -> bool:
        try:
            self.env.get_template(self._name(message, Part.EMAIL_TEXT, locale))
            return True
        except TemplateNotFound:
            return False

    def _short(self, message: str, locale: str, values: dict[str, Any]) -> str:
        """The SMS-length text. No input may make a message unsendable: when long texts (a title, a
        place) push it over the limit, they are shortened with an ellipsis, links never."""
        short = self._part(message, Part.SHORT, locale, values).strip()
        for keep in (120, 80, 50, 30, 15):
            if len(short) <= SHORT_TEXT_LIMIT:
                return short
            shortened = {k: _cut(k, v, keep) for k, v in values.items()}
            short = self._part(message, Part.SHORT, locale, shortened).strip()
        return short if len(short) <= SHORT_TEXT_LIMIT else short[: SHORT_TEXT_LIMIT - 1] + "…"

    def _part(self, message: str, part: Part, locale: str, values: dict[str, Any]) -> str:
        return self.env.get_template(self._name(message, part, locale)).render(values)

    def _block(self, message: str, part: Part, locale: str, block: str, values: dict[str, Any]) -> str:
        template = self.env.get_template(self._name(message, part, locale))
        return "".join(template.blocks[block](template.new_context(values)))
