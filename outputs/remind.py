"""Reminder e-mails to the units whose report is missing (issue 26): one message per unit, to the
roster's addresses (``email``: several separated by «;» or «,»), saying what is missing, the deadline
and the unit's personal link (``core.links``), sent through the deployment's SMTP server with
STARTTLS (``smtplib``, standard library).

- *Missing*: an expected unit of the quarter whose state is ``chua_nop`` (no report yet, before or
  after the deadline) or ``tra_lai`` (returned, not sent again) — :func:`missing`.
- The server: section ``[smtp]`` of the secrets file (``secrets`` in the configuration, else
  ``.streamlit/secrets.toml``), each key overridable by ``NQ71_SMTP_<KEY>`` — :func:`smtp_settings`.
  STARTTLS with the server's certificate checked is required, unless ``tls = "none"`` names a local
  relay without TLS.
- The log: ``<db>.mail.jsonl``, one JSON line per unit tried (to whom, the outcome, the server's answer:
  code and text) and one per run the server refused as a whole. Never the password.
- The window: a unit is not mailed again for the same quarter within ``[nhac] khoang_cach_gio`` hours
  of the last message the log says was accepted by the server.
- Each message accepted is counted in ``cycle.reminders`` (``data_sources.load.cycle.remind``), so the
  chase list's «Đã nhắc (lần)» moves. The callers audit (``ui.actions`` through ``access.record``, the
  command line through ``core.audit``).

No streamlit here: ``ui/actions.py`` (the chase list's button) and ``outputs/__main__.py`` (cron) call
:func:`send`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import fcntl
import json
import os
import re
import smtplib
import socket
import ssl
import sys
import tomllib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pandas as pd

import queries
from core import audit, catalog, fmt, jsonfile, links
from core.db import connect_read
from core.periods import PeriodSel, phrase
from data_sources.load import cycle

# what happened to one unit (the log's ``outcome``; people read LABELS)
SENT, SKIPPED, NO_ADDRESS, REFUSED, FAILED, DRY = "da_gui", "vua_nhac", "khong_dia_chi", "tu_choi", "loi", "se_gui"
LABELS = {
    SENT: "Đã gửi",
    SKIPPED: "Bỏ qua (vừa nhắc)",
    NO_ADDRESS: "Không có địa chỉ thư",
    REFUSED: "Bị từ chối",
    FAILED: "Chưa gửi được",
    DRY: "Sẽ gửi (chạy thử)",
}
ADDRESS = re.compile(r"^[A-Za-z0-9._%+!#$&'*/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
KEYS = ("server", "port", "username", "password", "sender", "tls", "ca_file", "timeout")


class RemindError(RuntimeError):
    """The mail server could not be used at all (nothing was sent): what, and what to do (Vietnamese)."""


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)  # never printed, logged or audited
    sender: str = ""
    tls: str = "starttls"  # "starttls" (required) | "none" (a local relay only)
    ca_file: str = ""  # a CA bundle for a relay with an internal certificate authority
    timeout: float = 30.0


@dataclass(frozen=True)
class Result:
    """One unit's line of a run."""

    unit: str
    name: str
    state: str  # chua_nop | tra_lai
    to: tuple[str, ...]
    outcome: str  # SENT | SKIPPED | NO_ADDRESS | REFUSED | FAILED | DRY
    code: int | None = None  # the server's answer to the message (or to the refused command)
    answer: str = ""
    note: str = ""  # in words: when it was last sent, which address was refused, …

    @property
    def label(self) -> str:
        return LABELS[self.outcome]


@dataclass
class Run:
    plan: str
    quarter: str
    results: list[Result]
    counted: int = 0  # reminders written to cycle.reminders
    warning: str = ""  # the mails went, but something after them did not (counting)

    def of(self, outcome: str) -> list[Result]:
        return [r for r in self.results if r.outcome == outcome]

    def summary(self) -> str:
        """One Vietnamese sentence: how many sent, skipped, without address, refused."""
        n = {k: len(self.of(k)) for k in LABELS}
        parts = [f"{fmt.number(n[SENT])} đơn vị đã gửi thư"] if not n[DRY] else [f"{fmt.number(n[DRY])} đơn vị sẽ gửi"]
        parts += [
            f"{fmt.number(n[SKIPPED])} đơn vị bỏ qua vì vừa được nhắc",
            f"{fmt.number(n[NO_ADDRESS])} đơn vị không có địa chỉ thư",
            f"{fmt.number(n[REFUSED] + n[FAILED])} đơn vị bị từ chối hoặc chưa gửi được",
        ]
        return f"Nhắc báo cáo {phrase(self.quarter)}: " + "; ".join(parts) + "."

    def lines(self) -> list[str]:
        """The summary, then one line per unit (the command line prints them)."""
        out = [self.summary()]
        for r in self.results:
            to = ", ".join(r.to) or "—"
            extra = f" ({r.note})" if r.note else ""
            out.append(f"- {r.name} ({r.unit}) · {to}: {r.label}{extra}")
        if self.warning:
            out.append(self.warning)
        return out


# ---------------------------------------------------------------- settings


def _secrets_file() -> Path:
    configured = catalog.settings().get("secrets")  # the province's secrets file (NQ71_CONFIG), for cron
    return Path(configured) if configured else catalog.ROOT / ".streamlit" / "secrets.toml"


def smtp_settings() -> SmtpSettings | None:
    """The mail server, or None when it is not configured (no server or no sender). Raises RemindError
    when a value cannot be used (a port that is not a number, a tls that is neither)."""
    own: dict = {}
    f = _secrets_file()
    if f.exists():
        try:
            with open(f, "rb") as fh:
                own = dict(tomllib.load(fh).get("smtp", {}))
        except (OSError, tomllib.TOMLDecodeError):
            raise RemindError(
                f"Không đọc được tệp bí mật «{f}» (sai cú pháp TOML hoặc không có quyền đọc): chưa gửi thư nào."
            ) from None
    for key in KEYS:
        if env := os.environ.get(f"NQ71_SMTP_{key.upper()}", "").strip():
            own[key] = env
    if not str(own.get("server", "")).strip() or not str(own.get("sender", "")).strip():
        return None
    try:
        port, timeout = int(own.get("port", 587)), float(own.get("timeout", 30))
    except (TypeError, ValueError):
        raise RemindError("Mục [smtp]: port và timeout phải là số (ví dụ port = 587).") from None
    tls = str(own.get("tls", "starttls")).strip().lower()
    if tls not in ("starttls", "none"):
        raise RemindError(
            f'Mục [smtp]: tls = «{tls}» không hợp lệ; dùng "starttls" (mặc định), hoặc "none" chỉ cho máy chủ '
            "chuyển tiếp nội bộ không mã hóa."
        )
    return SmtpSettings(
        server=str(own["server"]).strip(),
        port=port,
        username=str(own.get("username", "")).strip(),
        password=str(own.get("password", "")),
        sender=str(own["sender"]).strip(),
        tls=tls,
        ca_file=str(own.get("ca_file", "")).strip(),
        timeout=timeout,
    )


NOT_CONFIGURED = (
    "Chưa cấu hình máy chủ thư: điền mục [smtp] (server, port, username, password, sender) trong "
    ".streamlit/secrets.toml hoặc tệp bí mật của tỉnh (xem .streamlit/secrets.toml.example), hoặc các biến "
    "môi trường NQ71_SMTP_SERVER, NQ71_SMTP_SENDER …"
)


def _nhac() -> dict:
    """``[nhac]``: the province's file may set some keys only (the window); the rest are the catalog's."""
    with open(catalog.CATALOG_DIR / "deployment.toml", "rb") as f:
        shipped = tomllib.load(f).get("nhac", {})
    return {"khoang_cach_gio": 72} | shipped | catalog.settings().get("nhac", {})


def window_hours() -> float:
    return float(_nhac()["khoang_cach_gio"])


# ---------------------------------------------------------------- who, and when


def quarter_arg(text: str, today: dt.date) -> str:
    """``--period``: a quarter code (2026-Q3), or ``quy-truoc``: the quarter before today's (the one whose
    report is due in the first weeks of this quarter)."""
    text = (text or "").strip()
    if text == "quy-truoc":
        q = (today.month - 1) // 3 + 1
        return f"{today.year - 1}-Q4" if q == 1 else f"{today.year}-Q{q - 1}"
    if not cycle.QUARTER.match(text):
        raise RemindError(f"Kỳ «{text}» không đúng dạng quý (ví dụ 2026-Q3), hoặc quy-truoc (quý trước hôm nay).")
    return text


def due(plan: str, quarter: str, days_before: int | None, today: dt.date) -> tuple[bool, str]:
    """Whether a scheduled run reminds today: when the deadline is ``days_before`` or fewer days away,
    or passed (``None``: always). With the sentence that says why not."""
    deadline = catalog.deadline_of(plan, quarter)
    left = (deadline - today).days
    if days_before is None or left <= days_before:
        return True, ""
    return False, (
        f"Chưa đến lúc nhắc: hạn báo cáo {phrase(quarter)} là {fmt.date(deadline)}, còn {fmt.number(left)} ngày "
        f"(chỉ nhắc khi còn {fmt.number(days_before)} ngày trở xuống hoặc đã quá hạn). Không gửi thư nào."
    )


def missing(db: str | Path, plan: str, quarter: str, today: dt.date | None = None) -> pd.DataFrame:
    """The expected units of ``quarter`` (every level the plan follows) without a report or returned:
    :func:`queries.submissions`' rows whose state is chua_nop or tra_lai."""
    con = connect_read(db)
    try:
        parts = [
            queries.submissions(con, plan, PeriodSel(quarter), queries.Scope.everything(), level=lv, today=today)
            for lv in catalog.plan_levels(plan)
        ]
    finally:
        con.close()
    subs = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
    subs = subs.drop_duplicates("unit_code")
    return subs[subs.state.isin(["chua_nop", "tra_lai"])].sort_values(["state_order", "unit_name"])


def addresses(text: str) -> tuple[list[str], list[str]]:
    """The roster's ``email`` cell: the addresses (separated by «;» or «,»), and those not usable."""
    good, bad = [], []
    for a in re.split(r"[;,\s]+", text or ""):
        a = a.strip().strip("<>")
        if a:
            (good if ADDRESS.match(a) else bad).append(a)
    return list(dict.fromkeys(good)), bad


# ---------------------------------------------------------------- the log


def log_path(db: str | Path) -> Path:
    p = Path(db)
    return p.with_name(f"{p.name}.mail.jsonl")


def _log(db: str | Path, entries: list[dict]) -> None:
    jsonfile.append_lines(log_path(db), entries)


def log(db: str | Path) -> list[dict]:
    """Every line of the log, oldest first (a line that is not JSON, from a crash, is left out)."""
    path = log_path(db)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def last_sent(db: str | Path, quarter: str) -> dict[str, dt.datetime]:
    """When each unit was last sent a reminder for ``quarter`` (messages the server accepted)."""
    out: dict[str, dt.datetime] = {}
    for e in log(db):
        if e.get("outcome") == SENT and e.get("quarter") == quarter and e.get("unit"):
            try:
                out[e["unit"]] = max(out.get(e["unit"], dt.datetime.min), dt.datetime.fromisoformat(e["at"]))
            except (TypeError, ValueError):
                continue
    return out


# ---------------------------------------------------------------- the message


def _office(plan: str) -> str:
    for r in catalog.read_csv("plans.csv"):
        if r["plan"] == plan:
            return r.get("co_quan") or ""
    return ""


def _deadline_words(deadline: dt.date, today: dt.date) -> str:
    left = (deadline - today).days
    if left > 0:
        return f"còn {fmt.number(left)} ngày"
    if left == 0:
        return "hôm nay là ngày cuối"
    return f"đã quá hạn {fmt.number(-left)} ngày"


def message(db: str | Path, row, plan: str, quarter: str, to: list[str], sender: str, today: dt.date) -> EmailMessage:
    """The reminder of one unit (plain text, Vietnamese, the templates of ``[nhac]``)."""
    s = _nhac()
    office = _office(plan)
    deadline = catalog.deadline_of(plan, quarter)
    ends = links.expires(plan, quarter)
    who = catalog.settings().get("lien_he_quan_tri", office)
    if today <= ends:
        link = (
            f"{links.url(db, row.unit_code, plan, quarter)}\n(Đường dẫn riêng của đơn vị, dùng được đến hết ngày "
            f"{fmt.date(ends)}; không chuyển cho đơn vị khác.)"
        )
    else:
        link = (
            f"(Đường dẫn nộp trực tuyến của kỳ này đã hết hạn ngày {fmt.date(ends)}: đề nghị đơn vị cập nhật vào "
            f"bảng tính chung hoặc liên hệ {who}.)"
        )
    template = s["thu_tra_lai"] if row.state == "tra_lai" else s["thu_chua_nop"]
    values = {
        "don_vi": row.unit_name,
        "nguoi_lien_he": f" (đ/c {row.contact})" if row.contact else "",
        "ky": phrase(quarter),
        "han": fmt.date(deadline),
        "tinh_trang_han": _deadline_words(deadline, today),
        "ly_do": row.reason if isinstance(row.reason, str) and row.reason else "(không ghi)",
        "co_quan": office,
        "lien_ket": link,
        "lien_he": who,
    }
    msg = EmailMessage()
    msg["Subject"] = s["tieu_de"].format(**values)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=email.utils.parseaddr(sender)[1].rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-reply loops
    msg.set_content(template.format(**values).replace("\\n", "\n"))
    return msg


# ---------------------------------------------------------------- sending


def _connect(cfg: SmtpSettings) -> smtplib.SMTP:
    where = f"{cfg.server}:{cfg.port}"
    fix = "Kiểm tra server và port trong mục [smtp] của tệp bí mật. Chưa gửi thư nào."
    try:
        smtp = smtplib.SMTP(cfg.server, cfg.port, timeout=cfg.timeout)
    except TimeoutError:
        raise RemindError(
            f"Máy chủ thư {where} không trả lời (hết thời gian chờ): kiểm tra máy chủ này có mở cổng {cfg.port} ra "
            f"ngoài không (tường lửa). {fix}"
        ) from None
    except ConnectionRefusedError:
        raise RemindError(
            f"Máy chủ thư {where} từ chối kết nối (không có dịch vụ thư ở cổng {cfg.port}). {fix}"
        ) from None
    except socket.gaierror:
        raise RemindError(
            f"Không tìm thấy máy chủ thư «{cfg.server}» (tên máy không đúng hoặc mất mạng). {fix}"
        ) from None
    except (OSError, smtplib.SMTPException) as e:
        raise RemindError(f"Không kết nối được máy chủ thư {where} ({type(e).__name__}). {fix}") from None
    try:
        smtp.ehlo()
        if cfg.tls == "starttls":
            if not smtp.has_extn("starttls"):
                raise RemindError(
                    f"Máy chủ thư {where} không hỗ trợ STARTTLS (mã hóa): mật khẩu và nội dung thư sẽ đi không mã hóa "
                    "nên chưa gửi. Dùng cổng gửi thư có STARTTLS của nhà cung cấp (thường là 587); chỉ với máy chủ "
                    'chuyển tiếp nội bộ mới đặt tls = "none". Chưa gửi thư nào.'
                )
            context = ssl.create_default_context(cafile=cfg.ca_file or None)
            smtp.starttls(context=context)
            smtp.ehlo()
        if cfg.username:
            smtp.login(cfg.username, cfg.password)
    except RemindError:
        smtp.close()
        raise
    except ssl.SSLCertVerificationError:
        smtp.close()
        raise RemindError(
            f"Không xác minh được chứng chỉ của máy chủ thư {where}: tên «{cfg.server}» không khớp chứng chỉ, hoặc "
            "chứng chỉ do tổ chức nội bộ cấp. Ghi đúng tên máy chủ như trên chứng chỉ, hoặc đặt ca_file (tệp chứng "
            "chỉ gốc) trong mục [smtp]. Chưa gửi thư nào."
        ) from None
    except smtplib.SMTPAuthenticationError as e:
        smtp.close()
        raise RemindError(
            f"Máy chủ thư {where} từ chối đăng nhập tài khoản «{cfg.username}» (mã {e.smtp_code}: "
            f"{_text(e.smtp_error)}). Kiểm tra username và password trong mục [smtp]; với Gmail hay Microsoft 365 "
            "dùng mật khẩu ứng dụng (app password). Chưa gửi thư nào."
        ) from None
    except smtplib.SMTPNotSupportedError:
        smtp.close()
        raise RemindError(
            f"Máy chủ thư {where} không cho đăng nhập (không có AUTH) trên kết nối này: bỏ username/password nếu "
            "máy chủ chuyển tiếp không cần đăng nhập, hoặc dùng cổng gửi thư của nhà cung cấp. Chưa gửi thư nào."
        ) from None
    except (OSError, smtplib.SMTPException) as e:
        smtp.close()
        raise RemindError(
            f"Máy chủ thư {where} ngắt kết nối khi bắt đầu phiên gửi ({type(e).__name__}). Thử lại sau; nếu vẫn "
            "lỗi, kiểm tra mục [smtp] với quản trị máy chủ thư. Chưa gửi thư nào."
        ) from None
    return smtp


def _text(answer) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _deliver(smtp: smtplib.SMTP, envelope_from: str, to: list[str], msg: EmailMessage) -> tuple[str, int, str, str]:
    """MAIL, RCPT per address, DATA: (outcome, the server's code, its text, a note). A refused address
    among several is named in the note; the message goes to the others."""
    code, answer = smtp.mail(envelope_from)
    if code != 250:
        smtp.rset()
        return REFUSED, code, _text(answer), "máy chủ thư từ chối địa chỉ gửi (sender)"
    accepted, refused = [], []
    last = (code, answer)
    for a in to:
        code, answer = smtp.rcpt(a)
        if code in (250, 251):
            accepted.append(a)
        else:
            refused.append(a)
            last = (code, answer)
    if not accepted:
        smtp.rset()
        return REFUSED, last[0], _text(last[1]), "máy chủ thư từ chối địa chỉ nhận: " + ", ".join(refused)
    code, answer = smtp.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    if code != 250:
        smtp.rset()
        return REFUSED, code, _text(answer), "máy chủ thư không nhận nội dung thư"
    note = ("không gửi được tới: " + ", ".join(refused)) if refused else ""
    return SENT, code, _text(answer), note


def send(
    db: str | Path,
    plan: str,
    quarter: str,
    rows: pd.DataFrame,
    by: str,
    cfg: SmtpSettings | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> Run:
    """Mail each unit of ``rows`` (:func:`missing`'s columns) its reminder, at most once per window; log
    each try; count the messages sent in ``cycle.reminders``. Raises RemindError (nothing sent, the run
    logged) when the server cannot be used at all."""
    today = today or dt.date.today()
    cfg = cfg if cfg is not None else smtp_settings()
    if cfg is None and not dry_run:
        raise RemindError(NOT_CONFIGURED)
    sender = cfg.sender if cfg else "nq71@localhost"
    with _RunLock(db, dry_run):  # the cron and the button at once: the second sees the first's log
        results = _send(db, plan, quarter, rows, by, cfg, sender, today, dry_run)
    run = Run(plan, quarter, _ordered(results, rows))
    sent = [r.unit for r in run.of(SENT)]
    if sent and not dry_run:
        try:
            run.counted = cycle.remind(db, quarter, sent, by)
        except Exception as e:  # the mails went (and are logged): say the count did not move, never hide it
            run.warning = (
                f"Thư đã gửi và đã ghi nhật ký thư, nhưng chưa ghi được số lần nhắc vào cơ sở dữ liệu ({e}). Ghi bù "
                f"bằng: python -m data_sources cycle remind --period {quarter} --by … --unit …"
            )
    return run


def _send(db, plan: str, quarter: str, rows: pd.DataFrame, by: str, cfg, sender: str, today, dry_run: bool):
    """:func:`send`'s work under the run lock: sort the units out, then one SMTP session for those to mail."""
    envelope_from = email.utils.parseaddr(sender)[1] or sender
    hours = window_hours()
    recent = last_sent(db, quarter)
    now = dt.datetime.now().replace(microsecond=0)
    results: list[Result] = []
    todo = []
    for row in rows.itertuples():
        to, bad = addresses(row.email)
        base = {"unit": row.unit_code, "name": row.unit_name, "state": row.state, "to": tuple(to)}
        when = recent.get(row.unit_code)
        if when is not None and now - when < dt.timedelta(hours=hours):
            note = f"đã gửi lúc {fmt.datetime(when)}; nhắc lại sau {fmt.number(hours)} giờ"
            results.append(Result(**base, outcome=SKIPPED, note=note))
        elif not to:
            note = (
                f"địa chỉ không hợp lệ: {', '.join(bad)}"
                if bad
                else "danh sách đơn vị chưa ghi địa chỉ thư (cột email)"
            )
            results.append(Result(**base, outcome=NO_ADDRESS, note=note))
        else:
            todo.append((row, to, bad, base))
    if dry_run:
        return results + [Result(**b, outcome=DRY) for _, _, _, b in todo]
    try:  # every message before the first is sent: a template that names an unknown placeholder stops here
        todo = [(row, to, bad, base, message(db, row, plan, quarter, to, sender, today)) for row, to, bad, base in todo]
    except (KeyError, ValueError, IndexError) as e:
        raise RemindError(
            f"Mẫu thư trong mục [nhac] (tieu_de, thu_chua_nop, thu_tra_lai) có chỗ trống không dùng được ({e}): "
            "chỉ dùng các chỗ trống ghi trong catalog/deployment.toml. Chưa gửi thư nào."
        ) from None
    common = {"plan": plan, "quarter": quarter, "by": by, "server": f"{cfg.server}:{cfg.port}"}
    smtp = None
    if todo:
        try:
            smtp = _connect(cfg)
        except RemindError as e:
            _log(db, [{"at": now.isoformat(), **common, "outcome": "khong_gui_duoc", "error": str(e)}])
            raise
    try:
        broken = ""
        for row, to, bad, base, msg in todo:
            at = dt.datetime.now().replace(microsecond=0).isoformat()
            if broken:
                results.append(Result(**base, outcome=FAILED, note=broken))
                _log(db, [{"at": at, **common, "unit": row.unit_code, "to": to, "outcome": FAILED, "note": broken}])
                continue
            try:
                outcome, code, answer, note = _deliver(smtp, envelope_from, to, msg)
            except (smtplib.SMTPServerDisconnected, OSError) as e:
                broken = f"máy chủ thư ngắt kết nối giữa chừng ({type(e).__name__}); chạy lại để gửi tiếp"
                outcome, code, answer, note = FAILED, None, "", broken
            except smtplib.SMTPException as e:
                outcome, code, answer, note = FAILED, getattr(e, "smtp_code", None), _text(e), "lỗi khi gửi"
            if bad:
                note = "; ".join(x for x in (note, f"bỏ địa chỉ không hợp lệ: {', '.join(bad)}") if x)
            results.append(Result(**base, outcome=outcome, code=code, answer=answer, note=note))
            _log(  # at once: a run killed half-way leaves every message it sent in the log
                db,
                [
                    {
                        "at": at,
                        **common,
                        "unit": row.unit_code,
                        "state": row.state,
                        "to": to,
                        "subject": str(msg["Subject"]),
                        "message_id": str(msg["Message-ID"]),
                        "outcome": outcome,
                        "code": code,
                        "answer": answer,
                        "note": note,
                    }
                ],
            )
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return results


class _RunLock:
    """An exclusive lock beside the database (``<db>.mail.lock``) for a run that sends."""

    def __init__(self, db, dry_run: bool):
        self.path, self.skip, self.fd = Path(f"{log_path(db)}.lock"), dry_run, None

    def __enter__(self):
        if not self.skip:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o640)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
        return False


def _ordered(results: list[Result], rows: pd.DataFrame) -> list[Result]:
    order = {u: i for i, u in enumerate(rows.unit_code)}
    return sorted(results, key=lambda r: order.get(r.unit, 0))


def audit_detail(run: Run) -> dict:
    """What the audit log keeps of a run: the units by outcome (codes), never an address or a password."""
    return {
        "quarter": run.quarter,
        "plan": run.plan,
        "sent": [r.unit for r in run.of(SENT)],
        "skipped": [r.unit for r in run.of(SKIPPED)],
        "no_address": [r.unit for r in run.of(NO_ADDRESS)],
        "refused": [r.unit for r in run.of(REFUSED) + run.of(FAILED)],
    }


# ---------------------------------------------------------------- the command line (cron)

BY = "dòng lệnh (nhắc theo lịch)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--period", required=True, help="quý, ví dụ 2026-Q3; hoặc quy-truoc (quý trước quý hiện tại, dùng cho cron)"
    )
    p.add_argument(
        "--days-before",
        type=int,
        help="chỉ gửi khi hạn báo cáo còn từ N ngày trở xuống hoặc đã quá hạn (không có: gửi ngay)",
    )
    p.add_argument("--plan", help="mã kế hoạch (catalog/plans.csv); mặc định theo cấu hình")
    p.add_argument("--db", help="tệp cơ sở dữ liệu DuckDB (mặc định: database trong cấu hình, NQ71_CONFIG)")
    p.add_argument("--by", default=BY, help="người gửi, ghi vào lịch sử nhắc và nhật ký")
    p.add_argument("--dry-run", action="store_true", help="chỉ liệt kê thư sẽ gửi, không kết nối máy chủ thư")
    p.add_argument("--today", help="coi hôm nay là ngày dd/mm/yyyy (chạy bù một lần cron bị lỡ)")


def command(args) -> int:
    """``python -m outputs remind`` and ``python -m data_sources remind`` (the name cron uses): exit 0 when
    the run did what it could (also: not due, nothing missing, units without address or refused), 2 when
    nothing could be sent (server not configured, refusing the connection or the login; a wrong argument)."""
    try:
        today = dt.datetime.strptime(args.today, "%d/%m/%Y").date() if args.today else dt.date.today()
    except ValueError:
        print(f"Lỗi: --today «{args.today}» phải có dạng dd/mm/yyyy.", file=sys.stderr)
        return 2
    plan = args.plan or str(catalog.settings()["plan"])
    try:
        db = args.db or str(catalog.resolve(catalog.settings()["database"]))
        quarter = quarter_arg(args.period, today)
    except (ValueError, RemindError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    if not Path(db).exists():
        print(f"Lỗi: không thấy cơ sở dữ liệu «{db}». Kiểm tra --db hoặc database trong cấu hình.", file=sys.stderr)
        return 2
    go, why = due(plan, quarter, args.days_before, today)
    if not go:
        print(why)
        return 0
    rows = missing(db, plan, quarter, today)
    if rows.empty:
        print(f"Mọi đơn vị đã gửi báo cáo {phrase(quarter)} (hoặc đã được duyệt): không cần nhắc.")
        return 0
    try:
        run = send(db, plan, quarter, rows, args.by, today=today, dry_run=args.dry_run)
    except RemindError as e:
        if not args.dry_run:
            audit.record(db, args.by, None, "gui_thu_nhac", quarter=quarter, plan=plan, error=str(e))
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    if not args.dry_run:
        audit.record(db, args.by, None, "gui_thu_nhac", **audit_detail(run))
    stamp = dt.datetime.now().isoformat(timespec="seconds")  # cron's log: when
    print("\n".join(f"{stamp} {line}" for line in run.lines()))
    return 0
