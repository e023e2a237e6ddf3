"""No insides on screen (issue 32, part 3), and one thing, one name (part 4): every page each role
may open, under AppTest on the demo (signed in through tests/fixtures/users.csv), read as a person
reads it: titles, text, captions, messages, tiles, expanders, buttons, the choices of every select
box and the tables' headers and cells. None of it may be a code (snake_case), a raw value (None,
nan, <NA>, True, False), an ISO date or period, a file path (the administrator's setup hints
excepted), a word of Streamlit's English, or a word the glossary (catalog/thuat_ngu.csv) retired.

The audit log is filled with one record of every action the dashboard writes, details as the code
writes them, so the administrator's «Nhật ký thao tác» is read as sentences too.
"""

from __future__ import annotations

import re
import shutil
import time

import pytest
from streamlit.testing.v1 import AppTest

from core import audit, catalog
from tests.conftest import FIXTURES, ROOT
from tests.test_access import ALLOWED, AUTH, PAGES

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
RAW = re.compile(r"\b(None|nan|NaN|NaT|True|False)\b|<NA>")
ISO = re.compile(r"\b20\d\d-(\d\d-\d\d|Q[1-4]|H[12]|0[1-9]|1[0-2])\b")
PATH = re.compile(r"(?<![\w/])(/[\w.-]+){2,}|\b[\w.-]+\.(csv|toml|py|duckdb|jsonl|json|txt)\b")
ENGLISH = re.compile(
    r"\b(Choose an option|Upload|Browse files|Drag and drop|Show data|Download as|Fullscreen|Search|Add row|"
    r"Error|Exception|Traceback|JSONDecodeError|IOException|is not a zip file)\b"
)
URL = re.compile(r"https?://\S+")
SETTINGS = re.compile(r"gcp_service_account|GOOGLE_APPLICATION_CREDENTIALS")  # the administrator types these
INDICATOR = re.compile(r"\bCT\d{2}\b")  # a target's code: people read its name (a grid's head: ten_ngan)
FILE_NAME = re.compile(r"[\w.-]+\.(csv|xlsx|xls|ods|docx|pdf|png|svg|txt)\b")
# the person's own file and sheet names, links and addresses are data, shown as they are
AS_WRITTEN = {"Nguồn", "Tệp / bảng", "Bảng", "Ô nguồn", "Mở ô", "Mở", "Người", "Trang", "Người thực hiện",
              "Người duyệt", "Thư điện tử", "email"}  # fmt: skip


def _audit(db) -> None:
    """One record of each action, with the details the code writes (ui/actions.py, ui/reports.py…)."""
    who, role = "vanphong@vidu.edu.vn", "van_phong"
    audit.record(db, who, role, "nhap_tep", files=["x.xlsx"], import_id=8, cells_read=120, imported=100,
                 updated=0, unchanged=10, missing=5, rejected=5)  # fmt: skip
    audit.record(db, who, role, "them_nguon", source="1AbC", label="Phụ lục NQ71")
    audit.record(db, who, role, "lam_moi", read=1, unchanged=0, failed=0)
    audit.record(db, who, role, "anh_xa", written="Xa Ea Kar", unit="24373")
    audit.record(db, who, role, "duyet", quarter="2026-Q2", units=["24373", "24403"])
    audit.record(db, who, role, "tra_lai", quarter="2026-Q2", unit="24373", reason="Thiếu số người khảo sát")
    audit.record(db, who, role, "mo_khoa", quarter="2026-Q2", unit="24373", reason="Sửa số liệu")
    audit.record(db, who, role, "chap_nhan", change=3, unit="24373")
    audit.record(db, who, role, "tu_choi", change=4, unit="24403")
    audit.record(db, who, role, "nhac", quarter="2026-Q2", units=["24373"])
    audit.record(db, who, role, "bao_cao", plan="000", period="2026-Q2", level="xa", units=0, pdf=True)
    audit.record(db, who, role, "bieu_mau", plan="000", period="2026-Q3", link=False)
    audit.record(db, who, role, "xuat_toan_bo", file="tong_quan.csv", rows=12)
    audit.record(db, who, role, "tai_xuong", file="tong_quan.xlsx", rows=None, bytes=5120, units="tất cả")
    audit.record(db, "quantri@vidu.edu.vn", "quan_tri", "nguoi_dung", added=["a@vidu.edu.vn"], removed=[], total=5)
    audit.record(db, "eakar@vidu.edu.vn", "don_vi", "khong_duoc_phep", thao_tac="duyet", ly_do="Không có quyền")
    audit.record(db, "eakar@vidu.edu.vn", None, "dang_xuat")
    audit.record(db, "đường dẫn riêng của đơn vị 24373", None, "nop_bao_cao", unit="24373", plan="000",
                 period="2026-Q4", import_id=9)  # fmt: skip


@pytest.fixture(scope="module")
def signed_db(demo_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("words") / "nq71.duckdb"  # not called demo*: sign-in is required
    shutil.copy(demo_db, db)
    _audit(db)
    return db


def _texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of everything a person reads on the page."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error",
                 "text", "code"):  # fmt: skip
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    for m in at.metric:
        out += [("metric", m.label), ("metric", str(m.value)), ("metric", str(m.delta or ""))]
    out += [("expander", e.label) for e in at.expander]
    out += [("button", b.label) for b in at.button]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, kind):
            out += [(kind, w.label), *((kind, str(o)) for o in w.options)]
            if getattr(w, "placeholder", None):
                out.append((kind, w.placeholder))
    for d in at.dataframe:
        df = d.value
        out += [("column", str(c)) for c in df.columns]
        for c in df.columns:
            if c in AS_WRITTEN or df[c].dtype != object:
                continue
            out += [(f"cell «{c}»", v) for v in df[c].dropna().astype(str).unique()]
    return [(w, t) for w, t in out if t]


def _problems(texts, admin: bool) -> list[tuple[str, str, str]]:
    retired = catalog.retired_words()
    found = []
    for where, text in texts:
        t = URL.sub("", text)
        if admin:  # the administrator's setup hints name settings and files
            t = PATH.sub("", SETTINGS.sub("", t))
        if where.startswith("cell «Chi tiết»"):
            t = FILE_NAME.sub("", t)  # a downloaded file's own name
        rules = (("code", SNAKE), ("raw", RAW), ("ISO", ISO), ("English", ENGLISH))
        if where != "column":  # a grid's columns are keyed by code; column_config heads them by name
            rules += (("target code", INDICATOR),)
        for name, rx in rules:
            if m := rx.search(t):
                found.append((name, where, f"…{t[max(0, m.start() - 40) : m.end() + 40]}…"))
        if not admin and (m := PATH.search(t)):
            found.append(("path", where, t[max(0, m.start() - 40) : m.end() + 40]))
        low = f" {t.casefold()} "
        for word, term in retired.items():
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", low):
                found.append(("retired", where, f"«{word}» → «{term}»: {t[:120]}"))
    return found


@pytest.mark.parametrize("email", list(ALLOWED))
def test_every_page_reads_as_words(signed_db, monkeypatch, email):
    monkeypatch.setenv("NQ71_DB", str(signed_db))
    monkeypatch.setenv("NQ71_USERS", str(FIXTURES / "users.csv"))
    monkeypatch.setenv("NQ71_SCHOOLS", str(ROOT / "catalog" / "demo" / "truong_hoc.csv"))
    monkeypatch.setenv("NQ71_UNITS", str(ROOT / "catalog" / "demo" / "don_vi.csv"))
    monkeypatch.setenv("NQ71_ROSTER", str(ROOT / "catalog" / "demo" / "roster.csv"))
    admin = email.startswith("quantri")
    problems = []
    for page in sorted(ALLOWED[email]):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": email, "name": email, "iat": time.time()}
        at.run()
        at.switch_page(PAGES[page]).run()
        assert not at.exception, (page, at.exception)
        problems += [(page, *p) for p in _problems(_texts(at), admin)]
    seen, shown = set(), []
    for p in problems:
        if p[:3] not in seen:  # one line per kind and place: the list stays readable
            seen.add(p[:3])
            shown.append(p)
    assert not shown, "\n".join(" | ".join(map(str, p)) for p in shown)


def test_the_audit_log_reads_as_sentences(signed_db, monkeypatch):
    """Every action the dashboard writes has its words; times read dd/mm/yyyy HH:MM; roles are words;
    a detail is named in Vietnamese with its value in words (a period as «Quý II/2026», a unit by
    its name, a yes/no as Có/Không, a list without brackets)."""
    import pandas as pd

    from ui import tables

    rows = audit.events(signed_db)
    log = tables.audit(pd.DataFrame(rows, columns=["at", "who", "role", "action", "detail"]), {"24373": "Xã Ea Kar"})
    assert set(log["Thao tác"]) <= set(catalog.action_words().values())
    assert {"trả lại báo cáo", "mở khóa số liệu", "chấp nhận thay đổi", "từ chối thay đổi"} <= set(log["Thao tác"])
    assert set(log["Vai trò"]) <= {r.label for r in catalog.roles().values()} | {"—"}
    assert pd.api.types.is_datetime64_any_dtype(log["Thời điểm"])
    back = dict(zip(log["Thao tác"], log["Chi tiết"], strict=True))
    assert back["trả lại báo cáo"] == "kỳ: Quý II/2026; đơn vị: Xã Ea Kar; lý do: Thiếu số người khảo sát"
    assert back["tạo báo cáo định kỳ"].endswith("kèm PDF: Có")
    assert "[" not in "".join(log["Chi tiết"]) and "'" not in "".join(log["Chi tiết"])


BROWSER_PAGES = ("", "theo-xa-phuong", "theo-chi-tieu", "tinh-hinh-bao-cao", "bao-cao-dinh-ky", "chat-luong-du-lieu",
                 "nguon-du-lieu", "nguoi-dung")  # fmt: skip


def test_screenshots_read_clean(demo_db):
    """Every page in Chromium (the demo: every page and action), as drawn: the text of the page and the
    sidebar (icon names, which the browser draws as icons, left out) holds no code, raw value, ISO
    date or period, Streamlit English or retired word; the file picker reads in Vietnamese. One PNG
    per page in tests/artifacts/words-<page>.png for a person to look at."""
    from tests.browser import chromium, streamlit_server, wait_app
    from tests.conftest import ARTIFACTS, require_browser

    require_browser()
    problems = []
    with streamlit_server(demo_db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        for path in BROWSER_PAGES:
            page.goto(f"{url}/{path}")
            wait_app(page)
            page.wait_for_timeout(1500)  # charts and tables draw after the run ends
            page.screenshot(path=str(ARTIFACTS / f"words-{path or 'tong-quan'}.png"), full_page=True)
            text = page.evaluate(
                """() => {
                  for (const i of document.querySelectorAll('[data-testid="stIconMaterial"]')) i.remove();
                  const part = s => (document.querySelector(s) || {innerText: ''}).innerText;
                  return part('[data-testid="stSidebar"]') + '\\n' + part('[data-testid="stMain"]');
                }"""
            )
            problems += [
                (path or "tong-quan", *p) for p in _problems([("page", line) for line in text.splitlines()], True)
            ]
            if path == "nguon-du-lieu":
                shown = page.locator('[data-testid="stFileUploaderDropzone"]').evaluate(
                    """e => [...e.querySelectorAll('*')].map(x => getComputedStyle(x, '::after').content)
                                .filter(c => c && c !== 'none' && c !== 'normal').join(' ')"""
                )
                assert "Chọn tệp" in shown and "100 MB mỗi tệp" in shown, shown  # [gioi_han] tep_toi_da_mb
        page.close()
    assert not problems, "\n".join(" | ".join(map(str, p)) for p in problems)


def test_command_line_help_and_errors_are_vietnamese():
    """argparse's own words («usage:», «options», «show this help message and exit», «error:») come out
    in Vietnamese for every command (core/cli.py)."""
    from tests.conftest import run_cli

    for module in ("queries", "data_sources", "deploy"):
        out = run_cli(module, "--help").stdout
        assert "cách dùng:" in out and "tùy chọn" in out and "hiện hướng dẫn này rồi thoát" in out, out
        assert not re.search(r"\b(usage|options|show this help)\b", out), out
    err = run_cli("queries", "export", check=False).stderr
    assert "lỗi: thiếu tham số bắt buộc" in err and "error" not in err, err
