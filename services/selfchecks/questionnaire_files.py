"""Questionnaire files in the repository, and the suggestions kept beside them, loaded and validated
once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workflows.selfchecks.questionnaire import Questionnaire, QuestionnaireError
from workflows.selfchecks.suggestions import Suggestions

FOLDER = Path(__file__).resolve().parents[2] / "workflows" / "selfchecks" / "questionnaires"
LATEST = "2026.2"
VERSIONS = ("2026.2", "2026.1")  # offered when a round is opened, newest first


def _mapping(path: Path, what: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionnaireError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise QuestionnaireError(f"{path}: not {what} (a YAML mapping is expected)")
    return data


def load(path: Path) -> Questionnaire:
    return Questionnaire.from_dict(_mapping(path, "a questionnaire"), str(path))


@cache
def questionnaire(version: str) -> Questionnaire:
    path = FOLDER / f"weltoffen-{version}.yaml"
    if not path.is_file():
        raise LookupError(f"no questionnaire version {version}")
    return load(path)


@cache
def suggestions(version: str) -> Suggestions | None:
    """The suggestions kept beside a questionnaire version; None for a version that has none."""
    path = FOLDER / f"weltoffen-{version}.suggestions.yaml"
    if not path.is_file():
        return None
    return Suggestions.from_dict(_mapping(path, "a list of suggestions"), questionnaire(version), str(path))
