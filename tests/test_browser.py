"""The real server in headless Chromium (Debian's, driven by Playwright).

Screenshots go to tests/artifacts/ (ignored by git)."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, chromium, streamlit_server, wait_app
from tests.conftest import require_browser

pytestmark = pytest.mark.browser

PAGES = ["", "theo-xa-phuong", "theo-chi-tieu", "tinh-hinh-bao-cao", "chat-luong-du-lieu", "nguon-du-lieu"]


@pytest.fixture(scope="module")
def server(demo_db):
    require_browser()
    with streamlit_server(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with chromium() as b:
        yield b


def test_first_chart_appears(server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server)
    # the overview's trend chart: one drawn line per %-target (Vega-Lite, SVG)
    page.wait_for_selector("[data-testid=stVegaLiteChart] .mark-line path", timeout=30000)
    wait_app(page)
    text = page.inner_text("body")
    assert "Tổng quan" in text and "Dữ liệu mẫu (demo)" in text and "Đơn vị đã báo cáo" in text
    page.screenshot(path=str(ARTIFACTS / "first-chart.png"), full_page=True)
    page.close()


@pytest.mark.parametrize(("width", "height", "tag"), [(1366, 768, "laptop"), (390, 844, "phone")])
def test_every_page_screenshot(server, browser, width, height, tag):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    for path in PAGES:
        page.goto(f"{server}/{path}")
        wait_app(page)
        assert page.locator("[data-testid='stException']").count() == 0, path
        assert "Page not found" not in page.inner_text("body"), path
        page.screenshot(path=str(ARTIFACTS / f"{path or 'tong-quan'}-{tag}.png"))
        # the app scrolls inside its own container: a tall viewport shows the whole page for review
        page.set_viewport_size({"width": width, "height": 3200})
        wait_app(page)
        page.screenshot(path=str(ARTIFACTS / f"{path or 'tong-quan'}-{tag}-full.png"))
        page.set_viewport_size({"width": width, "height": height})
    ctx.close()


@pytest.fixture(scope="module")
def tricky_db(demo_db, tmp_path_factory):
    """The demo plus a sheet whose cells try formula injection."""
    import shutil

    from data_sources.load.ingest import ingest_paths

    db = tmp_path_factory.mktemp("tricky") / "demo-tricky.duckdb"
    shutil.copy(demo_db, db)
    f = db.parent / "tiem_cong_thuc.csv"
    f.write_text(
        'Tên đơn vị,Kỳ báo cáo,Số hội nghị\nXã Ea Kar,Quý II/2026,"=HYPERLINK(""http://x"",""bấm"")"\n',
        encoding="utf-8",
    )
    ingest_paths([f], db)
    return db


def _pick(page, label: str, option: str) -> None:
    """Open a Streamlit selectbox/multiselect by its label and choose an option (scrolled into view
    first: with eight pages in the navigation the sidebar's filters start below a laptop's fold)."""
    page.get_by_label(label).evaluate("e => e.scrollIntoView({block: 'center'})")
    page.get_by_label(label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_app(page)


def test_filters_url_and_download(tricky_db, browser, tmp_path):
    require_browser()
    with streamlit_server(tricky_db) as url:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        page.goto(f"{url}/tinh-hinh-bao-cao")
        wait_app(page)
        _pick(page, "Kỳ báo cáo", "Quý I/2026")
        units = page.get_by_label("Đơn vị (để trống: tất cả)")
        units.click()
        units.press_sequentially("Buôn Ma")
        page.get_by_role("option", name="Phường Buôn Ma Thuột", exact=True).click()
        page.keyboard.press("Escape")
        wait_app(page)
        chart = "[data-testid=stVegaLiteChart] .mark-line path"  # the on-time trend, drawn last
        page.wait_for_selector(chart, state="attached", timeout=30000)
        body = page.inner_text("[data-testid='stMain']")
        assert "Quý I/2026" in body and "1 đơn vị đã chọn" in body
        assert "ky=2026-Q1" in page.url and "don_vi=24133" in page.url
        # a copied link opens the same view
        other = browser.new_page(viewport={"width": 1366, "height": 768})
        other.goto(page.url)
        wait_app(other)
        other.wait_for_selector(chart, state="attached", timeout=30000)
        assert other.inner_text("[data-testid='stMain']") == body
        other.close()
        # the data-quality list downloads as CSV: Vietnamese intact, injection neutralized
        page.goto(f"{url}/chat-luong-du-lieu")
        wait_app(page)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Tải CSV").click()
        path = tmp_path / "dq.csv"
        dl.value.save_as(path)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        assert "Giá trị bị từ chối" in text and "Xã Ea Kar" in text
        assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
        page.screenshot(path=str(ARTIFACTS / "download-page.png"), full_page=True)
        page.close()


@pytest.mark.parametrize(("width", "height", "tag"), [(1280, 800, "laptop-1280"), (390, 844, "phone")])
def test_tile_values_are_never_cut(server, browser, width, height, tag):
    """A tile's value (the unit detail tiles of Theo xã/phường are a quarter of the page wide) is read
    whole: «0 chuyên đề» or «Chưa có số liệu» wraps, never ends in «…». (One xã/phường chosen in the
    filters, Phường Buôn Ma Thuột: its detail opens without another pick.)"""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    for path in ("", "theo-xa-phuong?don_vi=24133"):
        page.goto(f"{server}/{path}")
        wait_app(page)
        page.locator("[data-testid='stMetricValue']").first.wait_for()
        cut = page.evaluate(
            """() => [...document.querySelectorAll("[data-testid='stMetricValue'] .stMarkdownEllipsis")]
                .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
        )
        page.locator("[data-testid='stMetric']").last.scroll_into_view_if_needed()  # the tiles in the picture
        page.screenshot(path=str(ARTIFACTS / f"tiles-{path.split('?')[0] or 'tong-quan'}-{tag}.png"))
        assert cut == [], (path, cut)
    ctx.close()


@pytest.mark.parametrize(("width", "tag"), [(1366, "laptop"), (390, "phone")])
def test_reporting_cycle_on_desk_and_phone(server, browser, width, tag):
    """The demo's cycle (data_sources/load/demo_cycle.py) as the office sees it: states, the two xã
    returned with their reasons, the approval form, the two changes waiting, the chase list and a
    reminder ready to copy. Screenshots: tests/artifacts/reporting-cycle-<tag>.png."""
    ctx = browser.new_context(viewport={"width": width, "height": 5600})
    page = ctx.new_page()
    page.goto(f"{server}/tinh-hinh-bao-cao?ky=2026-Q1")
    wait_app(page)
    page.get_by_text("Kính gửi").first.wait_for(timeout=30000)
    text = page.inner_text("body")
    for shown in ("Duyệt, khóa và nhắc báo cáo", "Đã duyệt", "bị trả lại", "Lý do:", "Duyệt các đơn vị đã chọn",
                  "Thay đổi chờ duyệt (2)", "Chấp nhận", "Từ chối", "Cần nhắc", "Đã nhắc đơn vị này"):  # fmt: skip
        assert shown in text, shown
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"reporting-cycle-{tag}.png"))
    ctx.close()


def _caption(page) -> str:
    return page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()


def test_a_unit_picked_after_the_kind_of_unit_changed_is_applied(server, browser):
    """A school chosen, then the kind switched back to xã/phường: the school no longer fits and is
    dropped, in the browser too. When only the server forgot it, the browser kept its chip and sent it
    back with the next pick, which was then dropped with it: every later pick did nothing (seen in the
    load test, national database, after a change of province)."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(server)
    wait_app(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Cơ sở giáo dục", exact=True).click()
    wait_app(page)
    units = page.get_by_label("Đơn vị (để trống: tất cả)")
    units.click()
    units.press_sequentially("Tiểu học Tuy")
    page.get_by_role("option").filter(has_text="Trường Tiểu học Tuy Hòa").first.click()
    page.keyboard.press("Escape")
    wait_app(page)
    assert _caption(page).endswith("Cơ sở giáo dục: 1 đơn vị đã chọn"), _caption(page)
    sidebar.get_by_text("Cấp xã", exact=True).click()
    wait_app(page)
    assert _caption(page).endswith("Cấp xã: tất cả đơn vị"), _caption(page)
    tags = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelectTagsContainer']")
    assert "Tuy Hòa" not in tags.inner_text(), tags.inner_text()  # the browser dropped the school too
    units.click()
    units.press_sequentially("Ea Kar")
    page.get_by_role("option", name="Xã Ea Kar", exact=True).click()
    page.keyboard.press("Escape")
    wait_app(page)
    assert _caption(page).endswith("Cấp xã: 1 đơn vị đã chọn"), _caption(page)
    assert tags.inner_text().split("\n")[0] == "Xã Ea Kar", tags.inner_text()
    page.close()
