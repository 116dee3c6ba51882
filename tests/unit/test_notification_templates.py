"""Every message x channel x language renders with sample data, so a missing template or variable
fails here and not at 3 a.m."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from notifications.messages import LOCALES, MESSAGES, SHORT_TEXT_LIMIT, MissingVariables, Part
from notifications.rendering import TEMPLATES, Renderer, local_time

ISSUED = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)
renderer = Renderer()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message", sorted(MESSAGES))
def test_every_part_exists_and_renders(message: str, locale: str) -> None:
    for part in Part:
        stem, ext = part.value.split(".")
        assert (TEMPLATES / message / f"{stem}.{locale}.{ext}").is_file(), (
            f"{message}: {part} missing in {locale}"
        )
    rendered = renderer.render(message, locale, MESSAGES[message].sample, ISSUED)
    assert rendered.locale == locale
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.text.strip() and rendered.inbox_title and rendered.inbox_body
    assert rendered.html.startswith("<!DOCTYPE html>") and f'<html lang="{locale}">' in rendered.html
    assert 0 < len(rendered.short) <= SHORT_TEXT_LIMIT
    assert rendered.webhook["message"] == message and rendered.webhook["text"] == rendered.short


def test_languages_differ_and_german_is_the_fallback() -> None:
    sample = MESSAGES["case_assigned"].sample
    german = renderer.render("case_assigned", "de", sample, ISSUED)
    english = renderer.render("case_assigned", "en", sample, ISSUED)
    french = renderer.render("case_assigned", "fr", sample, ISSUED)
    assert german.subject == "[DRINGEND] Neuer Fall F-2026-0042 (kritisch)"
    assert english.subject == "[URGENT] New case F-2026-0042 (critical)"
    assert french.locale == "de" and french.subject == german.subject


def test_html_is_escaped_and_text_is_not() -> None:
    rendered = renderer.render(
        "registration_confirmed", "de", MESSAGES["registration_confirmed"].sample, ISSUED
    )
    assert "Bürgerdialog &lt;Zukunft&gt; &amp; Zusammenhalt" in rendered.html
    assert "<Zukunft>" not in rendered.html
    assert "Bürgerdialog <Zukunft> & Zusammenhalt" in rendered.text


def test_times_are_shown_in_berlin_time() -> None:
    assert local_time(datetime(2026, 12, 3, 17, 30, tzinfo=UTC), "de") == "Do., 03.12.2026, 18:30 Uhr"
    assert local_time(datetime(2026, 7, 3, 17, 30, tzinfo=UTC), "en") == "Fri 03 Jul 2026, 19:30 (CEST)"


def test_calendar_invite_carries_the_dialogue_times() -> None:
    rendered = renderer.render(
        "registration_confirmed", "en", MESSAGES["registration_confirmed"].sample, ISSUED
    )
    [invite] = rendered.attachments
    assert invite.filename.endswith(".ics") and invite.content_type.startswith("text/calendar")
    event = Calendar.from_ical(invite.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 12, 3, 19, 30, tzinfo=UTC)
    assert str(event["uid"]) == "dialogue-d-7@weltoffen"


def test_a_missing_variable_is_refused_by_name() -> None:
    context = dict(MESSAGES["selfcheck_result"].sample)
    del context["report_path"]
    with pytest.raises(MissingVariables, match="report_path"):
        renderer.render("selfcheck_result", "de", context, ISSUED)


def test_templates_fail_on_undefined_and_are_sandboxed(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    (folder / "selfcheck_result").mkdir(parents=True)
    for part in Part:
        stem, ext = part.value.split(".")
        (folder / "selfcheck_result" / f"{stem}.de.{ext}").write_text("{{ not_in_context }}")
    with pytest.raises(UndefinedError):
        Renderer(folder).render("selfcheck_result", "de", MESSAGES["selfcheck_result"].sample, ISSUED)
    sandbox = Renderer(folder).env.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        sandbox.render()


# Texts a person types, at the longest the forms accept: none of them may make a message unsendable.
LONGEST_INPUT = {
    "dialogue_title": 200,
    "venue": 300,
    "participant_name": 200,
    "municipality_name": 200,
    "weakest_field": 200,
    "survey_url": 200,
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message", sorted(MESSAGES))
def test_every_message_stays_sendable_with_every_typed_field_at_its_longest(
    message: str, locale: str
) -> None:
    context = dict(MESSAGES[message].sample)
    for name, length in LONGEST_INPUT.items():
        if name in context:
            filler = "https://umfrage.example/" if name == "survey_url" else "Bürgerdialog Zusammenhalt "
            context[name] = (
                (filler + "x" * length)[:length] if name == "survey_url" else (filler * 30)[:length]
            )
    rendered = renderer.render(message, locale, context, ISSUED)
    assert len(rendered.short) <= SHORT_TEXT_LIMIT
    for name in ("manage_path", "case_path", "report_path", "dialogue_path", "survey_url"):
        link = context.get(name)
        if (
            link
            and link
            in renderer.render(message, locale, MESSAGES[message].sample | {name: link}, ISSUED).short
        ):
            assert link in rendered.short  # a link the short text carries is never cut
    if "dialogue_title" in context:
        assert context["dialogue_title"] in rendered.text  # the mail itself keeps the whole title


def test_a_campaign_is_explained_in_the_readers_language_with_anonymous_reports_as_unknown() -> None:
    context = MESSAGES["campaign_detected"].sample
    german = renderer.render("campaign_detected", "de", context, ISSUED)
    english = renderer.render("campaign_detected", "en", context, ISSUED)
    assert "3 Meldungen gegen 2 bekannte Amtsträger:innen und 1 anonyme Meldung(en)" in german.text
    assert "innerhalb von 24 Stunden" in german.text
    for english_word in ("incidents", "within", "officials", "0:00:00"):
        assert english_word not in german.text and english_word not in german.inbox_body
    assert "3 reports against 2 known official(s) and 1 anonymous report(s)" in english.text
