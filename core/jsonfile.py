"""A small JSON file beside the published database, changed by several server processes: read whole,
updated under an exclusive lock and replaced atomically (a reader never sees half a file). Used for
the sources' latest reads (core/source_reads.py) and the sign-outs (core/signouts.py)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path


def read(path: Path) -> dict:
    """The file's object, or {} when it is missing or not a JSON object (a half-written file from a crash)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def update(path: Path, change: Callable[[dict], dict]) -> None:
    """``change`` the file's object under an exclusive lock, then replace the file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(f"{path}.lock", os.O_WRONLY | os.O_CREAT, 0o640)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = change(read(path))
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)


def append_lines(path: Path, entries: list[dict]) -> None:
    """Append one JSON line per entry to a log (``<db>.audit.jsonl``, ``<db>.mail.jsonl``) under an exclusive
    lock, in one write: several processes append without interleaving their lines."""
    if not entries:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in entries)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
