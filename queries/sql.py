"""The one place SQL text is loaded from: ``queries/*.sql``.

Each file opens with a comment giving its grain and its ``$parameters``. Values
are always bound (``$unit``), never formatted into the text.
"""

from __future__ import annotations

import functools
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent


@functools.cache
def load(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file, for DDL and builds."""
    return [s.strip() for s in load(name).split(";\n") if s.strip() and not _only_comments(s)]


def _only_comments(s: str) -> bool:
    return all(line.strip().startswith("--") or not line.strip() for line in s.splitlines())
