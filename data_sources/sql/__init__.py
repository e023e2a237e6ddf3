"""Write-side SQL: the schema, the staging and mart builds, the statements of each write.

Each ``.sql`` file here opens with a comment giving its grain (or what it
writes) and its ``$parameters``; values are always bound, never formatted in.
Read-side SQL lives in ``queries/``.
"""

from __future__ import annotations

import functools
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent


@functools.cache
def load(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file, in order."""
    return [s.strip() for s in load(name).split(";\n") if s.strip() and not _only_comments(s)]


def _only_comments(s: str) -> bool:
    return all(line.strip().startswith("--") or not line.strip() for line in s.splitlines())
