"""Files that are not what they say (issue 25, finding 6): each refused with exit code 2, a Vietnamese
message naming the person's own file and what to do, no library English, and nothing published."""

from __future__ import annotations

import zipfile

import pytest

from tests.conftest import FIXTURES, run_cli

ENGLISH = ("Errno", "File is not", "There is no item", "zip file", "Traceback", "Exception", "Error:")


def _make(tmp_path, kind: str):
    if kind == "empty":
        p = tmp_path / "bao_cao.csv"
        p.write_bytes(b"")
    elif kind == "header_only":
        p = tmp_path / "bao_cao.csv"
        p.write_text("Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\n", encoding="utf-8")
    elif kind == "folder":
        p = tmp_path / "bao_cao.xlsx"
        p.mkdir()
    elif kind == "not_zip":
        p = tmp_path / "bao_cao.xlsx"
        p.write_text("đây là một tệp văn bản", encoding="utf-8")
    elif kind == "password":  # an encrypted workbook is an OLE compound file, not a zip
        p = tmp_path / "bao_cao.xlsx"
        p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    elif kind == "zip_not_xlsx":
        p = tmp_path / "bao_cao.xlsx"
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("ghi_chu.txt", "không phải bảng tính")
    else:
        p = tmp_path / "bao_cao.xls"
        p.write_bytes(b"\x00\x01junk" * 100)
    return p


@pytest.mark.parametrize(
    "kind, words",
    [
        ("empty", "rỗng (0 byte)"),
        ("header_only", "không có dòng số liệu nào"),
        ("folder", "là một thư mục"),
        ("not_zip", "không phải tệp Excel .xlsx"),
        ("password", "đặt mật khẩu"),
        ("zip_not_xlsx", "không phải bảng tính Excel"),
        ("broken_xls", "tệp hỏng"),
    ],
)
def test_a_file_that_is_not_a_filled_form_is_refused_in_vietnamese_and_nothing_is_published(tmp_path, kind, words):
    db = tmp_path / "nq71.duckdb"
    run_cli("data_sources", "ingest", str(FIXTURES / "progress_small.csv"), "--db", str(db), "--province", "66")
    versions = sorted((tmp_path / "nq71.duckdb.versions").glob("*.duckdb"))
    bad = _make(tmp_path, kind)
    proc = run_cli("data_sources", "ingest", str(bad), "--db", str(db), "--province", "66", check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in proc.stderr and bad.name in proc.stderr, proc.stderr
    assert str(tmp_path) not in proc.stderr  # the person's own file name, never a path on the server
    for english in ENGLISH:
        assert english not in proc.stderr, (english, proc.stderr)
    assert sorted((tmp_path / "nq71.duckdb.versions").glob("*.duckdb")) == versions
