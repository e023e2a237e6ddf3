"""The one place read-side SQL text is loaded from: ``queries/*.sql``.

Each file opens with a comment giving its grain, its ``$parameters`` and its
columns. Values are always bound (``$scope``), never formatted into the text.
"""

from __future__ import annotations

import functools
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent


@functools.cache
def load(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
