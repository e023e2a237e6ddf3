"""Text that came from a sheet or a person is drawn as text (issue 24, finding 4): no bold, no image, no
link, no maths, no colour. In real Chromium, every request the browser makes goes to the server alone
(an image in a «Đề xuất» cell was fetched by every viewer's browser: a tracking pixel)."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from tests.browser import ARTIFACTS, chromium, streamlit_server, wait_app
from tests.conftest import require_browser, run_cli, shown

pytestmark = pytest.mark.browser

EVIL = "evil.example"
HOSTILE = (
    f"**đậm** ![ảnh](http://{EVIL}/p.png) [bấm](http://{EVIL}/x) www.{EVIL} http://{EVIL}/y "
    f'<img src="http://{EVIL}/q.png"> :red[đỏ] $x^2$ :material/home: a@{EVIL}'
)
REASON = f"Thiếu số liệu ![p](http://{EVIL}/r.png) [xem](http://{EVIL}/z) **gấp**"


@pytest.fixture(scope="module")
def hostile_db(demo_db, tmp_path_factory):
    """The demo with Xã Ea Kar's Q2 «Đề xuất» and «Khó khăn» holding markdown, and its Q2 returned with a
    reason holding markdown."""
    d = tmp_path_factory.mktemp("hostile")
    db = d / "demo.duckdb"
    shutil.copy(demo_db, db)
    csv = d / "de_xuat.csv"
    quoted = HOSTILE.replace('"', '""')
    csv.write_text(
        f'Tên đơn vị,Kỳ báo cáo,"Khó khăn, vướng mắc","Đề xuất, kiến nghị"\nXã Ea Kar,Quý II/2026,"{quoted}","{quoted}"\n',
        encoding="utf-8",
    )
    run_cli("data_sources", "ingest", str(csv), "--db", str(db), "--province", "66", "--seen-at", "10/07/2026 09:00")
    run_cli("data_sources", "cycle", "return", "--db", str(db), "--period", "2026-Q2", "--unit", "24373",
            "--reason", REASON, "--by", "vanphong@vidu.edu.vn")  # fmt: skip
    return db


def test_unit_texts_and_a_return_reason_are_drawn_as_text_and_fetch_nothing(hostile_db):
    require_browser()
    with streamlit_server(hostile_db) as url, chromium() as browser:
        server = urlsplit(url).netloc
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url))
        page.goto(f"{url}/theo-xa-phuong?ky=2026-Q2&don_vi=24373")
        wait_app(page)
        page.get_by_text("Khó khăn, đề xuất của đơn vị").scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        page.screenshot(path=ARTIFACTS / "text-is-text-don-vi.png", full_page=True)
        main = page.locator("[data-testid='stMain']")
        text = main.inner_text()
        assert "**đậm**" in text and "![ảnh]" in text and ":red[đỏ]" in text and "$x^2$" in text
        assert main.locator(f"img[src*='{EVIL}'], a[href*='{EVIL}']").count() == 0
        assert main.locator("strong", has_text="đậm").count() == 0
        page.goto(f"{url}/tinh-hinh-bao-cao?ky=2026-Q2&don_vi=24373")
        wait_app(page)
        page.wait_for_timeout(1500)
        page.screenshot(path=ARTIFACTS / "text-is-text-tra-lai.png", full_page=True)
        main = page.locator("[data-testid='stMain']")
        assert "Lý do: Thiếu số liệu ![p]" in main.inner_text()
        assert main.locator(f"img[src*='{EVIL}'], a[href*='{EVIL}']").count() == 0
    elsewhere = sorted({u for u in asked if urlsplit(u).netloc not in (server, "") and not u.startswith("data:")})
    assert not elsewhere, elsewhere


def test_the_escape_keeps_the_text_as_written():
    from ui.text import plain

    for text in (HOSTILE, REASON, "Phường Buôn Ma Thuột", "Ea H'leo (cũ) - 50%", "a\\b `c` ~~d~~ |e| # f"):
        assert shown(plain(text)) == " ".join(text.split())
