"""A municipality runs its self-check in Chromium: opens a round, adds three who answer; they answer
on a phone behind their links (every answer type; one saves, leaves and resumes; a wrong number is
named at its question; the final check lists what is missing), the round is closed after a
confirmation, the evaluation opens, and a recommendation becomes a draft dialogue for an organiser.
Nobody else sees the round. axe-core on every page, German and English."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import Session, select

from services.dialogues.tables import Dialogue
from services.selfchecks.questionnaire_files import LATEST, questionnaire
from services.selfchecks.tables import Respondent, SelfCheckRecommendation, SelfCheckRound
from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.e2e.test_mail_links import _signed_in
from tests.support.browser import SHOTS, assert_accessible
from tests.support.people import person

pytestmark = pytest.mark.integration
FORM = questionnaire(LATEST)  # the deep one, offered first


def answer_field(page: Any, field_index: int, level: int, lang: str = "de") -> None:
    """Answer every question of the field shown, as a person reads it (labels, not values)."""
    yes, no = ("Ja", "Nein") if lang == "de" else ("Yes", "No")
    for q in FORM.fields[field_index].questions:
        group = page.locator(f'[id="q-{q.id}"]')
        if q.type == "maturity":
            group.get_by_label(dict(FORM.maturity_scale)[level][lang], exact=True).check()
        elif q.type == "yes_no":
            group.get_by_label(yes if level >= 2 else no, exact=True).check()
        elif q.type == "choice":
            texts = list((q.option_texts or {}).values())
            group.get_by_label(texts[min(level // 2, len(texts) - 1)][lang], exact=True).check()
        else:
            page.get_by_label(q.text[lang]).fill(str(int(q.full_score_at * level / 4)))


def test_a_municipality_runs_a_self_check_with_three_respondents(site: Site, browser: Any) -> None:
    ags = f"{random.choice([1, 2, 5, 6, 9]):02d}{random.randint(0, 999999):06d}"
    town = person(site.container, Role.MUNICIPALITY, municipality_ags=ags, name="Musterstadt")
    organiser = person(site.container, Role.ORGANISER, name=f"Kulturamt {ags}")
    page = _signed_in(browser, site, town).new_page()
    page.goto(site.base + "/")
    page.get_by_role("link", name="Selbstchecks").click()
    page.get_by_role("button", name="Selbstcheck beginnen").click()  # no population
    expect(page.get_by_role("alert")).to_contain_text("Zahl der Einwohnerinnen und Einwohner")
    assert_accessible(page, "selfchecks-errors-de")
    page.get_by_label("Einwohnerinnen und Einwohner").fill("24000")
    page.get_by_role("button", name="Selbstcheck beginnen").click()
    expect(page.get_by_role("status")).to_contain_text("Der Selbstcheck ist eröffnet")
    round_url = page.url.split("?")[0]
    page.get_by_role("button", name="Abschließen und einreichen").click()  # nobody added, not confirmed
    expect(page.get_by_role("alert")).to_contain_text("Setzen Sie das Häkchen")
    links = []
    invited = f"jugendamt-{ags}@example.org"
    for label in ("Bürgeramt", "Integrationsbeirat", "Jugendamt"):
        page.get_by_label("Wer antwortet (ein Amt oder Gremium)").fill(label)
        if label == "Jugendamt":  # this one gets the link by mail
            page.get_by_label(re.compile("E-Mail-Adresse, an die")).fill(invited)
        if label == "Bürgeramt":  # the municipality knows; the others say themselves
            page.get_by_label(re.compile("Für welchen Teil der Verwaltung sie")).select_option(
                label="Leitung des zuständigen Fachbereichs"
            )
        page.get_by_role("button", name="Hinzufügen").click()
        expect(page.get_by_role("status")).to_contain_text("Hinzugefügt")
        links.append(page.get_by_label(re.compile("Ihr Link")).last.input_value())
    [invitation] = site.mail.wait_for_mail_to(invited, 1, timeout_s=30)
    assert "Musterstadt" in invitation["Subject"]
    mailed = re.search(
        r"http://127\.0\.0\.1:\d+/selfchecks/respondents/\S+", invitation.get_body(("plain",)).get_content()
    )  # type: ignore[union-attr]
    assert mailed is not None and mailed.group(0) == links[2]
    assert_accessible(page, "selfcheck-round-de")

    phone = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
    first = phone.new_page()
    first.goto(links[0])
    expect(first.get_by_role("heading", level=1)).to_have_text(FORM.fields[0].title["de"])
    expect(first.get_by_label("Leitung des zuständigen Fachbereichs")).to_be_checked()  # as preset
    expect(first.get_by_role("heading", level=2).first).to_have_text(
        f"Ziel: {FORM.fields[0].goals[0].title['de']}"
    )
    assert_accessible(first, "selfcheck-answer-de", widths=(390,))
    for index in range(len(FORM.fields)):
        answer_field(first, index, 3)
        if FORM.fields[index].id == "opening":  # a number out of range is named at its question
            number = next(q for q in FORM.fields[index].questions if q.type == "number")
            first.get_by_label(number.text["de"]).fill("250")
            first.get_by_role("button", name="Speichern und weiter").click()
            expect(first.get_by_role("alert")).to_contain_text("Geben Sie eine Zahl von 0 bis 100 ein")
            assert_accessible(first, "selfcheck-answer-error-de", widths=(390,))
            first.get_by_label(number.text["de"]).fill("40")
        first.get_by_role("button", name="Speichern und weiter").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Danke: Alle Fragen sind beantwortet")

    second = phone.new_page()  # answers two fields, leaves, comes back with the same link
    second.goto(links[1])
    answer_field(second, 0, 1)
    second.get_by_role("button", name="Speichern und weiter").click()  # without saying from where
    expect(second.get_by_role("alert")).to_contain_text("Wählen Sie den Teil der Verwaltung")
    assert_accessible(second, "selfcheck-perspective-error-de", widths=(390,))
    second.get_by_label("Integrations- oder Migrationsbeirat").check()  # the answers given are kept
    second.get_by_role("button", name="Speichern und weiter").click()
    answer_field(second, 1, 1)
    second.get_by_role("button", name="Speichern und später weitermachen").click()
    expect(second.get_by_role("status")).to_contain_text("Kommen Sie mit dem Link")
    second.close()
    again = phone.new_page()
    again.goto(links[1])
    nav = again.get_by_role("navigation", name="Handlungsfelder")
    expect(nav.get_by_role("listitem").nth(1)).to_contain_text(f"{len(FORM.fields[1].questions)} von")
    again.get_by_role("button", name="Speichern und Antworten prüfen").click()
    expect(again.get_by_role("alert")).to_contain_text("Antworten fehlen noch")
    assert_accessible(again, "selfcheck-check-de", widths=(390,))
    again.goto(again.url + "&lang=en")
    assert_accessible(again, "selfcheck-check-en", widths=(390,))
    again.goto(again.url.replace("&lang=en", "&lang=de"))
    again.get_by_role("alert").get_by_role("link").first.click()  # to the first missing question
    expect(again.get_by_role("alert")).to_contain_text("Beantworten Sie diese Frage")  # named at it
    assert_accessible(again, "selfcheck-missing-de", widths=(390,))
    for index in range(2, len(FORM.fields)):
        again.goto(links[1] + f"&field={FORM.fields[index].id}")
        answer_field(again, index, 1)
        again.get_by_role("button", name="Speichern und weiter").click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Danke: Alle Fragen sind beantwortet")

    third = phone.new_page()
    for index in range(len(FORM.fields)):
        third.goto(links[2] + f"&field={FORM.fields[index].id}&lang=en")
        if index == 0:
            assert_accessible(third, "selfcheck-answer-en", widths=(390,))
            third.get_by_label("Another part of the administration").check()
        answer_field(third, index, 2, "en")
        third.get_by_role("button", name="Save and continue", exact=True).click()
    expect(third.get_by_role("heading", level=1)).to_have_text("Thank you: every question is answered")

    page.goto(round_url)
    expect(page.get_by_text("Bürgeramt", exact=True)).to_be_visible()
    total = len(FORM.questions)
    expect(page.locator("ul.respondents li").first).to_contain_text(f"{total} von {total} beantwortet")
    page.get_by_label(re.compile("Ja: Alle haben geantwortet")).check()
    page.get_by_role("button", name="Abschließen und einreichen").click()
    expect(page.get_by_role("status")).to_contain_text("Abgeschlossen und eingereicht")
    round_id = round_url.rsplit("/", 1)[1]
    for _ in range(150):
        with Session(site.container.engine) as session:
            if session.get(SelfCheckRound, round_id).status == "scored":  # type: ignore[union-attr]
                break
        time.sleep(0.1)
    page.reload()
    assert_accessible(page, "selfcheck-round-scored-de")
    with Session(site.container.engine) as session:  # the round is closed: the address is gone
        assert all(r.email is None for r in session.exec(select(Respondent)).all() if r.round_id == round_id)
    with Session(site.container.engine) as session:
        recommendation = session.exec(
            select(SelfCheckRecommendation).where(SelfCheckRecommendation.round_id == round_id)
        ).first()
    assert recommendation is not None  # the middling answers leave fields to work on
    recommended = page.locator("li.recommendation").first
    recommended.get_by_label("Einen Dialog dazu planen mit").select_option(label=f"Kulturamt {ags}")
    recommended.get_by_role("button", name="Als Entwurf übergeben").click()
    expect(page.get_by_role("status")).to_contain_text("Der Dialog-Entwurf liegt bei")
    with Session(site.container.engine) as session:
        drafted = session.exec(select(Dialogue).where(Dialogue.organiser_id == organiser.id)).all()
    assert len(drafted) == 1 and drafted[0].status == "draft"

    page.get_by_role("link", name="Die Tagesordnung für den Workshop").click()  # the moderated workshop
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop zum Selbstcheck: Musterstadt")
    weakest = page.get_by_role("heading", name="Die schwächsten Ziele").locator(
        "xpath=following-sibling::ol[1]"
    )
    expect(weakest.get_by_role("listitem").first).to_contain_text("/ 100")
    parted = page.get_by_role("heading", name="Fragen, bei denen die Sichtweisen auseinandergehen")
    expect(parted.locator("xpath=following-sibling::ol[1]")).to_contain_text(
        "Leitung des zuständigen Fachbereichs, Integrations- oder Migrationsbeirat und Ein anderer Teil"
    )  # yes (levels 3 and 2) against no (level 1): all three named, never who said what
    expect(page.get_by_role("heading", name="Wen einladen")).to_be_visible()
    assert_accessible(page, "selfcheck-workshop-de")
    with page.expect_download() as agenda_download:
        page.get_by_role("link", name=re.compile("Als PDF herunterladen")).click()
    agenda_download.value.save_as(SHOTS / "selfcheck-workshop-de.pdf")
    agenda = " ".join(p.extract_text() for p in PdfReader(agenda_download.value.path()).pages)
    assert "Workshop zum Selbstcheck: Musterstadt" in agenda and "Wen einladen" in agenda
    page.goto(round_url + "/workshop?lang=en")
    expect(page.get_by_role("heading", name="Questions on which the perspectives part")).to_be_visible()
    assert_accessible(page, "selfcheck-workshop-en")
    page.goto(round_url + "?lang=de")
    page.get_by_label("Zum Workshop einladen mit").select_option(label=f"Kulturamt {ags}")
    page.locator("#workshop ~ form").get_by_role("button", name="Als Entwurf übergeben").click()
    expect(page.get_by_role("status")).to_contain_text("Der Workshop liegt als Dialog-Entwurf")
    with Session(site.container.engine) as session:
        [workshop] = session.exec(
            select(Dialogue).where(
                Dialogue.organiser_id == organiser.id, Dialogue.format == "future_workshop"
            )
        ).all()
    assert workshop.title == "Workshop zum Selbstcheck: Musterstadt" and "Themen:" in workshop.description
    page.get_by_role("link", name="Die Auswertung", exact=True).click()
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Ziele und Kriterien")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Integrations- oder Migrationsbeirat")).to_be_visible()
    assert_accessible(page, "selfcheck-report-de")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Als PDF herunterladen")).click()
    download.value.save_as(SHOTS / "selfcheck-report-de.pdf")  # to look at, like the screenshots
    pdf = PdfReader(download.value.path())
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert download.value.suggested_filename == f"selbstcheck-{ags}-{datetime.now(UTC):%Y-%m-%d}.pdf"
    assert "Selbstcheck: Musterstadt" in text and FORM.fields[0].title["de"] in text
    assert "Als PDF herunterladen" not in text  # the screen's links are not printed
    page.goto(round_url + "/report?lang=en")
    assert_accessible(page, "selfcheck-report-en")
    english = page.context.request.get(round_url + "/report.pdf?lang=en")
    assert english.headers["content-type"] == "application/pdf"
    for name, path in (("rounds", "/selfchecks"), ("round", round_url.removeprefix(site.base))):
        page.goto(site.base + path + "?lang=en")
        assert_accessible(page, f"selfcheck-en-{name}")

    other = _signed_in(
        browser, site, person(site.container, Role.MUNICIPALITY, municipality_ags="03241001", name="Nachbar")
    ).new_page()
    for path in (round_url.removeprefix(site.base), round_url.removeprefix(site.base) + "/report"):
        answer = other.goto(site.base + path)
        assert answer is not None and answer.status == 404, path
    closed = browser.new_context(locale="de-DE").new_page()
    first_id, second_id = (link.split("/respondents/")[1].split("?")[0] for link in links[:2])
    borrowed = closed.goto(links[0].replace(first_id, second_id))  # one's token, another's answers
    assert borrowed is not None and borrowed.status == 404
    closed.goto(links[0])
    expect(closed.get_by_text("Dieser Selbstcheck ist abgeschlossen")).to_be_visible()
