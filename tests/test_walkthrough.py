"""README «Chạy thật cho một tỉnh», followed on a temporary folder as far as a machine without Google
can: the templates copied and filled in, ``python -m deploy check``, ``python -m deploy serve`` (what
``make serve CONFIG=…`` runs), the first administrator signs in through a real local OpenID provider,
a file is imported with the command line, and the page shows it. Nothing of the demo is set: no
NQ71_DB, no demo schools, units or roster; the server reads the province's file alone."""

from __future__ import annotations

import contextlib
import os
import secrets as pysecrets
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser import ARTIFACTS, chromium, free_port, oidc_provider, sign_in, wait_app
from tests.conftest import FIXTURES, ROOT, require_browser

pytestmark = pytest.mark.browser
ADMIN = "quantri@sogddt.example.vn"


def _env(config) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NQ71_")}
    env["NQ71_CONFIG"] = str(config)
    return env


@contextlib.contextmanager
def _served(config, port, log):
    proc = subprocess.Popen([sys.executable, "-m", "deploy", "serve"], cwd=ROOT, env=_env(config),
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            assert proc.poll() is None, f"deploy serve exited {proc.returncode}; see {log.name}"
            assert time.monotonic() < deadline, f"no answer on port {port}; see {log.name}"
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_province_from_the_templates_to_a_signed_in_administrator_seeing_its_data(tmp_path):
    require_browser()
    etc, var = tmp_path / "etc", tmp_path / "var"
    etc.mkdir()
    port = free_port()
    public = f"http://localhost:{port}"
    # step 2 of the README: the templates, filled in
    shutil.copy(ROOT / "deploy/templates/danh_sach_bao_cao.csv", etc / "danh_sach_bao_cao.csv")
    users = (ROOT / "deploy/templates/nguoi_dung.csv").read_text(encoding="utf-8")
    (etc / "nguoi_dung.csv").write_text(users.replace("quantri@sogddt.example.vn", ADMIN), encoding="utf-8")
    text = (ROOT / "deploy/templates/tinh.toml").read_text(encoding="utf-8")
    for old, new in (
        ('public_url = "https://nq71.sogddt.example.vn"', f'public_url = "{public}"'),
        ("port = 443", f"port = {port}"),
        ('tls_cert = "nq71.pem"', 'tls_cert = ""'),
        ('database = "/var/lib/nq71/nq71.duckdb"', f'database = "{var / "nq71.duckdb"}"'),
        ('backup_dir = "/var/backups/nq71"', f'backup_dir = "{tmp_path / "backups"}"'),
    ):
        assert old in text, old  # the template still reads as the README says
        text = text.replace(old, new)
    config = etc / "tinh.toml"
    config.write_text(text, encoding="utf-8")
    with oidc_provider() as provider:
        cookie, client = pysecrets.token_urlsafe(32), pysecrets.token_hex(12)
        (etc / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "{public}/oauth2callback"\ncookie_secret = "{cookie}"\nclient_id = "nq71"\n'
            f'client_secret = "{client}"\nserver_metadata_url = "{provider}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        # step 3: the check
        check = subprocess.run([sys.executable, "-m", "deploy", "check"], cwd=ROOT, env=_env(config),
                               capture_output=True, text=True)  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
        assert "✗" not in check.stdout and "Sẵn sàng chạy" in check.stdout
        # step 4: the server, then the first administrator signs in
        log = open(ARTIFACTS / f"walkthrough-{port}.log", "w")
        with _served(config, port, log), chromium() as browser:
            ctx, page = sign_in(browser, public, ADMIN)
            try:
                # signed in, before the first import: the empty state, not an error
                page.get_by_text("Chưa có dữ liệu").wait_for(timeout=30000)
                page.screenshot(path=ARTIFACTS / "walkthrough-truoc-khi-nhap.png", full_page=True)
                assert "Quản trị viên · Quản trị" in page.locator("[data-testid='stSidebar']").inner_text()
                assert "Traceback" not in page.content()
                # step 5: the first import, from the command line, then the page shows it
                ingest = subprocess.run(
                    [sys.executable, "-m", "data_sources", "ingest", str(FIXTURES / "progress_small.csv"),
                     "--db", str(var / "nq71.duckdb"), "--seen-at", "10/07/2026 09:00"],
                    cwd=ROOT, env=_env(config), capture_output=True, text=True,
                )  # fmt: skip
                assert ingest.returncode == 0, ingest.stderr
                page.goto(f"{public}/?ky=2026-Q2")
                wait_app(page)
                page.screenshot(path=ARTIFACTS / "walkthrough-sau-khi-nhap.png", full_page=True)
                main = page.locator("[data-testid='stMain']").inner_text()
                assert "3/102 xã, phường, đặc khu đã báo cáo" in main
                assert "Dữ liệu mẫu" not in page.content()
                # no demo register: the only level offered is xã/phường (no school list configured)
                assert "Cơ sở giáo dục" not in page.locator("[data-testid='stSidebar']").inner_text()
            finally:
                ctx.close()
        log.close()
        served = (ARTIFACTS / f"walkthrough-{port}.log").read_text(encoding="utf-8", errors="replace")
        assert cookie not in served and client not in served


def test_one_server_behind_haproxy_speaks_https_with_the_configured_certificate(tmp_path, demo_db):
    """``tls_cert`` in the province's file: ``deploy serve`` puts the same haproxy front the cluster
    uses, one worker, HTTPS only, before the dashboard; a browser reaches the page through it."""
    from tests.test_cluster import require_haproxy

    require_haproxy()
    require_browser()
    etc = tmp_path / "etc"
    etc.mkdir()
    key, crt = etc / "key.pem", etc / "crt.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)  # fmt: skip
    (etc / "nq71.pem").write_text(crt.read_text() + key.read_text())
    shutil.copy(ROOT / "deploy/templates/danh_sach_bao_cao.csv", etc / "danh_sach_bao_cao.csv")
    shutil.copy(ROOT / "deploy/templates/nguoi_dung.csv", etc / "nguoi_dung.csv")
    port, http_port = free_port(), free_port()
    text = (ROOT / "deploy/templates/tinh.toml").read_text(encoding="utf-8")
    for old, new in (
        ('public_url = "https://nq71.sogddt.example.vn"', f'public_url = "https://localhost:{port}"'),
        ("port = 443", f"port = {port}"),
        ("http_port = 80", f"http_port = {http_port}"),
        ('database = "/var/lib/nq71/nq71.duckdb"', f'database = "{demo_db}"'),
        ('backup_dir = "/var/backups/nq71"', f'backup_dir = "{tmp_path / "backups"}"'),
        ('secrets = "secrets.toml"', 'secrets = ""'),
    ):
        text = text.replace(old, new)
    config = etc / "tinh.toml"
    config.write_text(text, encoding="utf-8")
    env = {**_env(config), "NQ71_ALLOW_NO_LOGIN": "1"}  # the demo database: no sign-in needed here
    log = open(ARTIFACTS / f"walkthrough-tls-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "deploy", "serve"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        import ssl

        from deploy.cluster import healthy

        deadline = time.monotonic() + 120
        while not healthy(port, 2, tls=True):
            assert proc.poll() is None, f"deploy serve exited {proc.returncode}; see {log.name}"
            assert time.monotonic() < deadline, f"no HTTPS answer on {port}; see {log.name}"
            time.sleep(0.5)
        with pytest.raises(OSError):  # plain HTTP is not served on the public port
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).read()
        ctx = ssl._create_unverified_context()
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/", timeout=5, context=ctx) as r:
            assert r.status == 200
            headers = r.headers
        # what a public site sends: only its own scripts, images and connections; never framed; HSTS
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff" and "max-age=" in headers["Strict-Transport-Security"]
        # plain HTTP on the other port is sent to HTTPS, nothing served there
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
        conn.request("GET", "/theo-xa-phuong?ky=2026-Q2", headers={"Host": f"localhost:{http_port}"})
        answer = conn.getresponse()
        assert answer.status == 301 and answer.getheader("Location").startswith("https://localhost")
        assert answer.getheader("Location").endswith("/theo-xa-phuong?ky=2026-Q2")
        conn.close()
        with chromium() as browser:
            page = browser.new_context(ignore_https_errors=True).new_page()
            refused: list[str] = []
            page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"https://localhost:{port}/")
            wait_app(page)
            page.screenshot(path=ARTIFACTS / "walkthrough-https.png")
            assert page.locator("[data-testid='stMain'] h1").first.inner_text() == "Tổng quan"
            assert page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").count()
            page.goto(f"https://localhost:{port}/theo-chi-tieu")
            wait_app(page)
            assert not refused, refused  # the pages draw whole under the policy
    finally:
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
