"""The workshop agenda of a scored round as a printable document (page and PDF alike), and the text
of the draft dialogue that invites people to it. Read from the stored result: the agenda is the same
however often it is printed."""

from __future__ import annotations

import json
from typing import Any

from services.selfchecks.questionnaire_files import questionnaire, suggestions
from services.selfchecks.report import joined, perspective_names, suggestion_values, titles
from services.selfchecks.report_texts import TEXTS
from services.selfchecks.tables import SelfCheckRound
from workflows.selfchecks.perspectives import Perspectives
from workflows.selfchecks.scoring import Result
from workflows.selfchecks.suggestions import GUEST_GROUPS
from workflows.selfchecks.workshop import Agenda, agenda


def agenda_of(found: SelfCheckRound) -> Agenda:
    stored = json.loads(found.result or "{}")
    return agenda(
        questionnaire(found.questionnaire_version),
        Result.from_stored(stored),
        Perspectives.from_stored(stored.get("perspectives")),
        suggestions(found.questionnaire_version),
    )


def _timetable(plan: Agenda, named: dict[str, str], lang: str) -> list[dict[str, Any]]:
    texts, rows, start = TEXTS[lang]["agenda"], [], 0
    for item in plan.items:
        text = texts[item.kind]
        if item.topic is not None:
            topic = item.topic
            text = text % {
                "title": named[topic.id],
                "field": named[topic.field],
                "score": f"{topic.score:.0f}",
            }
        end = start + item.minutes
        span = f"{start // 60}:{start % 60:02d}\N{EN DASH}{end // 60}:{end % 60:02d}"
        rows.append({"time": span, "text": text})
        start = end
    return rows


def _invited(plan: Agenda, lang: str) -> list[str]:
    """Per guest group, everyone the fields on the agenda suggest, each once."""
    texts, lines = TEXTS[lang]["agenda"], []
    for group in GUEST_GROUPS:
        who = list(dict.fromkeys(guests[group][lang] for guests in plan.guests.values()))
        if who:
            lines.append(f"{texts['groups'][group]}: {'; '.join(who)}")
    return lines


def invitation(found: SelfCheckRound, plan: Agenda, lang: str) -> tuple[str, str, list[str], list[str]]:
    """Title, the whole text of the draft dialogue for the workshop, and its topics and guests."""
    texts, named = TEXTS[lang]["agenda"], titles(questionnaire(found.questionnaire_version), lang)
    topics, guests = [named[t.id] for t in plan.topics], _invited(plan, lang)
    parts = [texts["invite_intro"], "", texts["invite_topics"], *(f"- {t}" for t in topics)]
    if guests:
        parts += ["", texts["invite_guests"], *(f"- {g}" for g in guests)]
    return texts["invite_title"] % {"name": found.municipality_name}, "\n".join(parts), topics, guests


def workshop_values(found: SelfCheckRound, lang: str, drafted_title: str | None) -> dict[str, Any]:
    definition, plan = questionnaire(found.questionnaire_version), agenda_of(found)
    named, names, texts = titles(definition, lang), perspective_names(definition, lang), TEXTS[lang]
    title, _, topics, guests = invitation(found, plan, lang)
    overall = json.loads(found.result or "{}").get("overall")
    return {
        "lang": lang,
        "t": texts,
        "a": texts["agenda"],
        "round": found,
        "about": texts["agenda"]["about"]
        % {
            "date": f"{found.opened_at:%d.%m.%Y}",
            "version": found.questionnaire_version,
            "index": "-" if overall is None else f"{overall:.0f}",
            "count": json.loads(found.result or "{}").get("respondents", 0),
        },
        "duration": texts["agenda"]["duration"] % {"hours": plan.minutes // 60, "minutes": plan.minutes % 60},
        "timetable": _timetable(plan, named, lang),
        "by_goal": any(t.kind == "goal" for t in plan.topics),
        "topics": [
            {
                "title": named[t.id],
                "field": named[t.field],
                "score": t.score,
                "suggestions": suggestion_values(t.suggestions, lang),
            }
            for t in plan.topics
        ],
        "divergent": [
            {
                "text": definition.questions[d.question].text[lang],
                "spread": d.spread,
                "between": joined([names[p] for p in d.perspectives], lang),
            }
            for d in plan.divergent
        ],
        "guests": [
            {
                "field": named[field],
                "groups": [(texts["agenda"]["groups"][g], who[g][lang]) for g in GUEST_GROUPS],
            }
            for field, who in plan.guests.items()
        ],
        "invitation": {"title": title, "topics": topics, "guests": guests},
        "drafted_title": drafted_title,
    }
