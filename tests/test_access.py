"""Access under AppTest: each role on each page, deny by default, writes refused on the server.

The users file is tests/fixtures/users.csv (written for these tests): an administrator, the office,
leadership, Xã Ea Kar (24373) as a unit, and nobody else. The database is progress_small.csv
(three xã of Đắk Lắk: Ea Kar 24373, Ea Ô 24403, Cư Yang 24406).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import FIXTURES, ROOT

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-not-used-by-apptest",
    "client_id": "nq71-test",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
PAGES = {
    "tong_quan": "pages/tong_quan.py",
    "theo_xa_phuong": "pages/theo_xa_phuong.py",
    "theo_chi_tieu": "pages/theo_chi_tieu.py",
    "bao_cao": "pages/bao_cao.py",
    "bao_cao_dinh_ky": "pages/bao_cao_dinh_ky.py",
    "chat_luong": "pages/chat_luong.py",
    "nguon_du_lieu": "pages/nguon_du_lieu.py",
    "nguoi_dung": "pages/nguoi_dung.py",
}
# which pages each role is given (catalog/roles.csv), written out here as the product promises them
ALLOWED = {
    "quantri@vidu.edu.vn": set(PAGES),
    "vanphong@vidu.edu.vn": set(PAGES) - {"nguoi_dung"},
    "lanhdao@vidu.edu.vn": {"tong_quan", "theo_xa_phuong", "theo_chi_tieu", "bao_cao", "bao_cao_dinh_ky", "chat_luong"},
    "eakar@vidu.edu.vn": {"tong_quan", "theo_xa_phuong", "theo_chi_tieu", "bao_cao", "bao_cao_dinh_ky", "chat_luong"},
}


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    from data_sources.load.ingest import ingest_paths

    db = tmp_path_factory.mktemp("access") / "nq71.duckdb"  # not a demo database: sign-in is required
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    return db


@pytest.fixture
def signed_in(small_db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(small_db))
    monkeypatch.setenv("NQ71_USERS", str(FIXTURES / "users.csv"))

    def start(email: str | None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = (  # a real ID token carries iat, the moment of sign-in
            {"is_logged_in": True, "email": email, "name": email, "iat": time.time()}
            if email
            else {"is_logged_in": False}
        )
        at.run()
        assert not at.exception, at.exception
        if page:
            at.switch_page(PAGES[page])
            at.run()
            assert not at.exception, at.exception
        return at

    return start


def _units_shown(at) -> set[str]:
    table = at.dataframe[0].value
    return set(table["Đơn vị"])


def test_signed_out_sees_only_the_sign_in_page(signed_in):
    at = signed_in(None)
    assert [b.label for b in at.button] == ["Đăng nhập"]
    assert not at.dataframe and not at.metric and not at.sidebar.selectbox


def test_someone_not_in_the_users_file_sees_no_data(signed_in):
    at = signed_in("nguoila@example.com")
    assert at.title[0].value == "Chưa được cấp quyền xem"
    assert at.code[0].value == "nguoila@example.com"  # as text, to copy: never a link
    assert not at.dataframe and not at.metric and not at.sidebar.selectbox


@pytest.mark.parametrize("email", list(ALLOWED))
@pytest.mark.parametrize("page", list(PAGES))
def test_each_role_on_each_page(signed_in, email, page):
    at = signed_in(email)
    if page not in ALLOWED[email]:  # not in this person's navigation: no URL or switch opens it
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(PAGES[page])
        return
    at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, at.exception
    assert at.title and at.title[0].value != "Chưa được cấp quyền xem"


def test_unit_user_sees_only_its_unit(signed_in):
    at = signed_in("eakar@vidu.edu.vn", "theo_xa_phuong")
    assert _units_shown(at) == {"Xã Ea Kar"}
    at = signed_in("lanhdao@vidu.edu.vn", "theo_xa_phuong")
    assert _units_shown(at) == {"Xã Ea Kar", "Xã Ea Ô", "Xã Cư Yang"} | (_units_shown(at) - {"Xã Ea Kar"})
    assert len(_units_shown(at)) == 102  # every xã/phường of Đắk Lắk is on leadership's grid


def test_forged_url_filter_does_not_widen_scope(signed_in, small_db, monkeypatch):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "eakar@vidu.edu.vn", "iat": time.time()}
    at.query_params["don_vi"] = "24403,24406"  # Ea Ô and Cư Yang: not Ea Kar's
    at.run()
    assert not at.exception, at.exception
    assert any("ngoài phạm vi" in w.value for w in at.sidebar.warning)
    at.switch_page(PAGES["theo_xa_phuong"]).run()
    assert _units_shown(at) == {"Xã Ea Kar"}


def test_unit_user_cannot_write_even_by_calling_the_action(signed_in, monkeypatch, small_db):
    """The refresh/upload/mapping actions check the role on the server: a crafted call is refused."""
    from ui import access, actions

    at = signed_in("eakar@vidu.edu.vn", "chat_luong")
    assert not [b for b in at.button if b.key == "confirm_mapping"]
    monkeypatch.setattr(access, "current", lambda: access.viewer_for("eakar@vidu.edu.vn"))
    from core import audit

    before = len(audit.events(small_db))
    calls = (lambda: actions.confirm_mapping("x", "X", "24373"), lambda: actions.upload([]),
             lambda: actions.start_refresh(None), lambda: actions.save_users([]),
             lambda: actions.approve("2026-Q2", ["24403"]))  # fmt: skip
    for call in calls:
        with pytest.raises(access.Denied):
            call()
    # every refusal is in the audit log: who, role, what was asked, why
    refused = audit.events(small_db)[: len(audit.events(small_db)) - before]
    assert len(refused) == len(calls) and {e["action"] for e in refused} == {"khong_duoc_phep"}
    assert {e["who"] for e in refused} == {"eakar@vidu.edu.vn"} and {e["role"] for e in refused} == {"don_vi"}
    assert {e["detail"]["thao_tac"] for e in refused} == {"anh_xa", "nhap_tep", "lam_moi", "nguoi_dung", "duyet"}
    assert all("không có quyền" in e["detail"]["ly_do"] for e in refused)


def test_a_role_without_the_right_sees_no_confirm_button(signed_in, monkeypatch, tmp_path):
    """Leadership reads Chất lượng dữ liệu but may not confirm units: no button, a line saying who can."""
    from data_sources.load.ingest import ingest_paths

    db = tmp_path / "nq71.duckdb"
    csv = tmp_path / "ten_la.csv"
    csv.write_text(
        "Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\nXã Không Có Thật,Quý II/2026,1\n", encoding="utf-8"
    )
    ingest_paths([FIXTURES / "progress_small.csv", csv], db, province=66)
    monkeypatch.setenv("NQ71_DB", str(db))
    at = signed_in("lanhdao@vidu.edu.vn", "chat_luong")
    assert at.dataframe  # the unmatched name is listed
    assert not [b for b in at.button if b.key == "confirm_mapping"]
    assert any("Văn phòng hoặc quản trị viên xác nhận" in c.value for c in at.caption)
    assert [b for b in signed_in("vanphong@vidu.edu.vn", "chat_luong").button if b.key == "confirm_mapping"]


def test_an_error_in_a_page_is_an_incident_number_never_a_traceback(signed_in, monkeypatch, capsys):
    from ui import access, data

    monkeypatch.delenv("NQ71_RAISE_ERRORS")  # as in production
    monkeypatch.setattr(data, "overview", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("hỏng /srv/x.py")))
    at = signed_in("lanhdao@vidu.edu.vn")
    assert not at.exception
    message = at.error[0].value
    assert "mã sự cố" in message and "hỏng" not in message and "RuntimeError" not in message and "/srv" not in message
    incident = message.split("mã sự cố ")[1].split(")")[0]
    log = capsys.readouterr().err
    assert f"[sự cố {incident}]" in log and "RuntimeError: hỏng /srv/x.py" in log  # the detail: server log only
    monkeypatch.setattr(data, "overview", lambda *a, **k: (_ for _ in ()).throw(access.Denied("Không được xem.")))
    at = signed_in("lanhdao@vidu.edu.vn")
    assert not at.exception and at.error[0].value == "Không được xem\\."


def test_no_login_on_a_real_database_is_refused(small_db, monkeypatch):
    """Demo mode (no [auth]) opens a demo database only; a real one needs an explicit setting."""
    monkeypatch.setenv("NQ71_DB", str(small_db))
    monkeypatch.delenv("NQ71_ALLOW_NO_LOGIN")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert "Chưa cấu hình đăng nhập" in at.error[0].value
    assert not at.dataframe and not at.metric and not at.sidebar.selectbox


def test_a_real_database_named_like_the_demo_still_needs_sign_in(small_db, monkeypatch, tmp_path):
    """Demo mode is the database's own mark (written by build-demo), not its file name; the refusal names
    no server path."""
    import shutil

    renamed = tmp_path / "demo_that_mat.duckdb"
    shutil.copy(small_db.resolve(), renamed)
    monkeypatch.setenv("NQ71_DB", str(renamed))
    monkeypatch.delenv("NQ71_ALLOW_NO_LOGIN")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert "Chưa cấu hình đăng nhập" in at.error[0].value and str(tmp_path) not in at.error[0].value
    assert not at.dataframe and not at.metric and not any("Dữ liệu mẫu" in w.value for w in at.sidebar.warning)


def test_the_demo_under_another_name_is_still_the_demo(demo_db, monkeypatch, tmp_path):
    import shutil

    other = tmp_path / "so_lieu_tap_huan.duckdb"
    shutil.copy(demo_db.resolve(), other)
    monkeypatch.setenv("NQ71_DB", str(other))
    monkeypatch.delenv("NQ71_ALLOW_NO_LOGIN")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert any("Dữ liệu mẫu" in w.value for w in at.sidebar.warning) and at.metric


def test_demo_database_opens_without_sign_in(demo_db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(demo_db))
    monkeypatch.delenv("NQ71_ALLOW_NO_LOGIN")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert any("Dữ liệu mẫu" in w.value for w in at.sidebar.warning)
    assert at.title[0].value == "Tổng quan" and at.metric


def test_unit_user_is_told_the_page_shows_its_own_unit(signed_in):
    """The caption above each page names the viewer's own unit (not «tất cả đơn vị»), and the
    sidebar's unit picker offers only that unit, with a hint that they see their own data."""
    at = signed_in("eakar@vidu.edu.vn")
    caption = at.main.caption[0].value
    assert "Cấp xã: Xã Ea Kar" in caption and "tất cả đơn vị" not in caption, caption
    picker = at.sidebar.multiselect(key="f_units")
    assert picker.options == ["Xã Ea Kar"]
    assert "tất cả" not in picker.label
    assert any("số liệu của đơn vị mình" in c.value for c in at.sidebar.caption), [c.value for c in at.sidebar.caption]
    at.switch_page(PAGES["theo_chi_tieu"]).run()
    assert "Cấp xã: Xã Ea Kar" in at.main.caption[0].value
    # no school list in this database: «Cơ sở giáo dục» is not offered (a level only when its units exist)
    assert at.sidebar.radio(key="f_level").options == ["Cấp xã"]
    # leadership still reads «tất cả đơn vị»
    at = signed_in("lanhdao@vidu.edu.vn")
    assert "Cấp xã: tất cả đơn vị" in at.main.caption[0].value
    assert at.sidebar.multiselect(key="f_units").label == "Đơn vị (để trống: tất cả)"


def test_own_units_in_words(monkeypatch):
    """How a restricted scope is named above each page: a xã/phường brings its schools."""
    from queries import Scope
    from ui import filters

    names = {"24373": "Xã Ea Kar", "24373-MN": "Trường Mầm non Ea Kar", "24373-TH": "Trường Tiểu học Ea Kar",
             "24133": "Phường Buôn Ma Thuột", "24133-TH": "Trường Tiểu học Buôn Ma Thuột"}  # fmt: skip
    ward_of = {"24373-MN": "24373", "24373-TH": "24373", "24133-TH": "24133"}
    monkeypatch.setattr(filters, "lookups", lambda: {"names": names, "ward_of": ward_of})
    ea_kar = Scope.of(["24373", "24373-MN", "24373-TH"])
    assert filters.own_units(ea_kar) == "Xã Ea Kar và 2 cơ sở giáo dục thuộc xã"
    assert filters.own_units(ea_kar, "truong") == "2 cơ sở giáo dục thuộc Xã Ea Kar"
    assert filters.own_units(Scope.of(["24133", "24133-TH"])) == "Phường Buôn Ma Thuột và 1 cơ sở giáo dục thuộc phường"
    assert filters.own_units(Scope.of(["24373-TH"])) == "Trường Tiểu học Ea Kar"  # a school's own account
    both = Scope.of(["24373", "24373-MN", "24373-TH", "24133", "24133-TH"])
    assert filters.own_units(both) == "Phường Buôn Ma Thuột, Xã Ea Kar và 3 cơ sở giáo dục thuộc địa bàn"
    # the unit registry's chi bộ under a phường are chi bộ, not schools (catalog/demo/don_vi.csv)
    names |= {"24133-CB01": "Chi bộ Văn phòng HĐND và UBND phường", "24133-CB02": "Chi bộ Công an phường"}
    ward_of |= {"24133-CB01": "24133", "24133-CB02": "24133"}
    levels = {c: "xa" for c in ("24373", "24133")} | {"24133-CB01": "chi_bo", "24133-CB02": "chi_bo"}
    monkeypatch.setattr(
        filters, "lookups", lambda: {"names": names, "ward_of": ward_of, "level": levels | {"24133-TH": "truong"}}
    )
    party = Scope.of(["24133", "24133-TH", "24133-CB01", "24133-CB02"])
    assert filters.own_units(party) == "Phường Buôn Ma Thuột và 1 cơ sở giáo dục, 2 chi bộ thuộc phường"
    assert filters.own_units(party, "truong") == "1 cơ sở giáo dục thuộc Phường Buôn Ma Thuột"
    assert filters.own_units(Scope.of(["24133", "24133-CB01"])) == "Phường Buôn Ma Thuột và 1 chi bộ thuộc phường"


def test_a_unit_repeated_in_a_link_counts_once(demo_db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["don_vi"] = "24133,24133, 24133"
    at.query_params["ky"] = "2026-Q2"
    at.run()
    assert not at.exception, at.exception
    assert "1 đơn vị đã chọn" in at.main.caption[0].value, at.main.caption[0].value
    assert at.sidebar.multiselect(key="f_units").value == ["24133"]


def test_a_sign_in_older_than_the_session_limit_must_sign_in_again(small_db, monkeypatch):
    import time

    monkeypatch.setenv("NQ71_DB", str(small_db))
    monkeypatch.setenv("NQ71_USERS", str(FIXTURES / "users.csv"))

    def run(age_hours: float) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = {
            "is_logged_in": True,
            "email": "lanhdao@vidu.edu.vn",
            "name": "LĐ",
            "iat": time.time() - age_hours * 3600,
        }
        at.run()
        assert not at.exception, at.exception
        return at

    old = run(13)  # the default limit is 12 hours
    assert [b.label for b in old.button] == ["Đăng nhập"] and not old.dataframe and not old.metric
    assert "Phiên đăng nhập đã quá 12 giờ" in old.info[0].value
    assert run(1).metric  # an hour-old sign-in reads the data
    monkeypatch.setenv("NQ71_SESSION_HOURS", "0.5")
    assert not run(1).metric


def test_a_sign_in_without_its_time_must_sign_in_again(small_db, monkeypatch):
    """OpenID Connect requires iat; a cookie without it could never be limited or signed out: refused."""
    monkeypatch.setenv("NQ71_DB", str(small_db))
    monkeypatch.setenv("NQ71_USERS", str(FIXTURES / "users.csv"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "lanhdao@vidu.edu.vn", "name": "LĐ"}
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Đăng nhập"] and not at.metric
    assert "không ghi thời điểm đăng nhập" in at.info[0].value
