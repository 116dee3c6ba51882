"""The pages' message catalogues: extract every message of the templates and the page code, and bring
``services/web/locale/<lang>/LC_MESSAGES/messages.po`` up to date (new messages added empty, gone
ones dropped, translations kept). Run: .venv/bin/python infra/i18n.py; then translate what is empty."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "services" / "web"
LANGUAGES = ("de", "en", "ls")
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def template() -> Catalog:
    catalog = Catalog(project="weltoffen", header_comment="# The pages of Weltoffen.")
    keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
    for filename, lineno, message, comments, context in extract_from_dir(
        WEB, METHODS, options_map=OPTIONS, keywords=keywords
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogue_path(language: str) -> Path:
    return WEB / "locale" / language / "LC_MESSAGES" / "messages.po"


def read(language: str) -> Catalog:
    path = catalogue_path(language)
    if not path.exists():
        return Catalog(locale=None if language == "ls" else language, project="weltoffen")
    with path.open("rb") as file:
        return read_po(file, locale=None if language == "ls" else language)


def translated(string: str | tuple[str, ...] | None) -> bool:
    """A translation, also of every plural form."""
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def update() -> list[str]:
    missing = []
    for language in LANGUAGES:
        catalog = read(language)
        catalog.update(template(), no_fuzzy_matching=True)  # a fresh template: update shares its messages
        for message in catalog:
            if not message.id:
                continue
            if language == "en" and not translated(message.string):
                message.string = message.id  # English is the source language
            if language == "de" and not translated(message.string):
                missing.append(f"{language}: {message.id if isinstance(message.id, str) else message.id[0]}")
        path = catalogue_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            write_po(file, catalog, width=100, omit_header=False, sort_output=True, ignore_obsolete=True)
    return missing


if __name__ == "__main__":
    untranslated = update()
    for line in untranslated:
        print(f"untranslated {line}")
    sys.exit(1 if untranslated else 0)
