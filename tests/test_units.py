"""Unit names written five ways match one official code; nothing is guessed."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_sources.parse.units import UnitMatcher, is_total, official_wards, read_schools
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def bac_ninh():
    return UnitMatcher(official_wards(24))


@pytest.fixture(scope="module")
def dak_lak():
    wards = official_wards(66)
    return UnitMatcher(wards, read_schools(FIXTURES / "school_registry.csv", {w.code for w in wards}))


@pytest.mark.parametrize(
    "name",
    ["Phường Việt Yên", "P. Việt Yên", "phường Việt Yên", "UBND phường Việt Yên", "VIỆT YÊN", "Viet Yen",
     "Ủy ban nhân dân phường Việt Yên", "  phường   việt  yên "],
)  # fmt: skip
def test_viet_yen_every_way(bac_ninh, name):
    m = bac_ninh.match(name)
    assert (m.status, m.code) == ("matched", "07777")


def test_official_list_double_spaces_and_apostrophes(dak_lak):
    assert dak_lak.match("Phường Buôn Ma Thuột").code == "24133"
    assert dak_lak.match("Xã Ea M'Droh").code == "24286"
    assert dak_lak.match("Xã Ea M’Droh").code == "24286"


def test_wrong_type_is_not_guessed(bac_ninh):
    m = bac_ninh.match("Xã Việt Yên")
    assert m.status == "unmatched" and "Phường Việt Yên" in m.candidates


def test_unknown_gets_three_candidates(dak_lak):
    m = dak_lak.match("Xã Ea Kar Mới")
    assert m.status == "unmatched" and len(m.candidates) == 3 and m.candidates[0] == "Xã Ea Kar"


def test_school_needs_its_ward_when_names_repeat(dak_lak):
    assert dak_lak.match("Trường THCS Lê Lợi").status == "ambiguous"
    assert dak_lak.match("THCS Le Loi", "Xã Ea Ô").code == "T02"
    assert dak_lak.match("Trường THCS Lê Lợi", "Ea Kar").code == "T01"


def test_remembered_mapping_wins():
    # the key as ref.unit_mappings stores it (type|name folded, worked by hand): a new key format
    # would orphan every mapping an administrator confirmed
    m = UnitMatcher(official_wards(66), mappings={"xa|ea kar moi": "24373"})
    assert m.match("xã ea kar mới").code == "24373"
    assert m.match("Xã Ea Kar Mới").code == "24373"


@pytest.mark.parametrize("name", ["Tổng cộng", "TỔNG CỘNG", "Tong cong", "Tổng số", "Cộng", "Toàn tỉnh"])
def test_totals_are_not_units(name):
    assert is_total(name)


def test_units_are_not_totals():
    assert not is_total("Xã Ea Kar")


# names exactly as the fixtures write them, and the code their hand-written *.expected.csv gives
# (office_csv_export.csv rows 9-13 against the cb_tong line of each code in
# office_csv_export.expected.csv: 1234→24163, 2500→24373, 300→24604, 80→24175, 500→24133;
# forms_nfd_resubmit.csv, NFD in the file, against forms_nfd_resubmit.expected.csv)
@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("P. Tân An", "24163"),
        ("UBND xã Ea Kar", "24373"),
        ("XÃ KRÔNG NÔ", "24604"),
        ("Xa Hoa Phu", "24175"),
        ("phường   Buôn  Ma Thuột", "24133"),
        (unicodedata.normalize("NFD", "Xã Ea Trang"), "24445"),
        (unicodedata.normalize("NFD", "Xã Đắk Liêng"), "24595"),
    ],
)
def test_names_as_the_fixtures_write_them(dak_lak, written, code):
    m = dak_lak.match(written)
    assert (m.status, m.code) == ("matched", code)


@given(st.sampled_from(official_wards(66)), st.booleans(), st.sampled_from(["lower", "upper", "same"]))
def test_every_ward_matches_its_own_code_under_any_form(ward, nfd, case):
    """The expected code is the registry's own (vietnam_provinces), not what the matcher says."""
    m = UnitMatcher(official_wards(66))
    text = unicodedata.normalize("NFD", ward.name) if nfd else ward.name
    text = {"lower": text.lower(), "upper": text.upper(), "same": text}[case]
    text = text.replace(" ", "  ")
    got = m.match(text)
    assert (got.status, got.code) == ("matched", ward.code), ward


@given(st.text(max_size=25))
def test_matching_never_crashes_and_never_half_matches(text):
    m = UnitMatcher(official_wards(66)).match(text)
    assert m.status in ("matched", "ambiguous", "unmatched")
    assert (m.code is not None) == (m.status == "matched")


def test_where_the_unit_is_is_not_part_of_its_name(bac_ninh):
    for name in ["Phường Việt Yên, tỉnh Bắc Ninh", "UBND phường Việt Yên (Bắc Ninh)", "P. Việt Yên - tỉnh Bắc Ninh"]:
        assert bac_ninh.match(name).code == "07777", name


def test_school_levels_in_full_or_abbreviated(dak_lak):
    assert dak_lak.match("TH Kim Đồng", "Xã Ea Kar").code == "T03"
    assert dak_lak.match("Trường TH Kim Đồng").code == "T03"  # the only Kim Đồng primary school


def test_unit_indexes_are_kept_until_the_registry_changes(tmp_path):
    import os

    import duckdb

    from data_sources.load.ingest import build_matchers

    con = duckdb.connect()
    con.execute("CREATE SCHEMA ref; CREATE TABLE ref.unit_mappings (unit_key VARCHAR, unit_code VARCHAR)")
    reg = tmp_path / "truong.csv"
    reg.write_text("ma_truong,ten_truong,cap_hoc,ma_xa\nA,Trường Tiểu học Tuy Hòa,Tiểu học,22015\n", encoding="utf-8")
    first = build_matchers(con, [66], str(reg))[66]
    again = build_matchers(con, [66], str(reg))[66]
    assert again.schools is first.schools  # the next import reuses the indexes
    assert again.match("Trường TH Tuy Hòa", "Phường Tuy Hòa").code == "A"
    # a remembered mapping confirmed between two imports applies without rebuilding
    con.execute("INSERT INTO ref.unit_mappings VALUES ('|nha van hoa', '22015')")
    mapped = build_matchers(con, [66], str(reg))[66]
    assert mapped.schools is first.schools and mapped.match("Nhà văn hóa").code == "22015"
    assert first.match("Nhà văn hóa").status == "unmatched"  # the earlier matcher is not changed
    # a new registry file: new indexes, the new school found
    reg.write_text(reg.read_text(encoding="utf-8") + "B,Trường Mầm non Hoa Sen,Mầm non,22015\n", encoding="utf-8")
    st = reg.stat()
    os.utime(reg, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    changed = build_matchers(con, [66], str(reg))[66]
    assert changed.schools is not first.schools
    assert changed.match("Trường Mầm non Hoa Sen", "Phường Tuy Hòa").code == "B"
