"""Documents that leave the office (issue 32, part 1): every periodic report of the demo (every
plan; a quarter, a half-year and a year; every kind of unit the plan is followed through) and every
plan's form kit, read back as the recipient reads them (python-docx, openpyxl), hold no value
printed as a code («<NA>», «nan», «None»), no internal code (CT01, a field code), no word cut in
half, dates as Decree 30/2020/NĐ-CP writes them, and a period inside a sentence in lower case.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from docx import Document

from core import catalog
from core.db import connect_read
from outputs.kit import build_form
from outputs.report import make
from queries import PeriodSel, Scope
from tests.test_report import _texts  # every paragraph, tables in tables included

PLANS = [p["plan"] for p in catalog.read_csv("plans.csv")]
PERIODS = ("2026-Q2", "2026-H1", "2026")
TODAY = dt.date(2026, 12, 4)  # the year's last quarter is not yet due: «Số ngày quá hạn» has no number

RAW = re.compile(r"<NA>|\bnan\b|\bNaN\b|\bNone\b|\bNaT\b|\bTrue\b|\bFalse\b")
CODE = re.compile(r"\bCT\d\d\b|\b[a-z]+(?:_[a-z0-9]+)+\b")  # an indicator code, a field code (so_chuyen_de)
DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
# a period label capitalised after a word inside a sentence («…, Năm 2026», «báo cáo Quý II/2026»)
PERIOD_MID = re.compile(r"(?<=[\wÀ-ỹ,]) (Quý [IV]+/\d{4}|Năm \d{4}|Tháng \d{1,2}/\d{4})")


def _decree_30(day: str, month: str) -> bool:
    """Decree 30: a day below 10 and the months 1 and 2 take a leading 0; other months do not."""
    return len(day) == 2 and month == (f"{int(month):02d}" if int(month) <= 2 else str(int(month)))


def _quoted_out(text: str) -> str:
    """The text less what it quotes (a unit's own words, a column's name)."""
    return re.sub(r"«[^»]*»|\"[^\"]*\"", "«»", text)


@pytest.fixture(scope="module")
def reports(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    con = connect_read(demo_db)
    made = {}
    try:
        for plan in PLANS:
            for period in PERIODS:
                for level in catalog.plan_levels(plan):
                    docx, _ = make(con, plan, PeriodSel(period), Scope.everything(), out / f"{plan}_{period}_{level}.docx",
                                   level=level, today=TODAY)  # fmt: skip
                    made[(plan, period, level)] = [t for t in _texts(Document(str(docx))) if t.strip()]
    finally:
        con.close()
    return made


def test_every_report_prints_words_not_codes(reports):
    assert len(reports) == sum(len(catalog.plan_levels(p)) for p in PLANS) * len(PERIODS)
    for key, lines in reports.items():
        text = "\n".join(lines)
        assert not RAW.findall(text), (key, RAW.findall(text)[:5])
        codes = CODE.findall(_quoted_out(text))
        assert not codes, (key, codes[:5])
        assert not [ln for ln in lines if re.match(r"\s*CT\d\d", ln)], key


def test_every_report_writes_dates_and_periods_as_a_document_does(reports):
    for key, lines in reports.items():
        text = "\n".join(lines)
        dates = DATE.findall(text)
        assert dates, key
        bad = [f"{d}/{m}/{y}" for d, m, y in dates if not _decree_30(d, m)]
        assert not bad, (key, bad[:5])
        assert not PERIOD_MID.findall(text), (key, PERIOD_MID.findall(text)[:3])
        assert "Nghị quyết 71-NQ/TW" not in _quoted_out(text), key  # «Nghị quyết số 71-NQ/TW» in a document
        assert "GDĐT" not in text.replace("/BC-SGDĐT", ""), key  # the Sở's full name


def test_opening_sentence_names_the_plan_once_and_says_what_the_catalog_lacks(reports):
    plans = {p["plan"]: p for p in catalog.read_csv("plans.csv")}
    for (plan, _period, _level), lines in reports.items():
        opening = next(ln for ln in lines if ln.startswith("Thực hiện "))
        assert opening.casefold().count("thực hiện") == 1, opening
        number = plans[plan]["so_ky_hieu"]
        if number:
            assert f"Kế hoạch số {number}" in opening, opening
        if not plans[plan]["ngay_ban_hanh"]:
            assert "chưa ghi" in opening and "ngày ban hành" in opening, opening
        assert "Nghị quyết số 71-NQ/TW ngày 22/8/2025" in opening


def test_year_report_says_not_yet_due_rather_than_a_blank_number(reports):
    """The year's last quarter is due 15/01/2027: on 04/12/2026 no unit is overdue, and the table of
    units not yet reported says so for each (it printed «<NA>» 102 times)."""
    lines = reports[("000", "2026", "xa")]
    assert lines.count("Chưa đến hạn") >= 90


def _kit_texts(path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    out = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            out += [x for x in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error) if x]
    return out


@pytest.mark.parametrize("plan", PLANS)
def test_every_form_kit_prompt_is_whole_words(plan, tmp_path, monkeypatch):
    from tests.conftest import ROOT

    monkeypatch.setenv("NQ71_UNITS", str(ROOT / "catalog" / "demo" / "don_vi.csv"))  # plan 004's chi bộ
    kit = build_form(plan, "2026-Q3", tmp_path / "phu_luc.xlsx", link="https://example.org/x")
    wb = openpyxl.load_workbook(kit.path)
    ws = wb.worksheets[0]
    fields = catalog.fields()
    titles = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        code = next(c for c, letter in kit.columns.items() if letter == col)
        titles[code] = dv.promptTitle
    assert set(titles) == set(kit.columns)
    for code, title in titles.items():
        name = fields[code].name
        assert len(title) <= 32, title  # Excel's limit
        if title != name:  # shortened: whole words of the name, then «…»
            assert title.endswith("…"), title
            kept = title[:-1]
            assert name.startswith(kept) and name[len(kept)] in " ,;:", (title, name)
    text = "\n".join(_kit_texts(kit.path))
    assert not RAW.findall(text), RAW.findall(text)[:5]
    assert "1000 ký tự" not in text and "1.000 ký tự" in text
    assert "GDĐT" not in ws["A1"].value
    bad = [f"{d}/{m}/{y}" for d, m, y in DATE.findall(text) if not _decree_30(d, m)]
    assert not bad, bad
