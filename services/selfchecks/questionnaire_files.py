"""Questionnaire files in the repository, loaded and validated once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from workflows.selfchecks.questionnaire import Questionnaire, QuestionnaireError

FOLDER = Path(__file__).resolve().parents[2] / "workflows" / "selfchecks" / "questionnaires"
LATEST = "2026.1"


def load(path: Path) -> Questionnaire:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionnaireError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise QuestionnaireError(f"{path}: not a questionnaire (a YAML mapping is expected)")
    return Questionnaire.from_dict(data, str(path))


@cache
def questionnaire(version: str) -> Questionnaire:
    path = FOLDER / f"weltoffen-{version}.yaml"
    if not path.is_file():
        raise LookupError(f"no questionnaire version {version}")
    return load(path)
