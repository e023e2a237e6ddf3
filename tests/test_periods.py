"""Period spellings of bieu-mau.md, and properties."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.periods import bounds, label, quarter_of
from data_sources.parse.periods import parse_period


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Quý I/2026", "2026-Q1"),
        ("Quý 1/2026", "2026-Q1"),
        ("Q1-2026", "2026-Q1"),
        ("quý II năm 2026", "2026-Q2"),
        ("QUÝ IV - 2026", "2026-Q4"),
        ("Quý I.2026", "2026-Q1"),
        ("Kỳ báo cáo: Quý III/2026", "2026-Q3"),
        ("2026-Q3", "2026-Q3"),
        ("6 tháng đầu năm 2026", "2026-H1"),
        ("6 tháng cuối năm 2026", "2026-H2"),
        ("Tháng 4/2026", "2026-04"),
        ("04/2026", "2026-04"),
        ("T10/2026", "2026-10"),
        ("tháng 12 năm 2026", "2026-12"),
        ("Năm 2026", "2026"),
    ],
)
def test_spellings(text, code):
    p = parse_period(text)
    assert p is not None and p.code == code and not p.year_assumed


@pytest.mark.parametrize("text", ["Sheet1", "Câu trả lời biểu mẫu 1", "Quý 5/2026", "Tháng 13/2026", "", "Tổng hợp"])
def test_not_a_period(text):
    assert parse_period(text, default_year=2026) is None


def test_year_is_assumed_only_when_missing_and_said_so():
    p = parse_period("Tháng 4", default_year=2026)
    assert p.code == "2026-04" and p.year_assumed
    assert parse_period("Tháng 4") is None


def test_months_roll_up_and_bounds():
    assert quarter_of("2026-05") == "2026-Q2"
    assert quarter_of("2026-Q3") == "2026-Q3"
    assert quarter_of("2026-H1") is None
    assert bounds("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert bounds("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert label("2026-Q2") == "Quý II/2026"


@given(
    st.integers(1, 4),
    st.integers(2025, 2035),
    st.sampled_from(["Quý {r}/{y}", "quý {q} năm {y}", "Q{q}-{y}", "QUÝ {r}.{y}", "Quý  {r} / {y}"]),
    st.booleans(),
)
def test_quarter_any_spelling_any_form(q, y, template, nfd):
    roman = ["I", "II", "III", "IV"][q - 1]
    text = template.format(q=q, r=roman, y=y)
    if nfd:
        text = unicodedata.normalize("NFD", text)
    assert parse_period(text).code == f"{y}-Q{q}"


@given(st.text(max_size=20))
def test_never_crashes(text):
    p = parse_period(text)
    assert p is None or p.code[:4].isdigit()


@pytest.mark.parametrize(("text", "code"), [("QUÝ I - NĂM 2026", "2026-Q1"), ("6 tháng năm 2026", "2026-H1")])
def test_more_spellings(text, code):
    assert parse_period(text).code == code


@pytest.mark.parametrize("text", ["9 tháng năm 2026", "3 tháng năm 2026", "12 tháng năm 2026"])
def test_spans_the_form_has_no_period_for_are_not_guessed(text):
    assert parse_period(text, default_year=2026) is None


# --- periods written as dates (issue 12) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "said"),
    [
        ("01/04/2026", "2026-04", "ngày/tháng/năm"),  # a full date: its month, and the notes say how it was read
        ("15/04/2026", "2026-04", "ngày"),
        ("2026-04-01 00:00:00", "2026-04", "ngày"),  # an Excel date cell as the reader writes it
        ("2026-04-01", "2026-04", "ngày"),
        ("4/2026", "2026-04", ""),
        ("2026-04", "2026-04", ""),
    ],
)
def test_dates_are_read_as_their_month(text, code, said):
    p = parse_period(text)
    assert p is not None and p.code == code
    assert said in p.note and (p.note == "") == (said == "")


def test_month_first_order_only_when_the_sheet_says_so():
    assert parse_period("4/1/2026", date_order="mdy").code == "2026-04"
    assert parse_period("4/1/2026").code == "2026-01"
    assert parse_period("13/2026") is None and parse_period("32/01/2026") is None


# --- issue 12: every period the spec lists, in any of its spellings, round-trips -------------------

_ROMAN_Q = ["I", "II", "III", "IV"]
SPELLINGS = {
    "quarter": ["Quý {R}/{y}", "Quý {q}/{y}", "Q{q}-{y}", "quý {R} năm {y}", "Quý {R}.{y}", "{y}-Q{q}", "QUÝ {R} - NĂM {y}"],
    "month": ["Tháng {m}/{y}", "{mm}/{y}", "{m}/{y}", "T{m}/{y}", "tháng {mm} năm {y}", "{y}-{mm}",
              "01/{mm}/{y}", "{y}-{mm}-01 00:00:00", "{y}-{mm}-15"],
    "half": ["6 tháng {w} năm {y}"],
    "year": ["Năm {y}", "năm {y}", "cả năm {y}", "{y}"],
}  # fmt: skip


@st.composite
def period_and_spelling(draw):
    kind = draw(st.sampled_from(sorted(SPELLINGS)))
    y = draw(st.integers(2020, 2040))
    template = draw(st.sampled_from(SPELLINGS[kind]))
    if kind == "quarter":
        q = draw(st.integers(1, 4))
        return f"{y}-Q{q}", template.format(R=_ROMAN_Q[q - 1], q=q, y=y)
    if kind == "month":
        m = draw(st.integers(1, 12))
        return f"{y}-{m:02d}", template.format(m=m, mm=f"{m:02d}", y=y)
    if kind == "half":
        h = draw(st.integers(1, 2))
        return f"{y}-H{h}", template.format(w="đầu" if h == 1 else "cuối", y=y)
    return str(y), template.format(y=y)


@given(
    period_and_spelling(), st.sampled_from(["NFC", "NFD"]), st.sampled_from([str, str.upper, str.lower]), st.booleans()
)
def test_every_spec_period_in_every_spelling_round_trips(pair, form, case, padded):
    code, text = pair
    text = unicodedata.normalize(form, case(text))
    if padded:
        text = f"  {text.replace(' ', '  ')} "
    p = parse_period(text)
    assert p is not None and p.code == code, (text, p)
    assert parse_period(label(code)).code == code  # the product's own label reads back as the same period


@pytest.mark.parametrize(
    "text, code",
    [("3 tháng đầu năm 2026", "2026-Q1"), ("BÁO CÁO 3 THÁNG ĐẦU NĂM 2026", "2026-Q1"), ("ba tháng đầu năm 2026", "2026-Q1"),
     ("3 tháng cuối năm 2026", "2026-Q4"), ("6 tháng đầu năm 2026", "2026-H1")],
)  # fmt: skip
def test_three_months_from_the_start_of_the_year_is_the_first_quarter(text, code):
    assert parse_period(text).code == code


@pytest.mark.parametrize("text", ["9 tháng đầu năm 2026", "9 tháng năm 2026", "chín tháng 2026", "3 tháng"])
def test_a_span_the_form_has_no_period_for_is_refused_saying_why(text):
    from data_sources.parse.periods import period_refusal

    assert parse_period(text) is None
    assert "không phải kỳ của biểu mẫu" in period_refusal(text)


def test_a_date_stored_as_its_number_is_refused_naming_the_date(tmp_path):
    from core.db import connect_read
    from data_sources.load.ingest import ingest_paths

    path = tmp_path / "ky_so.csv"
    path.write_text("Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\nXã Ea Kar,46142,2\n", encoding="utf-8")
    db = tmp_path / "nq71.duckdb"
    ingest_paths([path], db, province=66)
    con = connect_read(db)
    try:
        (note,) = con.execute("SELECT period_note FROM stg.rows").fetchone()
    finally:
        con.close()
    assert "có lẽ là ngày 30/04/2026" in note and "định dạng lại kiểu Ngày" in note


@pytest.mark.parametrize("label", ["Kỳ báo cáo:", "Kỳ báo cáo"])
def test_a_date_cell_after_a_period_label_in_a_title_row_is_read_as_its_month(tmp_path, label):
    """Issue 25, finding 7: «Kỳ báo cáo:» in A2 and the date 30/04/2026 as a date cell in B2 (openpyxl gives a
    datetime, read as «2026-04-30 00:00:00») is the period April 2026, as the same date in the period column is;
    a signing date in another title row stays set aside."""
    import openpyxl

    from core.db import connect_read
    from data_sources.load.ingest import ingest_paths

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append(["BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN"])
    ws.append([label, dt.datetime(2026, 4, 30)])
    ws.append(["Đắk Lắk, ngày", dt.datetime(2026, 5, 3)])
    ws.append(["Tên đơn vị", "Số chuyên đề tuyên truyền"])
    ws.append(["Xã Ea Kar", 2])
    path = tmp_path / "ky_o_ngay.xlsx"
    wb.save(path)
    db = tmp_path / "nq71.duckdb"
    summary = ingest_paths([path], db, province=66)
    con = connect_read(db)
    try:
        periods = con.execute("SELECT DISTINCT period FROM stg.rows").fetchall()
    finally:
        con.close()
    assert periods == [("2026-04",)], summary.text()
