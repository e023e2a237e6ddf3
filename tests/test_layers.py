"""The shape of the code, enforced: one-way data flow, thin pages, SQL only in .sql files with a header.

The import contracts themselves live in pyproject.toml ([tool.importlinter]) and run here
through the real ``lint-imports``; the rules import-linter cannot express are checked below.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CORE = [
    "core", "core.catalog", "core.periods", "core.fmt", "core.db",
    "data_sources", "data_sources.__main__", "data_sources.load.ingest", "data_sources.load.refresh",
    "data_sources.load.mappings", "data_sources.load.demo", "data_sources.parse.extract",
    "data_sources.parse.layout", "data_sources.read.readers", "data_sources.read.google",
    "data_sources.publish.store",
    "queries", "queries.export", "queries.__main__",
    "outputs", "outputs.__main__", "outputs.report", "outputs.kit", "outputs.excel",
]  # fmt: skip
PAGES = sorted((ROOT / "pages").glob("*.py"))
SQL_FILES = sorted((ROOT / "queries").glob("*.sql")) + sorted((ROOT / "data_sources" / "sql").glob("*.sql"))
# a SQL statement written in Python: a keyword that starts one, followed by what it acts on
SQL_STATEMENT = re.compile(
    r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+[\w.]+\s+SET|DELETE\s+FROM|CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?"
    r"(TABLE|VIEW|MACRO|SCHEMA)|DROP\s+(TABLE|VIEW)|ALTER\s+TABLE|CHECKPOINT\b)",
)


@pytest.mark.parametrize("module", CORE)
def test_core_module_never_loads_streamlit(module):
    code = f"import sys, importlib; importlib.import_module({module!r}); print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_import_contracts():
    """pages -> ui -> (queries | data_sources) -> core; no streamlit below ui; pages write only
    through ui.actions; the pipeline's folders in order; no import cycles (pyproject.toml)."""
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "0 broken" in lint.stdout


def _python_files():
    for folder in ("app.py", "pages", "ui", "outputs", "queries", "data_sources", "core"):
        path = ROOT / folder
        yield from [path] if path.is_file() else path.rglob("*.py")


def test_no_sql_statement_in_python():
    """SQL lives in .sql files (queries/ for reads, data_sources/sql/ for writes), nowhere else."""
    found = [
        f"{f.relative_to(ROOT)}:{n}: {line.strip()}"
        for f in _python_files()
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if SQL_STATEMENT.search(line)
    ]
    assert not found, "\n".join(found)


def test_sql_pattern_catches_statements():
    """The check above can fail: it recognises the statements it is meant to keep out."""
    for text in ('con.execute("SELECT count(*) FROM ref.units")', "INSERT INTO raw.tabs BY NAME",
                 "CREATE OR REPLACE TABLE ref.x AS", "DELETE FROM ref.sources", "UPDATE ref.sources SET a = 1"):  # fmt: skip
        assert SQL_STATEMENT.search(text), text
    assert not SQL_STATEMENT.search("Chọn (select) một đơn vị rồi tạo (create) báo cáo")


# what writes a document: python-docx, matplotlib, openpyxl's writer and pandas' Excel writer, the QR maker
WRITERS = re.compile(
    r"^\s*(import|from)\s+(docx|matplotlib|segno)\b|openpyxl\.Workbook\(|ExcelWriter|\.to_excel\(", re.M
)


def test_documents_are_written_in_outputs_only():
    """queries/ reads, data_sources/ reads and loads: the .docx, .xlsx, PDF and QR the product writes for people
    are in outputs/ (data_sources/load/demo.py writes the demo's sample sheets, test data, not a document)."""
    found = [
        str(f.relative_to(ROOT))
        for folder in ("queries", "data_sources")
        for f in (ROOT / folder).rglob("*.py")
        if WRITERS.search(f.read_text(encoding="utf-8")) and f.name != "demo.py"
    ]
    assert not found, found
    assert WRITERS.search("    from docx.shared import Pt") and WRITERS.search("with pd.ExcelWriter(buf) as xw:")
    assert WRITERS.search("    wb = openpyxl.Workbook()") and not WRITERS.search("wb = openpyxl.load_workbook(p)")


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sql_file_has_its_header(path):
    """Each .sql file opens with comments that give its grain (or what it writes) and its parameters."""
    text = path.read_text(encoding="utf-8")
    head = "\n".join(line for line in text.splitlines()[:25] if line.startswith("--")).lower()
    assert text.startswith("--"), "the file must open with its header comment"
    assert re.search(r"grain|writes|schema|rebuild", head), "name the grain (or what the file writes)"
    assert "parameter" in head, "list the $parameters (or say 'No parameters')"
    for param in set(re.findall(r"\$(\w+)", text)):
        assert f"${param}" in head, f"${param} is used but not described in the header"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_are_thin(page):
    """A page lays out widgets and calls the read API: short, no SQL, no status word, no sort rule,
    no counting; nothing of data_sources (writes go through ui.actions)."""
    text = page.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 60
    from core import catalog

    for status in catalog.statuses().values():
        assert f'"{status.label}"' not in text and f"'{status.label}'" not in text, status.label
    for rule in ("sort_values", ".sort(", "sorted(", "value_counts", ".groupby(", ".pivot(", ".sum()", "nunique"):
        assert rule not in text, rule
    assert "data_sources" not in text and "duckdb" not in text


def test_ruff_lint_and_format():
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout
