"""data_sources/ and queries/ are headless: they import without streamlit (for cron and the CLI)."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

CORE = [
    "data_sources", "data_sources.load.ingest", "data_sources.parse.extract", "data_sources.parse.layout", "data_sources.read.readers",
    "data_sources.parse.units", "data_sources.parse.values", "data_sources.parse.periods", "data_sources.publish.store",
    "data_sources.load.mappings", "data_sources.load.demo", "data_sources.__main__",
    "queries", "queries.export", "queries.__main__",
]  # fmt: skip


@pytest.mark.parametrize("module", CORE)
def test_core_module_never_loads_streamlit(module):
    code = f"import sys, importlib; importlib.import_module({module!r}); print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sql_only_in_queries_folder():
    """Pages and ui helpers call named queries; they hold no SQL text."""
    for folder in ("pages", "ui"):
        for f in (ROOT / folder).glob("*.py"):
            text = f.read_text(encoding="utf-8").upper()
            assert "SELECT " not in text and " FROM MART" not in text, f


def test_ruff_lint_and_format():
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout
