"""When each person last signed out: ``<db>.signouts.json`` beside the published database.

Streamlit's sign-in cookie is signed and valid for 30 days; signing out deletes it in that browser only,
so a copy taken before (another browser, a stolen cookie) kept working. Every sign-out is recorded here
(one file shared by every server process, like the audit log) and a cookie whose sign-in (the ID token's
``iat``) is not later than the person's last sign-out is refused (``ui.access``).
"""

from __future__ import annotations

import time
from pathlib import Path

from core import jsonfile


def path_for(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(f"{p.name}.signouts.json")


def last(db_path: str | Path, email: str) -> float | None:
    """The person's last sign-out (seconds since the epoch), or None."""
    value = jsonfile.read(path_for(db_path)).get((email or "").lower())
    return float(value) if isinstance(value, int | float) else None


def record(db_path: str | Path, email: str, at: float | None = None) -> None:
    key, when = (email or "").lower(), at if at is not None else time.time()
    jsonfile.update(path_for(db_path), lambda data: {**data, key: when})
