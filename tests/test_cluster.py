"""Two Streamlit processes behind Debian's haproxy (deploy/cluster.py, `make serve-cluster`)."""

from __future__ import annotations

import os
import urllib.request
from http.cookiejar import CookieJar

import pytest

from deploy.cluster import cluster, haproxy_bin, render_config
from tests.browser import ARTIFACTS, chromium, wait_app
from tests.conftest import require_browser

pytestmark = pytest.mark.browser


def require_haproxy() -> None:
    """Skipped only where haproxy can be neither found nor installed (not root); `make cluster-deps`
    installs it as root."""
    if haproxy_bin():
        return
    if os.geteuid() == 0:
        pytest.fail("haproxy is missing: run `make cluster-deps` (apt-get install haproxy)")
    pytest.skip("haproxy is not installed and this is not root: apt-get install haproxy")


def test_config_has_sticky_cookie_health_check_and_websocket_timeout(tmp_path):
    cfg = render_config(8500, [9001, 9002], tmp_path / "h.pid")
    assert "cookie SERVERID insert indirect nocache" in cfg
    assert "option httpchk GET /_stcore/health" in cfg
    assert "timeout tunnel 1h" in cfg and "mode http" in cfg
    assert "server w1 127.0.0.1:9001 check cookie w1" in cfg and "server w2 127.0.0.1:9002 check cookie w2" in cfg
    assert "${" not in cfg


def test_two_workers_behind_haproxy(demo_db, tmp_path):
    require_haproxy()
    require_browser()
    with cluster(demo_db, workers=2, run_dir=tmp_path / "run", timeout=90) as c:
        # haproxy answers the health check, and sets the sticky cookie naming one worker
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{c.url}/_stcore/health", timeout=10) as r:
            assert r.status == 200 and r.read() == b"ok"
            assert any(v.startswith("SERVERID=w") for v in r.headers.get_all("Set-Cookie", []))
        server_id = {ck.name: ck.value for ck in jar}["SERVERID"]
        assert server_id in ("w1", "w2")
        # with the cookie, the next answers come from the same worker and haproxy does not set it again
        with opener.open(f"{c.url}/", timeout=10) as r:
            assert r.status == 200 and not any("SERVERID" in v for v in r.headers.get_all("Set-Cookie", []))
        # both workers are in the rotation: a new visitor without the cookie may land on either
        seen = set()
        for _ in range(4):
            with urllib.request.urlopen(f"{c.url}/_stcore/health", timeout=10) as r:
                seen |= {v.split(";")[0] for v in r.headers.get_all("Set-Cookie", []) if v.startswith("SERVERID")}
        assert seen == {"SERVERID=w1", "SERVERID=w2"}

        # a real browser: the page, its websocket (/_stcore/stream) and the script run go through haproxy
        with chromium() as browser:
            ctx = browser.new_context(viewport={"width": 1366, "height": 768})
            page = ctx.new_page()
            page.goto(c.url)
            wait_app(page, timeout=60000)
            page.wait_for_selector("[data-testid=stVegaLiteChart] .mark-line path", timeout=30000)
            assert page.locator("[data-testid='stException']").count() == 0
            text = page.inner_text("body")
            assert "Tổng quan" in text and "Đơn vị đã báo cáo" in text
            assert any(ck["name"] == "SERVERID" for ck in ctx.cookies())
            page.screenshot(path=str(ARTIFACTS / "cluster-overview.png"))
            ctx.close()
        assert all(w.poll() is None for w in c.workers) and c.haproxy.poll() is None
