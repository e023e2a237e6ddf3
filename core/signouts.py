"""When each person last signed out: ``<db>.signouts.json`` beside the published database.

Streamlit's sign-in cookie is signed and valid for 30 days; signing out deletes it in that browser only,
so a copy taken before (another browser, a stolen cookie) kept working. Every sign-out is recorded here
(one file shared by every server process, like the audit log) and a cookie whose sign-in (the ID token's
``iat``) is not later than the person's last sign-out is refused (``ui.access``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path


def path_for(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(f"{p.name}.signouts.json")


def _load(path: Path) -> dict[str, float]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}
    return (
        {str(k).lower(): float(v) for k, v in raw.items() if isinstance(v, int | float)}
        if isinstance(raw, dict)
        else {}
    )


def last(db_path: str | Path, email: str) -> float | None:
    """The person's last sign-out (seconds since the epoch), or None."""
    return _load(path_for(db_path)).get((email or "").lower())


def record(db_path: str | Path, email: str, at: float | None = None) -> None:
    path = path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(f"{path}.lock", os.O_WRONLY | os.O_CREAT, 0o640)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _load(path)
        data[(email or "").lower()] = at if at is not None else time.time()
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
