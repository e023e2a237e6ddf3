"""Shared fixtures. Databases are real DuckDB files in pytest's tmp dirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# copies of ../shared (the material the project was given): see tests/fixtures/README.md
SHARED = FIXTURES / "shared"
SAMPLES = SHARED / "samples"
RECORDINGS = SHARED / "google-api-recordings"
SEEDS = SHARED / "seeds"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARTIFACTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _no_login_on_test_databases(monkeypatch):
    """Test databases are not called demo*: without [auth] the dashboard would refuse them (as it
    refuses a real database). Tests of pages allow that explicitly; tests of access configure [auth]
    or remove this setting to see the refusal."""
    monkeypatch.setenv("NQ71_ALLOW_NO_LOGIN", "1")
    # a page's error is drawn as an incident number (ui/guard.py) and raised again, so AppTest sees it
    monkeypatch.setenv("NQ71_RAISE_ERRORS", "1")


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess, as cron or an administrator runs it."""
    proc = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The bundled demo, built through the real ingestion path once per run."""
    from data_sources.load.demo import build

    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build(db)
    return db


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    """A copy of the demo, with the demo's registries (as `make run` sets them), its own link key and a clean
    count of wrong links (the «Nộp báo cáo» tests)."""
    from core import catalog, links

    for var, path in (("NQ71_SCHOOLS", "truong_hoc.csv"), ("NQ71_UNITS", "don_vi.csv"), ("NQ71_ROSTER", "roster.csv")):
        monkeypatch.setenv(var, str(ROOT / "catalog" / "demo" / path))
    monkeypatch.delenv("NQ71_LINK_SECRET", raising=False)
    catalog.settings.cache_clear()
    out = tmp_path / "demo_copy.duckdb"
    shutil.copy(demo_db.resolve(), out)
    monkeypatch.setenv("NQ71_DB", str(out))
    for a in ("", "?", "1.2.3.4", "203.0.113.7", "198.51.100.9"):
        links.ATTEMPTS.clear(a)
    yield out
    catalog.settings.cache_clear()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "test.duckdb"


def require_browser() -> None:
    """Browser tests never skip in CI; elsewhere they skip with the install command."""
    if shutil.which("chromium") or os.path.exists("/usr/bin/chromium"):
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing in CI: make test installs it (apt-get install chromium)")
    pytest.skip("Chromium not installed: apt-get install chromium chromium-driver fonts-noto-core")


@pytest.fixture
def app(demo_db, monkeypatch):
    """The dashboard under AppTest on the demo database, its first run done without an exception."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NQ71_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def shown(markdown: str) -> str:
    """What a reader sees of markdown source whose punctuation was escaped (ui.text.plain): CommonMark
    draws a backslash before an ASCII punctuation mark as the mark alone."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")  # the joiner is invisible
