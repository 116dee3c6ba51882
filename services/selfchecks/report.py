"""The self-check report: the values the HTML page (and its PDF) shows, in German or English: the
fields, their goals and criteria, the perspectives, suggestions for further work and the comparison
with the previous round, whichever questionnaire version it was answered on."""

from __future__ import annotations

import json
from typing import Any

from services.selfchecks.questionnaire_files import questionnaire, suggestions
from services.selfchecks.report_texts import TEXTS
from services.selfchecks.tables import SelfCheckRecommendation, SelfCheckRound
from workflows.selfchecks.comparison import Comparison
from workflows.selfchecks.perspectives import Perspectives
from workflows.selfchecks.questionnaire import Questionnaire
from workflows.selfchecks.recommendations import further_work
from workflows.selfchecks.scoring import Result
from workflows.selfchecks.suggestions import Suggestion


def titles(definition: Questionnaire, lang: str) -> dict[str, str]:
    """Every field, goal and criterion by id, in the language asked for."""
    named = {f.id: f.title[lang] for f in definition.fields}
    for goal in definition.goals.values():
        named[goal.id] = goal.title[lang]
        named.update({c.id: c.title[lang] for c in goal.criteria})
    return named


def perspective_names(definition: Questionnaire, lang: str) -> dict[str, str]:
    return {p: text[lang] for p, text in definition.perspectives}


def joined(names: list[str], lang: str) -> str:
    """'A', 'A and B', 'A, B and C' in the language asked for."""
    if len(names) < 3:
        return f" {TEXTS[lang]['and']} ".join(names)
    return f"{', '.join(names[:-1])} {TEXTS[lang]['and']} {names[-1]}"


def suggestion_values(items: tuple[Suggestion, ...], lang: str) -> list[dict[str, str]]:
    texts = TEXTS[lang]
    return [
        {
            "text": s.text[lang],
            "link": texts["offers"][s.offer] if s.offer else texts["formats"][s.dialogue_format or ""],
            "kind": texts["offer"] if s.offer else texts["format"],
        }
        for s in items
    ]


def _goal_rows(definition: Questionnaire, result: Result, lang: str) -> list[dict[str, Any]]:
    named = titles(definition, lang)
    criteria = {c.criterion: c for c in result.criteria}
    fields = []
    for field in definition.fields:
        rows = []
        for goal in (g for g in result.goals if g.field == field.id):
            rows.append(
                {"title": named[goal.goal], "score": goal.score, "coverage": goal.coverage, "goal": True}
            )
            for c in definition.goals[goal.goal].criteria:
                found = criteria.get(c.id)
                if found is not None:
                    rows.append(
                        {
                            "title": named[c.id],
                            "score": found.score,
                            "coverage": found.coverage,
                            "goal": False,
                        }
                    )
        if rows:
            fields.append({"title": named[field.id], "rows": rows})
    return fields


def _perspective_values(definition: Questionnaire, stored: Perspectives, lang: str) -> dict[str, Any]:
    named, names, texts = titles(definition, lang), perspective_names(definition, lang), TEXTS[lang]
    stated = [p for p in definition.perspective_ids if any(p in f.scores for f in stored.fields)]
    return {
        "columns": [names[p] for p in stated],
        "rows": [
            {"title": named[f.field], "scores": [f.scores.get(p) for p in stated]} for f in stored.fields
        ],
        "apart": [
            texts["apart"]
            % {
                "field": named[f.field],
                "high": joined([f"{names[p]} ({f.scores[p]:.0f})" for p in f.high], lang),
                "low": joined([f"{names[p]} ({f.scores[p]:.0f})" for p in f.low], lang),
                "spread": f"{f.spread:.0f}",
            }
            for f in stored.fields
            if f.flagged
        ],
        "questions": [
            {
                "text": definition.questions[q.question].text[lang],
                "spread": q.spread,
                "between": joined([names[p] for p in q.perspectives], lang),
            }
            for q in stored.questions[:10]  # the ten widest apart are enough for a workshop
        ],
    }


def _comparison_values(
    definition: Questionnaire, stored: dict[str, Any] | None, previous: SelfCheckRound | None, lang: str
) -> dict[str, Any] | None:
    if not stored or previous is None:
        return None
    compared = Comparison.from_stored(stored)
    named = {**titles(questionnaire(compared.previous_version), lang), **titles(definition, lang)}
    texts = TEXTS[lang]

    def listed(ids: tuple[str, ...]) -> str:
        return ", ".join(named.get(i, i) for i in ids)

    notes = [
        texts[key] % {"names": listed(ids)}
        for key, ids in (
            ("only_now", compared.only_now),
            ("only_before", compared.only_before),
            ("questions_changed", compared.questions_changed),
        )
        if ids
    ]
    return {
        "heading": texts["compared"]
        % {"date": f"{previous.opened_at:%d.%m.%Y}", "version": compared.previous_version},
        "fields": [(named[f], change) for f, change in compared.fields.items()],
        "goals": [(named[g], change) for g, change in compared.goals.items()],
        "notes": notes,
    }


def report_values(
    round_: SelfCheckRound,
    recommendations: list[SelfCheckRecommendation],
    lang: str,
    previous: SelfCheckRound | None = None,
) -> dict[str, Any]:
    definition = questionnaire(round_.questionnaire_version)
    stored = json.loads(round_.result or "{}")
    result = Result.from_stored(stored)
    named = titles(definition, lang)
    trend = stored.get("trend") or {}
    peer_median = stored.get("peers", {}).get("median", {})
    texts = TEXTS[lang]
    rows = [
        {
            "title": named[f.field],
            "score": f.score,
            "coverage": f.coverage,
            "trend": trend.get(f.field),
            "peer": peer_median.get(f.field),
        }
        for f in result.fields
    ]
    kept = suggestions(round_.questionnaire_version)
    work = further_work(result, kept) if kept else []
    return {
        "lang": lang,
        "t": texts,
        "round": round_,
        "result": stored,
        "rows": rows,
        "level": definition.level(result.overall).name[lang] if result.overall is not None else "-",
        "peers_shown": stored.get("peers", {}).get("shown", False),
        "divergent": [
            {"text": definition.questions[d.question].text[lang], "spread": d.spread}
            for d in result.divergent[:10]
        ],
        "goals": _goal_rows(definition, result, lang),
        "perspectives": _perspective_values(
            definition, Perspectives.from_stored(stored.get("perspectives")), lang
        ),
        "work": [
            {
                "title": named[w.field],
                "score": w.score,
                "suggestions": suggestion_values(w.suggestions, lang),
                "goals": [
                    {
                        "title": named[g.goal],
                        "score": g.score,
                        "suggestions": suggestion_values(g.suggestions, lang),
                    }
                    for g in w.goals
                ],
            }
            for w in work
        ],
        "has_suggestions": kept is not None,
        "comparison": _comparison_values(definition, stored.get("comparison"), previous, lang),
        "recommendations": [
            {
                "title": named[r.field],
                "score": r.score,
                "offers": ", ".join(texts["offers"].get(o, o) for o in r.offers.split(",")),
                "format": texts["formats"].get(r.dialogue_format, r.dialogue_format),
                "peer": r.peer_ags,
            }
            for r in recommendations
        ],
    }
