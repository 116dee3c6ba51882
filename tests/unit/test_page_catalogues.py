"""Every message of the pages is translated: a German page never shows an English message id, and the
catalogues are up to date with the templates and the page code (``python infra/i18n.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from services.web.i18n import LANGUAGES, translations

SAME_IN_GERMAN = {
    "Matrix (%(id)s)",
    "Online",
    "Format",
    "System",
    "Name",
    "Region",
    "Webhook",
    "SMS",
    "Matrix",
    "Broker",
    "Topic",
}
ROOT = Path(__file__).resolve().parents[2]


def extracted() -> list[str | tuple[str, str]]:
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "infra" / "i18n.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return [m.id for m in tool.template() if m.id]


def test_every_message_of_the_pages_is_in_german_and_english() -> None:
    messages = extracted()
    assert len(messages) > 100
    german, english = translations("de"), translations("en")
    for message in messages:
        if isinstance(message, tuple):
            for n in (1, 2, 5):
                assert german.ngettext(*message, n) not in message, message
                assert english.ngettext(*message, n) == message[0 if n == 1 else 1]
        else:
            assert german.gettext(message) != message or message in SAME_IN_GERMAN, message
            assert english.gettext(message) == message


def test_leichte_sprache_falls_back_to_german_where_it_has_no_text_of_its_own() -> None:
    easy, german = translations("ls"), translations("de")
    assert easy.gettext("Dialogues") == "Gespräche" != german.gettext("Dialogues")
    assert easy.gettext("Change your password") == german.gettext("Change your password")
    assert set(LANGUAGES) == {"de", "en", "ls"}
