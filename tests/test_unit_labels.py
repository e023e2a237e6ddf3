"""Unit labels as people really write them (bieu-mau.md «Units», layout 1): a code with the name, labels
without diacritics that fit twins, and the rows of a long pasted table that are not units."""

from __future__ import annotations

import itertools

import openpyxl
import pytest

from core.db import connect_read
from data_sources.load.ingest import ingest_paths
from data_sources.parse.text import strip_marks
from data_sources.parse.units import UnitMatcher, official_wards, split_name

# ---- accent-free twins, over the whole official list ---------------------------------------------


def _provinces() -> list[int]:
    from vietnam_provinces import Province

    return sorted({int(p.code) for p in Province.iter_all()})


def _twins(wards):
    """Pairs of units of one province whose names collide once diacritics are dropped: full names
    (with their prefix) and bare names (without it)."""
    full, bare = {}, {}
    for u in wards:
        full.setdefault(strip_marks(" ".join(u.name.lower().split())), []).append(u)
        bare.setdefault(strip_marks(split_name(u.name)[1]), []).append(u)
    pick = lambda groups: [g for g in groups.values() if len({x.name.lower() for x in g}) > 1]  # noqa: E731
    return pick(full), pick(bare)


def test_every_accent_free_twin_of_the_official_list_is_flagged_and_each_spelling_is_its_own_unit():
    found_full = found_bare = 0
    for province in _provinces():
        wards = official_wards(province)
        m = UnitMatcher(wards)
        full_groups, bare_groups = _twins(wards)
        for group in full_groups:
            found_full += len(list(itertools.combinations(group, 2)))
            folded = strip_marks(group[0].name)
            for label in (folded, folded.upper(), f"UBND {folded.lower()}"):
                got = m.match(label)
                assert got.status == "ambiguous", (province, label, got)
                assert {u.name for u in group} <= set(got.candidates) or len(got.candidates) == 3
            for u in group:  # written with its diacritics: exactly itself
                assert m.match(u.name).code == u.code, (province, u.name)
        for group in bare_groups:
            found_bare += len(list(itertools.combinations(group, 2)))
            bare = strip_marks(split_name(group[0].name)[1])
            got = m.match(bare.title())
            assert got.status == "ambiguous", (province, bare, got)
            for u in group:  # the accented bare name: itself, or ambiguous when written alike by two; never another
                got = m.match(split_name(u.name)[1].title())
                assert got.code in (u.code, None), (province, u.name, got)
    # the list of 2025 has 8 full-name and 10 bare-name pairs; a later release may have others
    assert found_full >= 1 and found_bare >= found_full


def test_thanh_an_and_thanh_an_with_a_dot_below():
    m = UnitMatcher(official_wards(79))
    for label in ("Xa Thanh An", "XA THANH AN", "UBND xa Thanh An", "Thanh An"):
        got = m.match(label)
        assert got.status == "ambiguous" and set(got.candidates) == {"Xã Thanh An", "Xã Thạnh An"}, label
    assert m.match("Xã Thanh An").code == "25807"
    assert m.match("Xã Thạnh An").code == "27676"
    assert m.match("xã thạnh an").code == "27676"


def test_a_total_looking_name_that_is_a_unit_stays_a_unit():
    m = UnitMatcher(official_wards(4))
    assert m.match("Xã Tổng Cọt").status == "matched"


# ---- a code with the name -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["26566 - Phường Long Hương", "Phường Long Hương (26566)", "[26566] Phường Long Hương", "26566 Phường Long Hương",
     "Phường Long Hương - 26566", "26566 - Phuong Long Huong", "(26566) Long Hương"],
)  # fmt: skip
def test_a_code_with_its_name_is_that_unit(label):
    got = UnitMatcher(official_wards(79)).match(label)
    assert (got.status, got.code) == ("matched", "26566"), got


@pytest.mark.parametrize(
    "label, words",
    [
        ("25807 - Xã Thạnh An", ("mã 25807 là Xã Thanh An", "tên «Xã Thạnh An» là Xã Thạnh An (mã 27676)")),
        ("24133 - Phường Long Hương", ("mã 24133 là Phường Buôn Ma Thuột, Đắk Lắk", "là Phường Long Hương (mã 26566)")),
        ("99999 - Phường Long Hương", ("mã 99999 không có trong danh mục", "là Phường Long Hương (mã 26566)")),
    ],
)
def test_a_code_and_a_name_that_disagree_count_for_neither(label, words):
    got = UnitMatcher(official_wards(79)).match(label)
    assert got.status == "ambiguous" and got.code is None
    for w in words:
        assert w in got.reason, got.reason


def _rows(db, sql):
    con = connect_read(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_forms_export_with_codes_in_its_dropdown(tmp_path):
    """A Google Forms export whose unit question is a dropdown of «code - name»: each answer goes under
    its code; the one whose code and name disagree is listed with both readings and counted for neither."""
    path = tmp_path / "forms_ma_don_vi.csv"
    path.write_text(
        "Dấu thời gian,Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\n"
        "05/07/2026 08:00:00,26566 - Phường Long Hương,Quý II/2026,3\n"
        "05/07/2026 08:05:00,Xã Thạnh An (27676),Quý II/2026,2\n"
        "05/07/2026 08:10:00,25807 - Xã Thạnh An,Quý II/2026,7\n"
        "05/07/2026 08:15:00,XA THANH AN,Quý II/2026,9\n",
        encoding="utf-8",
    )
    db = tmp_path / "nq71.duckdb"
    ingest_paths([path], db, province=79)
    obs = dict(_rows(db, "SELECT unit_code, value FROM mart.observations WHERE field = 'so_chuyen_de'"))
    assert obs == {"26566": 3, "27676": 2}  # 7 and 9 count for no unit
    flagged = dict(_rows(db, "SELECT unit_text, unit_status FROM stg.rows WHERE unit_code IS NULL"))
    assert flagged == {"25807 - Xã Thạnh An": "ambiguous", "XA THANH AN": "ambiguous"}


# ---- rows of a long pasted table that are not units ------------------------------------------------


def _office_pages(path):
    """An office form pasted page after page (layout 1): title, two-tier header, numbering row; group
    headings, subtotals, the header block again between units, the grand total."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Quý II.2026"
    header = [
        ["PHỤ LỤC"],
        ["Kỳ báo cáo: Quý II/2026"],
        ["TT", "Tên đơn vị", "Quán triệt Nghị quyết 71-NQ/TW", None, "Số chuyên đề tuyên truyền"],
        [None, None, "Tổng số", "Số được quán triệt", None],
        ["(1)", "(2)", "(3)", "(4)", "(5)"],
    ]
    body = [
        ["I. KHỐI PHƯỜNG"],
        [1, "Phường Buôn Ma Thuột", 500, 250, 2],
        [2, "P. Tân An", 300, 100, 1],
        [None, "Cộng khối phường", 800, 350, 3],
        *header[2:],  # the next page: the header rows and the numbering row again
        ["II. KHỐI XÃ", None, 400, 220, 2],  # a heading that carries its group's sums
        [3, "Xã Ea Kar", 100, 40, 1],
        [4, "Xã Ea Ô", 300, 180, 1],
        [None, "Cộng khối xã", 400, 220, 2],
        [None, "Tổng cộng", 1200, 570, 5],
    ]
    for row in header + body:
        ws.append(row)
    ws.merge_cells("C3:D3")
    wb.save(path)
    return path


def test_repeated_headers_group_headings_and_subtotals_are_counted_not_listed(tmp_path):
    db = tmp_path / "nq71.duckdb"
    summary = ingest_paths([_office_pages(tmp_path / "phu_luc_nhieu_trang.xlsx")], db, province=66)
    obs = _rows(db, "SELECT unit_code, field, value FROM mart.observations ORDER BY ALL")
    assert {(u, v) for u, f, v in obs if f == "cb_tong"} == {
        ("24133", 500),
        ("24163", 300),
        ("24373", 100),
        ("24403", 300),
    }
    # nothing of those rows reaches the list of names to fix
    assert _rows(db, "SELECT unit_text FROM stg.rows WHERE unit_code IS NULL") == []
    con = connect_read(db)
    try:
        import queries
        from queries import Scope

        assert queries.unmatched(con, Scope.everything()).empty
    finally:
        con.close()
    text = summary.text()
    assert "Bỏ qua 3 dòng tiêu đề lặp lại (dòng 10, 11, 12)" in text, text
    assert "2 dòng tiêu đề nhóm («I. KHỐI PHƯỜNG»; «II. KHỐI XÃ»)" in text, text
    assert "2 dòng cộng nhóm («Cộng khối phường»; «Cộng khối xã»)" in text, text
    assert "bỏ qua 1 dòng tổng cộng" in text, text


def test_the_same_table_as_csv(tmp_path):
    wb = openpyxl.load_workbook(_office_pages(tmp_path / "a.xlsx"))
    csv_path = tmp_path / "phu_luc_nhieu_trang.csv"
    import csv

    with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        for row in wb.active.iter_rows(values_only=True):
            w.writerow(["" if v is None else v for v in row])
    db = tmp_path / "nq71.duckdb"
    summary = ingest_paths([csv_path], db, province=66)
    assert _rows(db, "SELECT unit_text FROM stg.rows WHERE unit_code IS NULL") == []
    assert len(_rows(db, "SELECT DISTINCT unit_code FROM stg.rows")) == 4
    assert "dòng cộng nhóm" in summary.text() and "dòng tiêu đề lặp lại" in summary.text()


def test_a_misspelt_ward_shortened_with_p_stays_on_the_list_and_tong_cot_is_a_unit(tmp_path):
    """«P. Tân Lập Mới» matches no ward of Đắk Lắk: it is not a lettered group heading, it stays on the list of
    names to fix. «Xã Tổng Cọt» (Cao Bằng) starts like a total and is a unit, with or without «Xã»."""
    a = tmp_path / "dak_lak.csv"
    a.write_text("Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\nP. Tân Lập Mới,Quý II/2026,2\n", encoding="utf-8")
    db = tmp_path / "a.duckdb"
    ingest_paths([a], db, province=66)
    assert _rows(db, "SELECT unit_text, unit_status FROM stg.rows") == [("P. Tân Lập Mới", "unmatched")]
    b = tmp_path / "cao_bang.csv"
    b.write_text(
        "Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\nXã Tổng Cọt,Quý I/2026,2\nTổng Cọt,Quý II/2026,3\n"
        "Tổng cộng,,5\n",
        encoding="utf-8",
    )
    db = tmp_path / "b.duckdb"
    summary = ingest_paths([b], db, province=4)
    code = UnitMatcher(official_wards(4)).match("Xã Tổng Cọt").code
    assert _rows(db, "SELECT unit_code, period FROM stg.rows ORDER BY period") == [(code, "2026-Q1"), (code, "2026-Q2")]
    assert "bỏ qua 1 dòng tổng cộng" in summary.text()


@pytest.mark.parametrize(
    "label", ["Xa Thanh An, TP Hồ Chí Minh", "Xa Thanh An (cũ)", "UBND xa Thanh An - thành phố HCM"]
)
def test_diacritics_in_where_a_unit_is_do_not_make_its_name_exact(label):
    """Only the name's own words count: the where-part's diacritics do not tell the twins apart."""
    got = UnitMatcher(official_wards(79)).match(label)
    assert got.status == "ambiguous" and set(got.candidates) == {"Xã Thanh An", "Xã Thạnh An"}, got


def test_a_confirmed_mapping_decides_a_label_with_a_code_too():
    from data_sources.parse.units import unit_key

    label = "25807 - Xã Thạnh An"
    m = UnitMatcher(official_wards(79))
    assert m.match(label).status == "ambiguous"
    assert m.with_mappings({unit_key(label): "27676"}).match(label).code == "27676"
