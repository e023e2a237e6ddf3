"""Sign-in end to end: a real local OpenID provider (oidc-provider-mock), the real server started
as `make run` starts it (with test secrets), headless Chromium clicking through the login.

Users file: tests/fixtures/users.csv. Database: progress_small.csv (three xã of Đắk Lắk), named so
that it is not a demo database (sign-in is then required).
"""

from __future__ import annotations

import datetime as dt
import secrets as pysecrets

import pytest

from core import audit
from tests.browser import (
    ARTIFACTS,
    auth_secrets,
    chromium,
    free_port,
    oidc_provider,
    server_log,
    sign_in,
    streamlit_server,
    wait_app,
)
from tests.conftest import FIXTURES, require_browser

pytestmark = pytest.mark.browser

EA_KAR = "24373"
CLIENT_SECRET = "nq71-client-" + pysecrets.token_hex(12)
COOKIE_SECRET = "nq71-cookie-" + pysecrets.token_hex(16)


@pytest.fixture(scope="module")
def provider():
    with oidc_provider() as url:
        yield url


@pytest.fixture(scope="module")
def login_db(tmp_path_factory):
    from data_sources.load.ingest import ingest_paths

    db = tmp_path_factory.mktemp("login") / "nq71.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    return db


@pytest.fixture(scope="module")
def app_url(provider, login_db):
    require_browser()
    db, work = login_db, login_db.parent
    port = free_port()
    redirect = f"http://localhost:{port}/oauth2callback"
    secrets_file = auth_secrets(work / "secrets.toml", redirect, provider, COOKIE_SECRET, CLIENT_SECRET)
    args = ("--secrets.files", str(secrets_file))
    env = {"NQ71_USERS": str(FIXTURES / "users.csv")}
    with streamlit_server(db, args=args, env=env, port=port, host="localhost") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with chromium() as b:
        yield b


def _download_units(page, app_url, tmp_path) -> set[str]:
    """The unit codes of the Theo xã/phường CSV download (an export, limited to the viewer's scope)."""
    page.goto(f"{app_url}/theo-xa-phuong?ky=2026-Q2")
    wait_app(page)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Tải CSV").click()
    path = tmp_path / "units.csv"
    dl.value.save_as(path)
    lines = path.read_bytes().decode("utf-8-sig").splitlines()[1:]
    return {line.split(",")[0] for line in lines}


def _exports(page, db, n: int) -> list[dict]:
    """The audit log's whole-province exports, newest first, once there are ``n`` (the server writes
    one as the click's rerun or the file's build runs, just after the browser has the file)."""
    for _ in range(40):
        found = [e for e in audit.events(db) if e["action"] == "xuat_toan_bo"]
        if len(found) >= n:
            return found
        page.wait_for_timeout(250)
    raise AssertionError(f"{len(found)} exports in the audit log, {n} expected")


def _no_streamlit_dialog(page) -> None:
    """Streamlit's English "Page not found" (or any other modal) is not drawn over the page."""
    page.wait_for_timeout(1500)  # the dialog pops up after the first script run, if at all
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid='stDialog']").count() == 0


def test_unit_user_lands_on_the_overview_after_sign_in(app_url, browser):
    """Straight after the provider sends the browser back: the overview, no "Page not found" dialog."""
    ctx, page = sign_in(browser, app_url, "eakar@vidu.edu.vn")
    try:
        wait_app(page)
        page.screenshot(path=ARTIFACTS / "login-don-vi-sau-dang-nhap.png", full_page=True)
        _no_streamlit_dialog(page)
        assert page.locator("[data-testid='stMain'] h1").first.inner_text() == "Tổng quan"
        assert "UBND xã Ea Kar · Đơn vị" in page.locator("[data-testid='stSidebar']").inner_text()
        # the overview's own name (a bookmark, a shared link): Streamlit serves the default page at "/"
        # only, so /tong-quan used to open the overview under "Page not found"
        page.goto(f"{app_url}/tong-quan?ky=2026-Q2")
        wait_app(page)
        page.screenshot(path=ARTIFACTS / "login-don-vi-tong-quan-link.png", full_page=True)
        _no_streamlit_dialog(page)
        assert page.locator("[data-testid='stMain'] h1").first.inner_text() == "Tổng quan"
        assert "ky=2026-Q2" in page.url
    finally:
        ctx.close()


def test_unit_user_signs_in_and_sees_only_its_unit(app_url, browser, tmp_path):
    ctx, page = sign_in(browser, app_url, "eakar@vidu.edu.vn")
    try:
        page.goto(f"{app_url}/tong-quan?ky=2026-Q2")
        wait_app(page)
        page.screenshot(path=ARTIFACTS / "login-don-vi-tong-quan.png", full_page=True)
        assert "UBND xã Ea Kar · Đơn vị" in page.locator("[data-testid='stSidebar']").inner_text()
        # Ea Kar alone is expected and reported (leadership sees 3/102, below)
        assert "1/1 xã, phường, đặc khu đã báo cáo" in page.locator("[data-testid='stMain']").inner_text()
        assert _download_units(page, app_url, tmp_path) == {EA_KAR}
        # a forged link with other units' codes shows only Ea Kar, and says so
        page.goto(f"{app_url}/tong-quan?ky=2026-Q2&don_vi=24403,24406")
        wait_app(page)
        assert "ngoài phạm vi" in page.locator("[data-testid='stSidebar']").inner_text()
        assert "1/1 xã, phường, đặc khu đã báo cáo" in page.locator("[data-testid='stMain']").inner_text()
        # no write page in the navigation, and a crafted URL to it does not open it
        assert page.get_by_text("Nguồn dữ liệu").count() == 0
        page.goto(f"{app_url}/nguon-du-lieu")
        wait_app(page)
        page.screenshot(path=ARTIFACTS / "login-don-vi-khong-co-quyen-trang.png", full_page=True)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "Nhập tệp biểu mẫu" not in main
        assert "không có quyền xem trang «Nguồn dữ liệu»" in main  # said in Vietnamese, not a dialog
        _no_streamlit_dialog(page)
        # sign out: back to the sign-in page
        page.get_by_role("button", name="Đăng xuất").click()
        # the provider asks to confirm the end of its session (RP-initiated logout), then sends us back
        page.get_by_role("button", name="End session").click(timeout=30000)
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=30000)
        page.goto(f"{app_url}/theo-xa-phuong")  # signed out: no data on any page
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=30000)
        assert "Xã Ea Kar" not in page.content()
    finally:
        ctx.close()


def test_leadership_sees_every_unit(app_url, login_db, browser, tmp_path):
    ctx, page = sign_in(browser, app_url, "lanhdao@vidu.edu.vn")
    try:
        page.goto(f"{app_url}/tong-quan?ky=2026-Q2")
        wait_app(page)
        assert "3/102 xã, phường, đặc khu đã báo cáo" in page.locator("[data-testid='stMain']").inner_text()
        units = _download_units(page, app_url, tmp_path)
        assert len(units) == 102 and {EA_KAR, "24403", "24406"} <= units
        # a download of the whole province is in the audit log, under the person who clicked
        # (the file is built outside the script run: the viewer is the one who drew the button)
        exports = _exports(page, login_db, 1)
        assert exports[0]["who"] == "lanhdao@vidu.edu.vn"
        lines = (tmp_path / "units.csv").read_bytes().decode("utf-8-sig").splitlines()
        assert exports[0]["detail"] == {"file": "theo_don_vi_2026-Q2.csv", "rows": len(lines) - 1}  # 102 xã × target
        # the Excel file is built on click, outside the script run: recorded under the same person
        # (once the rerun the CSV click caused has drawn the page: that run registers the button anew)
        wait_app(page)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Tải Excel").click()
        assert dl.value.path().read_bytes()[:2] == b"PK"  # a zip: the .xlsx arrived whole
        exports = _exports(page, login_db, 2)
        assert exports[0]["who"] == "lanhdao@vidu.edu.vn"
        assert exports[0]["detail"] == {"file": "theo_don_vi_2026-Q2.xlsx", "rows": len(lines) - 1}
    finally:
        ctx.close()


def test_person_with_no_entry_sees_no_data(app_url, browser):
    ctx, page = sign_in(browser, app_url, "nguoila@example.com")
    try:
        page.get_by_text("Chưa được cấp quyền xem").wait_for(timeout=30000)
        page.locator("[data-testid='stAlert']").first.wait_for(timeout=30000)  # the explanation under it
        wait_app(page)
        page.screenshot(path=ARTIFACTS / "login-khong-co-quyen.png", full_page=True)
        text = page.locator("[data-testid='stMain']").inner_text()
        assert "nguoila@example.com" in text and "Xã Ea Kar" not in text
        assert page.locator("[data-testid='stSidebar']").count() == 0 or "Kỳ báo cáo" not in page.content()
    finally:
        ctx.close()


def test_secrets_never_shown_or_logged(app_url, browser):
    ctx, page = sign_in(browser, app_url, "quantri@vidu.edu.vn")
    try:
        wait_app(page)
        pages = []
        for path in ("tong-quan", "nguon-du-lieu", "nguoi-dung"):
            page.goto(f"{app_url}/{path}")
            wait_app(page)
            pages.append(page.content())
    finally:
        ctx.close()
    log = open(server_log.get(app_url, "/dev/null"), encoding="utf-8", errors="replace").read()
    for text in [*pages, log]:
        assert CLIENT_SECRET not in text and COOKIE_SECRET not in text


def test_a_cookie_copied_before_sign_out_shows_nothing_after_it(app_url, browser):
    """Finding 6 of issue 24: the `_streamlit_user` cookies copied before sign-out, put into a fresh browser
    after it, showed the data. Sign-out is recorded on the server; the copy is refused."""
    ctx, page = sign_in(browser, app_url, "lanhdao@vidu.edu.vn")
    try:
        page.goto(f"{app_url}/theo-xa-phuong?ky=2026-Q2")
        wait_app(page)
        assert "Xã Ea Kar" in page.content()
        kept = ctx.cookies()
        assert any(c["name"].startswith("_streamlit_user") for c in kept)
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("button", name="End session").click(timeout=30000)
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=30000)
    finally:
        ctx.close()
    thief = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        thief.add_cookies(kept)
        page = thief.new_page()
        page.goto(f"{app_url}/theo-xa-phuong?ky=2026-Q2")
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=30000)
        page.wait_for_timeout(1000)
        page.screenshot(path=ARTIFACTS / "login-cookie-sau-dang-xuat.png", full_page=True)
        assert "Phiên này đã đăng xuất" in page.locator("[data-testid='stMain']").inner_text()
        assert "Xã Ea Kar" not in page.content()
    finally:
        thief.close()
    # signing in again works: a new sign-in is later than the sign-out
    ctx, page = sign_in(browser, app_url, "lanhdao@vidu.edu.vn")
    try:
        page.goto(f"{app_url}/theo-xa-phuong?ky=2026-Q2")
        wait_app(page)
        assert "Xã Ea Kar" in page.content()
    finally:
        ctx.close()


def test_a_download_is_served_only_to_the_person_whose_session_made_it(app_url, login_db, browser, tmp_path):
    """Finding 1 of issue 24: the whole province's CSV had a /media/<hash>.csv address that anyone could
    fetch without a cookie, long after the browser closed. Now: no cookie, another person's cookie, or the
    person's own cookie after sign-out gets a 404; the person's own live session gets the file, audited."""
    import urllib.error
    import urllib.request

    def fetch(url: str, cookies: list[dict]) -> int:
        header = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
        request = urllib.request.Request(url, headers={"Cookie": header} if header else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    ctx, page = sign_in(browser, app_url, "lanhdao@vidu.edu.vn")
    other, other_page = sign_in(browser, app_url, "eakar@vidu.edu.vn")
    try:
        other_page.goto(f"{app_url}/theo-xa-phuong?ky=2026-Q2")
        wait_app(other_page)
        page.goto(f"{app_url}/theo-xa-phuong?ky=2026-Q2")
        wait_app(page)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Tải CSV").click()
        url = dl.value.url
        assert "/media/" in url and dl.value.path().read_bytes()  # the person's browser got the file
        wait_app(page)  # the rerun the click caused has registered the page's files again
        mine, theirs = ctx.cookies(), other.cookies()
        assert fetch(url, mine) == 200  # the person's own live session
        assert fetch(url, []) == 404  # no cookie
        assert fetch(url, theirs) == 404  # another signed-in person (a unit user)
        # the Excel file, built on click (Streamlit stores it under no session): the same rule
        with page.expect_download() as xl:
            page.get_by_role("button", name="Tải Excel").click()
        assert xl.value.path().read_bytes()[:2] == b"PK"
        assert (
            fetch(xl.value.url, mine) == 200 and fetch(xl.value.url, theirs) == 404 and fetch(xl.value.url, []) == 404
        )
        served = [e for e in audit.events(login_db) if e["action"] == "tai_xuong"]
        newest = {(e["who"], e["detail"]["file"].rsplit(".", 1)[-1]) for e in served[:4]}
        assert {("lanhdao@vidu.edu.vn", "csv"), ("lanhdao@vidu.edu.vn", "xlsx")} <= newest
        csv_line = next(e for e in served if e["detail"]["file"].endswith(".csv") and e["who"] == "lanhdao@vidu.edu.vn")
        lines = dl.value.path().read_bytes().decode("utf-8-sig").splitlines()
        assert csv_line["role"] == "lanh_dao" and csv_line["detail"]["units"] == "tất cả"
        assert csv_line["detail"]["rows"] == len(lines) - 1
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("button", name="End session").click(timeout=30000)
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=30000)
        assert fetch(url, mine) == 404  # the cookie kept from before the sign-out
    finally:
        ctx.close()
        other.close()
