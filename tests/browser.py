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
def streamlit_server(db: str | Path, timeout: float = 60.0, args: tuple[str, ...] = (), env: dict | None = None,
                     port: int | None = None, host: str = "127.0.0.1", log_dir: Path = ARTIFACTS):  # fmt: skip
    """The real server (``python -m ui.serve``, as ``make run``) on a free port; its log goes to
    ``log_dir`` (made if missing: the benchmarks pass their own folder, never the tests' scratch one)."""
    port = port or free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "NQ71_DB": str(db),
        "NQ71_SCHOOLS": "catalog/demo/truong_hoc.csv",
        "NQ71_UNITS": "catalog/demo/don_vi.csv",
        "NQ71_ROSTER": "catalog/demo/roster.csv",
        **(env or {}),
    }
    log = open(log_dir / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port),
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
