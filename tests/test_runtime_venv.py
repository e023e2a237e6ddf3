"""Sign-in works in what a production server installs: a venv built from requirements.txt alone.

The other sign-in tests serve from the tests' own venv, which also holds requirements-dev.txt; a
package that st.login needs and only the dev list brings (httpx did, through oidc-provider-mock) is
invisible there, and «Đăng nhập» answered «Internal Server Error» on every real install. Here the
server runs from ``.venv-runtime`` (``make runtime-venv``: requirements.txt alone, then pip check);
the browser and the local OpenID provider come from the tests' venv, as a real provider is elsewhere.
"""

from __future__ import annotations

import datetime as dt
import secrets as pysecrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import (
    ARTIFACTS,
    auth_secrets,
    chromium,
    free_port,
    oidc_provider,
    sign_in,
    streamlit_server,
    wait_app,
)
from tests.conftest import FIXTURES, ROOT, require_browser

pytestmark = pytest.mark.browser

RUNTIME = ROOT / ".venv-runtime"
RUNTIME_PY = RUNTIME / "bin" / "python"


@pytest.fixture(scope="module")
def runtime_python() -> Path:
    """The runtime-only venv; built here through the Makefile's own recipe when a developer runs
    pytest without ``make test`` (which builds it first)."""
    if not (RUNTIME / ".installed").exists():
        proc = subprocess.run(["make", "-s", "runtime-venv"], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return RUNTIME_PY


def _pip_check(python: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True)


def test_runtime_venv_holds_exactly_requirements_and_is_consistent(runtime_python):
    check = _pip_check(runtime_python)
    assert check.returncode == 0, check.stdout + check.stderr
    # built from requirements.txt alone: nothing of the tests' own list is there
    for dev_only in ("pytest", "playwright", "oidc_provider_mock"):
        probe = subprocess.run([str(runtime_python), "-c", f"import {dev_only}"], capture_output=True)
        assert probe.returncode != 0, f"{dev_only} is in the runtime venv"
    # and what st.login imports when «Đăng nhập» is clicked is there
    probe = subprocess.run(
        [str(runtime_python), "-c", "import authlib.integrations.starlette_client, httpx"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stderr


def test_dev_venv_is_consistent():
    check = _pip_check(sys.executable)
    assert check.returncode == 0, check.stdout + check.stderr


def test_sign_in_from_a_server_installed_by_requirements_alone(runtime_python, tmp_path, monkeypatch):
    require_browser()
    from data_sources.load.ingest import ingest_paths

    db = tmp_path / "nq71.duckdb"  # not a demo database: sign-in is required
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    port = free_port()
    client_secret, cookie_secret = pysecrets.token_hex(12), pysecrets.token_hex(16)
    env = {"NQ71_USERS": str(FIXTURES / "users.csv")}
    monkeypatch.delenv("NQ71_ALLOW_NO_LOGIN", raising=False)  # the conftest's allowance would skip sign-in
    with oidc_provider() as provider:
        secrets_file = auth_secrets(
            tmp_path / "secrets.toml", f"http://localhost:{port}/oauth2callback", provider, cookie_secret, client_secret
        )
        with (
            streamlit_server(
                db, args=("--secrets.files", str(secrets_file)), env=env, port=port, host="localhost",
                python=str(runtime_python),
            ) as url,
            chromium() as browser,
        ):  # fmt: skip
            ctx, page = sign_in(browser, url, "lanhdao@vidu.edu.vn")
            try:
                page.goto(f"{url}/?ky=2026-Q2")
                wait_app(page)
                page.screenshot(path=ARTIFACTS / "runtime-venv-dang-nhap.png", full_page=True)
                main = page.locator("[data-testid='stMain']").inner_text()
                assert "Internal Server Error" not in page.content()
                assert "3/102 xã, phường, đặc khu đã báo cáo" in main
                assert "Lãnh đạo" in page.locator("[data-testid='stSidebar']").inner_text()
            finally:
                ctx.close()
