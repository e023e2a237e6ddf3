"""The dashboard's upload path (ui.actions.upload, what the Nguồn dữ liệu page's upload box calls):
the same formats as the command line, a progress report per file and step, one atomic publish."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources.publish.store import published_versions
from data_sources.read.readers import READERS, ReadError
from tests.conftest import FIXTURES
from ui import actions


class Uploaded:
    """What ui.actions reads of a Streamlit ``UploadedFile``: its name and its bytes."""

    def __init__(self, path: Path):
        self.name = path.name
        self._data = path.read_bytes()

    def getvalue(self) -> bytes:
        return self._data


def test_upload_types_are_what_ingestion_reads():
    assert {f".{t}" for t in actions.UPLOAD_TYPES} == set(READERS) - {".xlsb"}
    assert {"xlsx", "xls", "ods", "csv", "txt"} <= set(actions.UPLOAD_TYPES)


def test_upload_every_format_reports_progress_and_publishes_once(db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(db))
    names = ["legacy_office_form.xls", "legacy_office_form.ods", "csv_utf16_tab.txt", "period_excel_dates.xlsx"]
    steps: list[tuple[float, str]] = []
    summary = actions.upload([Uploaded(FIXTURES / n) for n in names], progress=lambda f, t: steps.append((f, t)))
    assert [t["source"] for t in summary.tabs] == names and not any(t["error"] for t in summary.tabs)
    assert summary.totals["imported"] > 0
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and steps[-1][1] == "Đã nhập xong"
    texts = "\n".join(t for _, t in steps)
    for i, n in enumerate(names, start=1):
        assert f"Đang đọc tệp {i}/{len(names)}: {n}" in texts
    assert "Đang công bố phiên bản mới" in texts
    assert len(published_versions(db)) == 1  # the four files: one version, published at once


def test_upload_with_an_unreadable_file_writes_nothing(db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(db))
    files = [Uploaded(FIXTURES / "legacy_office_form.xls"), Uploaded(FIXTURES / "refused" / "csv_unknown_encoding.csv")]
    with pytest.raises(ReadError, match=r"csv_unknown_encoding\.csv"):
        actions.upload(files)
    assert not db.exists()
