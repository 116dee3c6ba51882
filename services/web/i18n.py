"""Languages of the pages: German (the default), English and Leichte Sprache (easy German, for the
public pages; whatever it lacks falls back to German). Messages come from gettext catalogues
(``locale/<lang>/LC_MESSAGES/messages.po``, kept with Babel: ``bash infra/i18n.sh``), compiled in
memory when first used; dates and times are shown in Europe/Berlin in the reader's format."""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locale"
LANGUAGES = {"de": "Deutsch", "en": "English", "ls": "Leichte Sprache"}
DEFAULT = "de"
BERLIN = ZoneInfo("Europe/Berlin")


def N_(message: str) -> str:
    """Marks a message for the catalogues where it is defined; it is translated where it is shown."""
    return message


def babel_locale(language: str) -> str:
    return "en" if language == "en" else "de"


@cache
def translations(language: str) -> Translations:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=babel_locale(language))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    found = Translations(compiled)
    if language == "ls":
        found.add_fallback(translations("de"))
    return found


def choose(*candidates: str | None, accept_language: str | None = None) -> str:
    """The first supported of: the explicit choice, the remembered one, the account's; then the
    browser's Accept-Language; then German."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("de", "en"):
            return code
    return DEFAULT


def when(moment: datetime, language: str) -> str:
    """A date and time as people read it, in Berlin time: 'Donnerstag, 3. Dezember 2026, 18:30'."""
    pattern = "EEEE, d. MMMM y, HH:mm" if language != "en" else "EEEE, d MMMM y, HH:mm"
    return format_datetime(moment, pattern, tzinfo=BERLIN, locale=babel_locale(language))


def day(moment: datetime, language: str) -> str:
    return format_date(moment.astimezone(BERLIN), "full", locale=babel_locale(language))


def clock_time(moment: datetime, language: str) -> str:
    return format_time(moment, "HH:mm", tzinfo=BERLIN, locale=babel_locale(language))
