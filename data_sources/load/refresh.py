"""Google Sheets sources: remember the links, refresh them, keep the last good data.

A spreadsheet that fails keeps the data of its last good read (its rows stay
live: only a newer read of the same tab replaces them) and its row in
``ref.sources`` records when it was last read well and the error of the last
attempt. A spreadsheet whose Drive ``modifiedTime`` has not changed since its
last good read is not read again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core import catalog, source_reads
from core.db import connect_read

from ..publish.store import publishing
from ..read.google import GoogleError, SheetsReader, parse_sheet_link
from ..sql import load


def load_service_account(secrets: dict | None = None) -> dict | None:
    """The service-account key: st.secrets["gcp_service_account"], else GOOGLE_APPLICATION_CREDENTIALS,
    else .streamlit/secrets.toml read directly (for cron). None means public links only."""
    if secrets and secrets.get("gcp_service_account"):
        return dict(secrets["gcp_service_account"])
    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    configured = catalog.settings().get("secrets")  # the province's secrets file (NQ71_CONFIG), for systemd/cron
    toml = Path(configured) if configured else catalog.ROOT / ".streamlit" / "secrets.toml"
    if toml.exists():
        with open(toml, "rb") as f:
            data = tomllib.load(f)
        if data.get("gcp_service_account"):
            return dict(data["gcp_service_account"])
    return None


def add_source(db, link: str, tabs: str = "", label: str = "") -> str:
    ref = parse_sheet_link(link)
    if len(label.strip()) > 200 or len(tabs.strip()) > 2000:
        raise GoogleError("Tên hiển thị (tối đa 200 ký tự) hoặc danh sách trang (tối đa 2.000 ký tự) quá dài.")
    now = dt.datetime.now().replace(microsecond=0)
    with publishing(db) as con:
        con.execute(
            load("source_upsert"),
            {"id": ref.spreadsheet_id, "url": ref.url, "tabs": tabs.strip(), "label": label.strip(), "now": now},
        )
    return ref.spreadsheet_id


def remove_source(db, source_id: str) -> None:
    with publishing(db) as con:
        con.execute(load("source_delete"), {"id": source_id})


def add_sources_file(db, path: str | Path) -> int:
    """A sources file: CSV with columns url[,tabs][,label]."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if (r.get("url") or "").strip()]
    for r in rows:
        add_source(db, r["url"], r.get("tabs") or "", r.get("label") or "")
    return len(rows)


def list_sources(db) -> list[dict]:
    if not Path(db).exists():
        return []
    con = connect_read(db)
    try:
        cur = con.execute(load("sources_all"))
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    return source_reads.merge(rows, source_reads.read(db))  # the latest try may be newer than the database


@dataclass
class RefreshResult:
    read: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    summary: object = None
    requests: int = 0
    labels: dict[str, str] = field(default_factory=dict)  # sheet id -> its name, for the lines

    def text(self) -> str:
        lines = [
            f"Làm mới {len(self.read) + len(self.unchanged) + len(self.failed)} bảng: "
            f"đọc {len(self.read)}, không đổi {len(self.unchanged)}, lỗi {len(self.failed)} "
            f"({self.requests} lượt gọi Google)"
        ]
        for sid, err in self.failed.items():
            name = self.labels.get(sid)
            lines.append(f"  ✗ «{name}» ({sid}): {err}" if name else f"  ✗ {sid}: {err}")
        if self.summary is not None:
            lines.append(self.summary.text())
        return "\n".join(lines)


def refresh(
    db,
    service_account_info: dict | None = None,
    deadline_s: float = 600,
    progress: Callable[[int, int, str], None] | None = None,
    reader: SheetsReader | None = None,
    now: dt.datetime | None = None,
) -> RefreshResult:
    from .ingest import ingest_tabs

    sources = list_sources(db)
    reader = reader or SheetsReader(service_account_info, deadline_s=deadline_s)
    result = RefreshResult()
    tabs = []
    status: dict[str, dict] = {}
    now = now or dt.datetime.now().replace(microsecond=0)
    offline: GoogleError | None = None
    for i, src in enumerate(sources):
        sid = src["source_id"]
        result.labels[sid] = src.get("label") or ""
        if progress:
            progress(i, len(sources), src.get("label") or sid)
        wanted = {t.strip() for t in (src.get("tabs") or "").split(",") if t.strip()}
        last_modified = (src.get("last_modified") or "") if src.get("last_ok_at") else ""
        if offline is not None:  # the machine cannot reach Google: no call for the sheets left
            result.failed[sid] = offline.message
            status[sid] = {"error": offline.message}
            continue
        try:
            got = reader.fetch(parse_sheet_link(sid), wanted, last_modified)
        except GoogleError as e:
            result.failed[sid] = e.message
            status[sid] = {"error": e.message}
            offline = e if e.network else None
            continue
        if got.unchanged:
            result.unchanged.append(sid)
            status[sid] = {"ok": True, "modified": got.modified, "label": got.title}
            continue
        tabs += got.tabs
        result.read.append(sid)
        status[sid] = {"ok": True, "modified": got.modified, "label": got.title}
    if progress:
        progress(len(sources), len(sources), "")
    result.requests = reader.calls

    def record(con) -> None:
        for sid, s in status.items():
            if s.get("ok"):
                con.execute(
                    load("source_read_ok"),
                    {"now": now, "m": s["modified"], "label": s.get("label") or "", "id": sid},
                )
            else:
                con.execute(
                    load("source_read_failed"),
                    {"now": now, "e": s["error"], "id": sid},
                )

    # every try is recorded beside the database; a new version only when changed content was read
    source_reads.write(db, {sid: {"at": now, **s} for sid, s in status.items()})
    if tabs:
        result.summary = ingest_tabs(tabs, db, on_publish=record)
    return result
