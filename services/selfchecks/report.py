"""The self-check report: the values the HTML page shows, in German or English."""

from __future__ import annotations

import json
from typing import Any

from services.selfchecks.questionnaire_files import questionnaire
from services.selfchecks.tables import SelfCheckRecommendation, SelfCheckRound

TEXTS: dict[str, dict[str, Any]] = {
    "de": {
        "title": "Selbstcheck",
        "language": "Sprache",
        "pdf": "Als PDF herunterladen (zum Ausdrucken, etwa für den Rat)",
        "index": "Gesamtindex",
        "level": "Stufe",
        "respondents": "Antwortende",
        "version": "Fragebogen",
        "chart": "Punkte je Handlungsfeld (0 bis 100)",
        "caption": "Balken: Ihre Punkte je Handlungsfeld; rote Linie: Median vergleichbarer Kommunen.",
        "field": "Handlungsfeld",
        "score": "Punkte",
        "coverage": "beantwortet",
        "trend": "seit letzter Runde",
        "peer_median": "Median Vergleichskommunen",
        "skipped": "übersprungen",
        "no_peers": "Ein Vergleich wird erst gezeigt, wenn mindestens fünf Kommunen derselben "
        "Größenklasse teilgenommen haben.",
        "divergent": "Hier sind sich die Antwortenden uneins",
        "spread": "Spannweite",
        "divergent_help": "Diese Fragen sind gute Gesprächsthemen für den Workshop.",
        "recommendations": "Empfehlungen",
        "format": "Dialogformat",
        "peer": "Austausch mit",
        "none": "Keine: alle Felder sind gut aufgestellt.",
        "offers": {"workshop": "Workshop", "consulting": "Beratung", "peer_exchange": "Kommunaler Austausch"},
        "formats": {
            "citizen_dialogue": "Bürgerdialog",
            "round_table": "Runder Tisch",
            "future_workshop": "Zukunftswerkstatt",
            "online": "Online-Format",
        },
    },
    "en": {
        "title": "Self-check",
        "language": "Language",
        "pdf": "Download as PDF (to print, for the council say)",
        "index": "Overall index",
        "level": "Level",
        "respondents": "Respondents",
        "version": "Questionnaire",
        "chart": "Points per field of action (0 to 100)",
        "caption": "Bars: your points per field of action; red line: median of comparable municipalities.",
        "field": "Field of action",
        "score": "Points",
        "coverage": "answered",
        "trend": "since last round",
        "peer_median": "Peer median",
        "skipped": "skipped",
        "no_peers": "A comparison is shown once at least five municipalities of the same size class "
        "have taken part.",
        "divergent": "Where respondents disagree",
        "spread": "spread",
        "divergent_help": "These questions are good topics for the workshop.",
        "recommendations": "Recommendations",
        "format": "Dialogue format",
        "peer": "Exchange with",
        "none": "None: every field is in good shape.",
        "offers": {"workshop": "workshop", "consulting": "consulting", "peer_exchange": "peer exchange"},
        "formats": {
            "citizen_dialogue": "citizen dialogue",
            "round_table": "round table",
            "future_workshop": "future workshop",
            "online": "online format",
        },
    },
}


def report_values(
    round_: SelfCheckRound, recommendations: list[SelfCheckRecommendation], lang: str
) -> dict[str, Any]:
    definition = questionnaire(round_.questionnaire_version)
    result = json.loads(round_.result or "{}")
    titles = {f.id: f.title[lang] for f in definition.fields}
    trend = result.get("trend") or {}
    peer_median = result.get("peers", {}).get("median", {})
    texts = TEXTS[lang]
    rows = [
        {
            "title": titles[f["field"]],
            "score": f["score"],
            "coverage": f["coverage"],
            "trend": trend.get(f["field"]),
            "peer": peer_median.get(f["field"]),
        }
        for f in result.get("fields", [])
    ]
    overall = result.get("overall")
    return {
        "lang": lang,
        "t": texts,
        "round": round_,
        "result": result,
        "rows": rows,
        "level": definition.level(overall).name[lang] if overall is not None else "-",
        "peers_shown": result.get("peers", {}).get("shown", False),
        "divergent": [
            {"text": definition.questions[d["question"]].text[lang], "spread": d["spread"]}
            for d in result.get("divergent", [])[:10]  # the ten widest apart are enough for a workshop
        ],
        "recommendations": [
            {
                "title": titles[r.field],
                "score": r.score,
                "offers": ", ".join(texts["offers"].get(o, o) for o in r.offers.split(",")),
                "format": texts["formats"].get(r.dialogue_format, r.dialogue_format),
                "peer": r.peer_ags,
            }
            for r in recommendations
        ],
    }
