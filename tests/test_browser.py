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
    page.wait_for_selector(".js-plotly-plot .bars, .js-plotly-plot .point", timeout=30000)
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
        page.screenshot(path=str(ARTIFACTS / f"{path or 'tong-quan'}-{tag}.png"), full_page=True)
    ctx.close()
