"""The printable «phiếu» of a unit's personal link (outputs/phieu.py), rendered for real by LibreOffice: one page
per unit, the unit's name and link in its text, a QR code on the page that a decoder reads back as that link,
and the link opens that unit's form (core.links) until «Cấp lại đường dẫn» replaces it.

Expected values worked by hand: plan 000 (Sở GDĐT Đắk Lắk), quý III/2026, deadline 15/10/2026
(catalog/deadlines.csv), links valid 7 days more (deployment.toml [lien_ket] gia_han_ngay): to 22/10/2026.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from core import links
from tests.conftest import ARTIFACTS, run_cli

UNITS = {"24133": "Phường Buôn Ma Thuột", "24305": "Phường Buôn Hồ"}


def _need(*tools):
    import os

    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} missing in CI: make report-deps")
        pytest.skip(f"{missing} not installed: make report-deps")


def _page_text(pdf, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    return out


@pytest.fixture(scope="module")
def phieu(tmp_path_factory):
    _need("soffice", "pdfinfo", "pdftotext", "pdftoppm", "zbarimg")
    tmp = tmp_path_factory.mktemp("phieu")
    db, pdf = tmp / "nq71.duckdb", tmp / "phieu.pdf"
    # one signing key for the command line and this process (whatever configuration an earlier test cached here)
    mp = pytest.MonkeyPatch()
    mp.setenv("NQ71_LINK_SECRET", "khoa-ky-kiem-thu-phieu-du-32-ky-tu-tro-len")
    proc = run_cli("outputs", "phieu", "--plan", "000", "--period", "2026-Q3", "--unit", "24133", "--unit", "24305",
                   "--db", str(db), "--out", str(pdf))  # fmt: skip
    assert "phiếu của 2 đơn vị" in proc.stdout
    yield db, pdf
    mp.undo()


def test_one_page_per_unit_with_its_name_link_and_dates(phieu):
    db, pdf = phieu
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in info
    for page, (code, name) in enumerate(UNITS.items(), start=1):
        text = _page_text(pdf, page)
        flat = " ".join(text.split())
        for words in ("SỞ GIÁO DỤC VÀ ĐÀO TẠO ĐẮK LẮK", "PHIẾU BÁO CÁO TRỰC TUYẾN", name, "Kỳ báo cáo: Quý III/2026",
                      "Hạn báo cáo: 15/10/2026", "Đường dẫn dùng được đến hết ngày: 22/10/2026", "Cách báo cáo",
                      "1. Quét mã QR", "Cần hỗ trợ: Văn phòng Sở GDĐT (bộ phận quản trị hệ thống)"):  # fmt: skip
            assert words in flat, (page, words)
        other = next(n for c, n in UNITS.items() if c != code)
        assert other not in flat  # one unit per page
        url = links.url(db, code, "000", "2026-Q3")
        assert url in "".join(text.split())  # the link: its address, then its token on a line of its own (whole:
        assert url.split("?t=")[1] in [line.strip() for line in text.splitlines()]  # never broken at a «-»)


def test_the_qr_on_the_page_carries_the_units_link(phieu):
    db, pdf = phieu
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / "phieu_trang"
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(stem)], check=True)
    for page, code in enumerate(UNITS, start=1):
        png = next(ARTIFACTS.glob(f"phieu_trang-{page}.png"))
        decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, check=True)
        link = decoded.stdout.strip()
        assert link == links.url(db, code, "000", "2026-Q3")
        grant = links.open_link(db, link.split("?t=", 1)[1], address="test-phieu", today=dt.date(2026, 10, 22))
        assert (grant.unit, grant.plan, grant.period, grant.expires) == (code, "000", "2026-Q3", dt.date(2026, 10, 22))


def test_a_revoked_link_is_not_the_next_phieus(phieu, tmp_path):
    db, pdf = phieu
    before = "".join(_page_text(pdf, 1).split())
    old = links.url(db, "24133", "000", "2026-Q3")
    links.revoke(db, "24133", by="kiểm thử")
    again = tmp_path / "lai.pdf"
    run_cli("outputs", "phieu", "--plan", "000", "--period", "2026-Q3", "--unit", "24133", "--db", str(db),
            "--out", str(again))  # fmt: skip
    after = "".join(_page_text(again, 1).split())
    new = links.url(db, "24133", "000", "2026-Q3")
    assert old in before and new in after and new != old and old not in after
    with pytest.raises(links.LinkError, match="cấp lại"):
        links.open_link(db, old.split("?t=", 1)[1], address="test-phieu-2", today=dt.date(2026, 10, 1))


def test_unknown_unit_and_bad_period_refused_in_words(tmp_path):
    proc = run_cli("outputs", "phieu", "--plan", "000", "--period", "2026-Q3", "--unit", "99999", "--db",
                   str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "x.pdf"), check=False)  # fmt: skip
    assert proc.returncode == 2 and "Mã đơn vị 99999" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("outputs", "phieu", "--period", "Q3", "--out", str(tmp_path / "x.pdf"), check=False)
    assert proc.returncode == 2 and not (tmp_path / "x.pdf").exists()
