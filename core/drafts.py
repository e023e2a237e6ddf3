"""A unit's draft of the «Nộp báo cáo» form: ``<db>.drafts.json`` beside the published database, one entry
per unit × plan × period, kept until the report is sent (then removed). Every server process shares it, so
a draft typed on a phone is there on the office's laptop with the same link."""

from __future__ import annotations

import time
from pathlib import Path

from core import jsonfile

MAX_ANSWER = 5000  # characters kept per answer (the form refuses more than 1.000 for a text)


def path_for(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(f"{p.name}.drafts.json")


def _key(unit: str, plan: str, period: str) -> str:
    return f"{unit}|{plan}|{period}"


def read(db_path: str | Path, unit: str, plan: str, period: str) -> tuple[dict[str, str], float | None]:
    """(answers, when saved) or ({}, None)."""
    entry = jsonfile.read(path_for(db_path)).get(_key(unit, plan, period))
    if not isinstance(entry, dict) or not isinstance(entry.get("answers"), dict):
        return {}, None
    answers = {str(k): str(v) for k, v in entry["answers"].items() if isinstance(v, str)}
    at = entry.get("at")
    return answers, float(at) if isinstance(at, int | float) else None


def save(db_path: str | Path, unit: str, plan: str, period: str, answers: dict[str, str]) -> float:
    at = time.time()
    kept = {k: v[:MAX_ANSWER] for k, v in answers.items() if v}
    jsonfile.update(path_for(db_path), lambda d: {**d, _key(unit, plan, period): {"answers": kept, "at": at}})
    return at


def clear(db_path: str | Path, unit: str, plan: str, period: str) -> None:
    key = _key(unit, plan, period)
    jsonfile.update(path_for(db_path), lambda d: {k: v for k, v in d.items() if k != key})
