"""The one place read-side SQL text is loaded from: ``queries/*.sql``.

Each file opens with a comment giving its grain, its ``$parameters`` and its
columns. Values are always bound (``$scope``), never formatted into the text.

A line ``-- include: name`` stands for the whole text of ``name.sql`` (a query another one builds on,
kept in one place: ``reporting_counts.sql`` counts the rows of ``reporting.sql``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent
_INCLUDE = re.compile(r"^[ \t]*-- include: (\w+)[ \t]*$", re.MULTILINE)


@functools.cache
def load(name: str) -> str:
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: load(m[1]), text)
