"""The audit log: who did what, when (refresh, upload, mapping, approval, user change, export).

An append-only JSON Lines file beside the published database
(``<db>.audit.jsonl``): the DuckDB file is replaced on every publish and
allows one writer, while an audit record must be written at once by whichever
server process served the action. Each record is one line written under an
exclusive lock, so several processes append without interleaving.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from core import jsonfile


def path_for(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(f"{p.name}.audit.jsonl")


def record(db_path, who: str, role: str | None, action: str, **detail) -> None:
    """Append one event; ``detail`` holds names and counts (never a secret)."""
    event = {"at": dt.datetime.now().isoformat(timespec="seconds"), "who": who, "role": role, "action": action}
    jsonfile.append_lines(path_for(db_path), [{**event, "detail": detail}])


def events(db_path, limit: int = 500) -> list[dict]:
    """The latest events, newest first."""
    path = path_for(db_path)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in reversed(lines[-limit:]) if line.strip()]
