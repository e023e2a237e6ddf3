"""Every write the dashboard can make, in one module: upload, Google sources, refresh, unit mapping.

Pages call these, never ``data_sources`` directly (an import-linter contract
enforces it). Every action checks the viewer's role here, on the server,
whatever the page shows (``access.require`` raises ``access.Denied``), and is
recorded in the audit log. Each action publishes a new database version atomically
(``data_sources/publish/store.py``); the pages see it on their next rerun.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core import audit, drafts, links
from data_sources.load import cycle, web
from data_sources.load import refresh as gs
from data_sources.load.ingest import ImportSummary, ingest_paths
from data_sources.load.mappings import confirm
from data_sources.parse import entry
from data_sources.publish.store import StoreError
from data_sources.read.google import GoogleError
from data_sources.read.limits import Limits
from data_sources.read.readers import ReadError
from outputs import remind as mail
from ui import access, data
from ui.access import Denied
from ui.data import db_path

CycleError = cycle.CycleError
LinkError = links.LinkError
RemindError = mail.RemindError

__all__ = [
    "CycleError",
    "Denied",
    "GoogleError",
    "LinkError",
    "ReadError",
    "RefreshJob",
    "RemindError",
    "StoreError",
    "accept_change",
    "add_source",
    "approve",
    "confirm_mapping",
    "refresh_job",
    "refresh_running",
    "reject_change",
    "remind",
    "renew_link",
    "return_report",
    "save_users",
    "send_reminders",
    "service_account",
    "start_refresh",
    "submit_report",
    "unlock",
    "upload",
    "upload_limit_mb",
]

# what ingestion reads (data_sources/read/readers.READERS): Excel, Excel 97-2003, LibreOffice, CSV and
# Excel's "Unicode text" (.txt, tab-separated UTF-16)
UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt"]


def upload_limit_mb() -> int:
    """The upload widget's limit per file: the import's own file size limit (``[gioi_han] tep_toi_da_mb``), so
    a file the import would refuse is refused by the widget before it is sent."""
    return Limits.current().file_mb


def upload(files, progress: Callable[[float, str], None] | None = None) -> ImportSummary:
    """Import uploaded files (Streamlit ``UploadedFile``s) exactly as the CLI imports paths: read all,
    then one atomic publish. ``progress(fraction, text)`` hears each file and step.
    Raises ReadError (nothing written) when one of them cannot be read, StoreError when the new version cannot
    be written (disk full: nothing published)."""
    v = access.require("nhap_tep")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for up in files:
            p = Path(tmp) / Path(up.name).name
            p.write_bytes(up.getvalue())
            paths.append(p)
        summary = ingest_paths(paths, db_path(), progress=progress)
    # an import that changed nothing wrote no version: its number was never published and is used again
    number = {"import_id": summary.import_id} if summary.published else {}
    access.record(v, "nhap_tep", files=[f.name for f in files], **number, **summary.totals)
    return summary


def service_account() -> tuple[dict | None, str | None]:
    """The Google service account key from secrets or GOOGLE_APPLICATION_CREDENTIALS, and an error
    to show (the kind of error only: never the key)."""
    try:
        secrets = (
            {"gcp_service_account": st.secrets["gcp_service_account"]} if "gcp_service_account" in st.secrets else None
        )
    except Exception:  # no secrets.toml at all
        secrets = None
    try:
        return gs.load_service_account(secrets), None
    except (OSError, ValueError):
        return (
            None,
            "Không đọc được khóa tài khoản dịch vụ Google: tệp khóa không mở được hoặc nội dung không phải khóa "
            "JSON hợp lệ. Quản trị viên kiểm tra GOOGLE_APPLICATION_CREDENTIALS hoặc mục gcp_service_account.",
        )


def add_source(link: str, tabs: str, label: str) -> str:
    v = access.require("lam_moi")
    sid = gs.add_source(db_path(), link, tabs, label)
    access.record(v, "them_nguon", source=sid, label=label)
    return sid


@dataclass
class RefreshJob:
    """A Google refresh running in the server, apart from any page: the page that started it (and any
    other, in this process) shows its progress and stays usable; one at a time per database."""

    db: str
    who: str
    started: dt.datetime
    total: int = 0
    done: int = 0
    current: str = ""
    finished: bool = False
    outcome: tuple[bool, str, str] | None = None  # (any sheet failed, headline, the full summary)


_JOBS: dict[str, RefreshJob] = {}
_JOBS_LOCK = threading.Lock()


def refresh_job() -> RefreshJob | None:
    """The refresh of this database running now, or the last one this process ran."""
    return _JOBS.get(db_path())


def refresh_running() -> bool:
    job = refresh_job()
    return job is not None and not job.finished


def start_refresh(sa: dict | None) -> RefreshJob:
    """Start refreshing every Google source in the background (a second click joins the running one)."""
    v = access.require("lam_moi")
    db = db_path()
    with _JOBS_LOCK:
        job = _JOBS.get(db)
        if job is not None and not job.finished:
            return job
        job = _JOBS[db] = RefreshJob(db, v.name or v.email or "", dt.datetime.now().replace(microsecond=0))
    threading.Thread(target=_run_refresh, args=(job, v, sa), daemon=True, name="nq71-refresh").start()
    return job


def _run_refresh(job: RefreshJob, v, sa: dict | None) -> None:
    def progress(i: int, n: int, name: str) -> None:
        job.done, job.total, job.current = i, n, name

    who = v.email or "(dữ liệu mẫu)"
    try:
        r = gs.refresh(job.db, sa, progress=progress)
        audit.record(job.db, who, v.role, "lam_moi", read=len(r.read), unchanged=len(r.unchanged), failed=len(r.failed))
        headline = f"Đọc {len(r.read)} bảng, không đổi {len(r.unchanged)}, lỗi {len(r.failed)}."
        job.outcome = (bool(r.failed), headline, r.text())
    except GoogleError as e:  # the key itself cannot be used: nothing was read, the page says why
        audit.record(job.db, who, v.role, "lam_moi", read=0, unchanged=0, failed="tất cả", error=e.message)
        job.outcome = (True, "Không làm mới được.", e.message)
    except Exception:  # never a traceback on a page: the server's log has it, the page says where to look
        traceback.print_exc(file=sys.stderr)
        audit.record(
            job.db, who, v.role, "lam_moi", read=0, unchanged=0, failed="tất cả", error="lỗi không lường trước"
        )
        job.outcome = (
            True,
            "Không làm mới được.",
            "Lỗi không lường trước khi làm mới; quản trị viên xem nhật ký máy chủ.",
        )
    finally:
        job.finished = True


def confirm_mapping(unit_key: str, written_name: str, unit_code: str) -> None:
    v = access.require("anh_xa")
    confirm(db_path(), unit_key, written_name, unit_code)
    access.record(v, "anh_xa", written=written_name, unit=unit_code)


def save_users(rows: list[dict[str, str]]) -> None:
    """Replace the users list (administrator only); every row needs an e-mail and a known role."""
    v = access.require("nguoi_dung")
    roles = set(access.catalog.roles())
    for i, r in enumerate(rows, 1):
        if not r.get("email") or "@" not in r["email"]:
            raise ValueError(f"Dòng {i}: thiếu địa chỉ thư điện tử hợp lệ.")
        if r.get("vai_tro") not in roles:
            words = ", ".join(r.label for r in access.catalog.roles().values())
            raise ValueError(f"Dòng {i} ({r['email']}): chưa chọn vai trò (một trong: {words}).")
    before = {r["email"] for r in access.read_users()}
    access.write_users(rows)
    after = {r["email"] for r in rows}
    access.record(v, "nguoi_dung", added=sorted(after - before), removed=sorted(before - after), total=len(rows))


def exports_recorded() -> bool:
    """Whether this viewer's downloads go to the audit log: the whole province (an unrestricted
    scope), not a unit's own, not the demo."""
    v = access.current()
    return v.scope.unrestricted and not v.demo


def _record_export(v: access.Viewer, name: str, rows: int) -> None:
    access.record(v, "xuat_toan_bo", file=name, rows=rows)


def record_export(name: str, rows: int) -> None:
    """A download of the whole province (an unrestricted scope) is recorded; a unit's own is not."""
    if exports_recorded():
        _record_export(access.current(), name, rows)


def export_file(build, df, name: str):
    """The file of a download button, built only when clicked. Streamlit calls it outside the
    script run, so whether it is recorded, and under whom, is decided by the run that drew the
    button (``exports_recorded``): a download of the whole province is recorded when its file is
    built; a unit's own is not."""
    v, recorded = access.current(), exports_recorded()

    def file():
        content = build(df)
        if recorded:
            _record_export(v, name, len(df))
        return content

    return file


# ---------------------------------------------------------------- the reporting cycle (role: duyet)


def _cycle_viewer(units: list[str]) -> tuple[access.Viewer, str]:
    """The viewer allowed to decide on ``units`` (role with «duyet», every unit in scope) and the name
    written into the history."""
    v = access.require("duyet")
    outside = [u for u in units if not v.scope.allows(u)]
    if outside:
        names = data.lookups().get("names", {})
        listed = ", ".join(f"{names.get(u, 'đơn vị')} ({u})" for u in outside)
        access.refuse(v, "duyet", f"{listed}: ngoài phạm vi của tài khoản này.", units=outside)
    return v, v.name or v.email or "không rõ"


def approve(quarter: str, units: list[str]) -> list[str]:
    v, who = _cycle_viewer(units)
    lines = cycle.approve(db_path(), quarter, units, who)
    access.record(v, "duyet", quarter=quarter, units=units)
    return lines


def return_report(quarter: str, unit: str, reason: str) -> str:
    v, who = _cycle_viewer([unit])
    line = cycle.return_report(db_path(), quarter, unit, reason, who)
    access.record(v, "tra_lai", quarter=quarter, unit=unit, reason=reason)
    return line


def unlock(quarter: str, unit: str, reason: str) -> str:
    v, who = _cycle_viewer([unit])
    line = cycle.unlock(db_path(), quarter, unit, reason, who)
    access.record(v, "mo_khoa", quarter=quarter, unit=unit, reason=reason)
    return line


def accept_change(change_id: int) -> str:
    """Accept a pending change; the scope check and the audit line use the change's own unit, read
    from the database (never a unit the caller names)."""
    access.require("duyet")  # the right first: nothing is looked up for a role without it
    unit = cycle.change_unit(db_path(), change_id)
    v, who = _cycle_viewer([unit])
    line = cycle.accept(db_path(), change_id, who)
    access.record(v, "chap_nhan", change=change_id, unit=unit)
    return line


def reject_change(change_id: int) -> str:
    access.require("duyet")
    unit = cycle.change_unit(db_path(), change_id)
    v, who = _cycle_viewer([unit])
    line = cycle.reject(db_path(), change_id, who)
    access.record(v, "tu_choi", change=change_id, unit=unit)
    return line


def remind(quarter: str, units: list[str]) -> int:
    v, who = _cycle_viewer(units)
    n = cycle.remind(db_path(), quarter, units, who)
    access.record(v, "nhac", quarter=quarter, units=units)
    return n


def link_grant(token: str) -> links.Grant:
    """What a personal link opens (``core.links``), checked on the server each time; LinkError says why not.
    Wrong tokens are counted per visitor's address."""
    return links.open_link(db_path(), token, data.visitor_address())


@dataclass(frozen=True)
class Sent:
    summary: ImportSummary | None  # None when the answers were refused
    problems: dict[str, str]  # field code -> the reader's message (empty when sent)
    at: dt.datetime | None = None


def submit_report(unit: str, plan: str, period: str, answers: dict[str, str], token: str | None = None) -> Sent:
    """Send a unit's report from the «Nộp báo cáo» form: by its personal link (``token``, re-checked here:
    it must name this unit, plan and period) or by a signed-in person whose role may report for ``unit``.
    The answers are checked again with the reader's rules; then ingested as source «web» and audited."""
    if token is not None:
        grant = link_grant(token)
        if (grant.unit, grant.plan, grant.period) != (unit, plan, period):
            raise Denied("Đường dẫn riêng chỉ mở báo cáo của đúng đơn vị và kỳ ghi trong đường dẫn.")
        sender = web.Sender("lien_ket", f"đường dẫn riêng (lần cấp {grant.generation})", grant.generation)
        who, role = f"đường dẫn riêng của đơn vị {unit}", None
    else:
        v = access.require("nop_bao_cao")
        if not v.scope.allows(unit):
            access.refuse(v, "nop_bao_cao", f"Đơn vị {unit} ngoài phạm vi của tài khoản này.", unit=unit)
        sender = web.Sender("tai_khoan", v.email or "dữ liệu mẫu (demo)")
        who, role = v.email or "(dữ liệu mẫu)", v.role
    problems = entry.check(answers, plan)
    if problems:
        return Sent(None, problems)
    at = dt.datetime.now().replace(microsecond=0)
    name = data.lookups().get("names", {}).get(unit, unit)
    summary = web.submit(db_path(), unit, name, plan, period, answers, sender, at=at)
    drafts.clear(db_path(), unit, plan, period)
    audit.record(db_path(), who, role, "nop_bao_cao", unit=unit, plan=plan, period=period, import_id=summary.import_id)
    return Sent(summary, {}, at)


def save_draft(unit: str, plan: str, period: str, answers: dict[str, str], token: str | None = None) -> float:
    """Keep the form's answers until they are sent (same checks of who may write as sending)."""
    if token is not None:
        grant = link_grant(token)
        if (grant.unit, grant.plan, grant.period) != (unit, plan, period):
            raise Denied("Đường dẫn riêng chỉ mở báo cáo của đúng đơn vị và kỳ ghi trong đường dẫn.")
    else:
        v = access.require("nop_bao_cao")
        if not v.scope.allows(unit):
            access.refuse(v, "nop_bao_cao", f"Đơn vị {unit} ngoài phạm vi của tài khoản này.", unit=unit)
    return drafts.save(db_path(), unit, plan, period, answers)


def send_reminders(plan: str, quarter: str, units: list[str]) -> mail.Run:
    """E-mail the reminder to each of ``units`` still missing its report of ``quarter`` (read again from the
    database: a unit that sent it meanwhile, or is not missing at all, gets nothing), through the
    deployment's mail server (``outputs.remind``). Role «duyet», every unit in scope; audited, also when
    the server refuses the whole run (RemindError, nothing sent)."""
    v, who = _cycle_viewer(units)
    rows = mail.missing(db_path(), plan, quarter)
    rows = rows[rows.unit_code.isin(set(units))]
    try:
        run = mail.send(db_path(), plan, quarter, rows, who)
    except mail.RemindError as e:
        access.record(v, "gui_thu_nhac", quarter=quarter, plan=plan, error=str(e))
        raise
    access.record(v, "gui_thu_nhac", **mail.audit_detail(run))
    return run


def mail_ready() -> tuple[bool, str]:
    """Whether the reminders can be e-mailed (``[smtp]`` set), and what to set when not."""
    try:
        return (mail.smtp_settings() is not None), mail.NOT_CONFIGURED
    except mail.RemindError as e:
        return False, str(e)


def renew_link(unit: str, plan: str, period: str) -> str:
    """A new personal link for ``unit`` (every earlier one of that unit stops working, ``core.links.revoke``);
    returns the new link for ``plan`` and ``period``. Role: ``bieu_mau``; the unit in scope; audited."""
    v = access.require("bieu_mau")
    if not v.scope.allows(unit):
        access.refuse(v, "bieu_mau", f"Đơn vị {unit} ngoài phạm vi của tài khoản này.", unit=unit)
    links.revoke(db_path(), unit, by=v.email or "dữ liệu mẫu (demo)")
    access.record(v, "cap_lai_lien_ket", unit=unit, plan=plan, period=period)  # the link itself is never logged
    return links.url(db_path(), unit, plan, period)
