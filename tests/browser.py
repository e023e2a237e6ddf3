"""Real `streamlit run` on a free port, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("NQ71_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


server_log: dict[str, str] = {}  # url -> the server's log file (tests read it back)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: str | Path | None, timeout: float = 60.0, args: tuple[str, ...] = (), env: dict | None = None,
                     port: int | None = None, host: str = "127.0.0.1", log_dir: Path = ARTIFACTS,
                     python: str = sys.executable, demo_catalog: bool = True):  # fmt: skip
    """The real server (``python -m ui.serve``, as ``make run``) on a free port; its log goes to
    ``log_dir`` (made if missing: the benchmarks pass their own folder, never the tests' scratch one).

    ``python``: the interpreter of the venv to serve from (the runtime-only venv of
    tests/test_runtime_venv.py). ``db=None`` and ``demo_catalog=False``: nothing set for the server
    but ``env`` (a deployment's own configuration file, tests/test_walkthrough.py)."""
    port = port or free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    demo = {
        "NQ71_SCHOOLS": "catalog/demo/truong_hoc.csv",
        "NQ71_UNITS": "catalog/demo/don_vi.csv",
        "NQ71_ROSTER": "catalog/demo/roster.csv",
    }
    env = {
        **os.environ,
        **({"NQ71_DB": str(db)} if db is not None else {}),
        **(demo if demo_catalog else {}),
        **(env or {}),
    }
    log = open(log_dir / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [python, "-m", "ui.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.3)
        server_log[url] = log.name
        yield url
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()
        log.close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_app(page, timeout: float = 30000) -> None:
    """Until the script run finished and every element has replaced its skeleton."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            return app && app.getAttribute("data-test-script-state") === "notRunning"
                && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stSkeletonElement'], [data-testid='stAppSkeleton']");
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(800)  # Vega draws after the run


@contextlib.contextmanager
def oidc_provider():
    """A real OpenID provider on a free loopback port (oidc-provider-mock: discovery, authorize, token,
    userinfo, end session); any e-mail typed into its form signs in."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


def auth_secrets(path: Path, redirect_uri: str, provider: str, cookie_secret: str, client_secret: str) -> Path:
    """A secrets.toml with Streamlit's [auth] section pointing at ``provider``."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        'client_id = "nq71-dashboard"\n'
        f'client_secret = "{client_secret}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


def sign_in(browser, app_url: str, email: str):
    """Click «Đăng nhập», answer the provider's form as ``email``; the context and the page, back on the app."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.goto(app_url)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("input[name=sub]", timeout=30000)  # the provider's authorize form
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**", timeout=30000)
    return ctx, page
