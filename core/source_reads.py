"""The latest read of each Google Sheets source: when it was last tried, when it last read well, its
error. A small JSON file beside the published database (``<db>.sources.json``), replaced atomically
by every refresh.

Why not in the database: a refresh that read no changed content would have to publish a new database
version only to write these times, and with ``versions_kept = 3`` a 15-minute cron then left versions
of the last 45 minutes alone: a bad import could not be rolled back past that. Now such a refresh
publishes nothing; ``ref.sources`` keeps the registration and what was recorded with the last import,
and readers take whichever of the two is newer (``merge``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core import jsonfile

FIELDS = ("last_attempt_at", "last_ok_at", "last_error")


def path_for(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(f"{p.name}.sources.json")


def _load(path: Path) -> dict[str, dict]:
    out = {}
    for sid, r in jsonfile.read(path).items():
        if not isinstance(r, dict):
            continue
        out[sid] = {
            "last_attempt_at": _time(r.get("last_attempt_at")),
            "last_ok_at": _time(r.get("last_ok_at")),
            "last_error": r.get("last_error") if isinstance(r.get("last_error"), str) else None,
        }
    return out


def _time(text) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def read(db_path: str | Path) -> dict[str, dict]:
    """Source id -> its latest read (times as datetimes, the error or None)."""
    return _load(path_for(db_path))


def write(db_path: str | Path, outcomes: dict[str, dict]) -> None:
    """Record this refresh's outcome per source: ``{"ok": True}`` or ``{"error": text}``, with
    ``"at"`` the time of the try. Other sources' entries stay. Atomic, one writer at a time."""

    def change(raw: dict) -> dict:
        current = {sid: r for sid, r in raw.items() if isinstance(r, dict)}
        for sid, o in outcomes.items():
            at = o["at"].isoformat(timespec="seconds")
            before = current.get(sid, {})
            current[sid] = {
                "last_attempt_at": at,
                "last_ok_at": at if o.get("ok") else before.get("last_ok_at"),
                "last_error": None if o.get("ok") else o.get("error"),
            }
        return current

    jsonfile.update(path_for(db_path), change)


def _known(t):
    """None for a missing time (None, or pandas' NaT, which is not equal to itself)."""
    return None if t is None or t != t else t


def merge(rows: list[dict], reads: dict[str, dict]) -> list[dict]:
    """The database's rows (``ref.sources``) with the newer of the two records of each source's read."""
    out = []
    for row in rows:
        r = reads.get(row["source_id"])
        tried = _known(row.get("last_attempt_at"))
        if r and r["last_attempt_at"] and (tried is None or r["last_attempt_at"] >= tried):
            oks = [t for t in (_known(row.get("last_ok_at")), r["last_ok_at"]) if t is not None]
            row = {**row, "last_attempt_at": r["last_attempt_at"], "last_error": r["last_error"],
                   "last_ok_at": max(oks) if oks else None}  # fmt: skip
        out.append(row)
    return out
