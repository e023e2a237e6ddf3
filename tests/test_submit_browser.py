"""A unit reports from a phone (issue 26, «Done when»): the real server in headless Chromium at 375 px opens a
personal link, fills the form, meets the message for a numerator above its total, fixes it and sends; the
office's «Tình hình báo cáo» then counts the unit as reported on time at the time it was sent. A link opens
no other page. Screenshots: tests/artifacts/nop-bao-cao-*.png.

Data: the demo, copied. Phường Bình Kiến (22045): «Tổng số CBQL, GV, NV» 528 in Quý II/2026, no report for
Quý IV/2026 (deadline 15/01/2027).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from core import links
from tests.browser import ARTIFACTS, chromium, streamlit_server, wait_app
from tests.conftest import require_browser

pytestmark = pytest.mark.browser

KEY = "the browser test's link key, 32 characters or more"  # the server and this test sign with the same key (NQ71_LINK_SECRET)
WARD, WARD_NAME, Q4 = "22045", "Phường Bình Kiến", "2026-Q4"
REFUSAL = "chỉ mở biểu mẫu «Nộp báo cáo» của đơn vị đó"
ADDRESSES = ["", "theo-xa-phuong", "theo-chi-tieu", "tinh-hinh-bao-cao", "bao-cao-dinh-ky", "chat-luong-du-lieu",
             "nguon-du-lieu", "nguoi-dung", "tong-quan"]  # fmt: skip


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    require_browser()
    db = tmp_path_factory.mktemp("nop") / "demo-nop.duckdb"
    shutil.copy(demo_db.resolve(), db)
    with streamlit_server(db, env={"NQ71_LINK_SECRET": KEY}) as url, chromium() as browser:
        yield url, db, browser


def _token(db, monkeypatch) -> str:
    monkeypatch.setenv("NQ71_LINK_SECRET", KEY)
    return links.token(db, WARD, "000", Q4)


def _type(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.scroll_into_view_if_needed()
    box.fill(text)
    box.press("Enter")
    wait_app(page)


def test_a_unit_reports_from_a_phone(served, monkeypatch):
    url, db, browser = served
    token = _token(db, monkeypatch)
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{url}/nop-bao-cao?t={token}")
    wait_app(page)
    body = page.inner_text("body")
    assert WARD_NAME in body and "Quý IV/2026" in body and "hạn báo cáo 15/01/2027" in body
    assert page.get_by_label("Tổng số CBQL, GV, NV", exact=True).input_value() == "528"
    # nothing of the dashboard: no sidebar, no navigation
    assert page.locator("[data-testid='stSidebar']").count() == 0
    # the form fits the phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "nop-bao-cao-375-mo.png"))
    _type(page, "Số CBQL, GV, NV được quán triệt", "600")
    message = page.get_by_text("600 lớn hơn «Tổng số CBQL, GV, NV» (528)")
    message.wait_for(timeout=15000)
    message.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "nop-bao-cao-375-loi.png"))
    _type(page, "Số CBQL, GV, NV được quán triệt", "500")
    assert page.get_by_text("lớn hơn «Tổng số CBQL, GV, NV»").count() == 0
    before = dt.datetime.now().replace(microsecond=0)
    page.get_by_role("button", name="Gửi báo cáo").click()
    done = page.get_by_text("Đã gửi báo cáo quý IV/2026 của Phường Bình Kiến")
    done.wait_for(timeout=60000)
    wait_app(page)
    done.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "nop-bao-cao-375-da-gui.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    ctx.close()

    # the office (the demo needs no sign-in): Quý IV/2026, the unit reported on time, at the time it was sent
    office = browser.new_page(viewport={"width": 1366, "height": 3000})
    office.goto(f"{url}/tinh-hinh-bao-cao?ky={Q4}")
    wait_app(office)
    office.screenshot(path=str(ARTIFACTS / "nop-bao-cao-van-phong.png"))
    import queries
    from core.db import connect_read
    from core.periods import PeriodSel

    con = connect_read(db)
    try:
        rep = queries.reporting(con, "000", PeriodSel(Q4), queries.Scope.everything())
    finally:
        con.close()
    row = rep[rep.unit_code == WARD].iloc[0]
    assert bool(row.reported) and bool(row.on_time)
    assert before <= row.first_at.to_pydatetime() <= dt.datetime.now()
    body = office.inner_text("body")
    assert "Đã báo cáo" in body
    office.close()


def test_a_link_opens_no_other_page(served, monkeypatch):
    url, db, browser = served
    token = _token(db, monkeypatch)
    page = browser.new_page(viewport={"width": 375, "height": 812})
    for address in ADDRESSES:
        page.goto(f"{url}/{address}?t={token}")
        wait_app(page)
        body = page.inner_text("body")
        assert REFUSAL in body, address
        assert page.locator("[data-testid='stDataFrame'], [data-testid='stSidebar']").count() == 0, address
    page.goto(f"{url}/nop-bao-cao?t={token[:-2]}")  # a link cut when copied
    wait_app(page)
    assert "Đường dẫn không hợp lệ" in page.inner_text("body")
    assert page.locator("input").count() == 0
    page.screenshot(path=str(ARTIFACTS / "nop-bao-cao-lien-ket-hong.png"))
    page.close()
