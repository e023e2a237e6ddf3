"""The per-unit page is named after the kind of unit chosen, in the navigation as on the page («Theo chi bộ» at
chi bộ level, «Theo cơ sở giáo dục» at schools), and a ward's account counts its chi bộ as chi bộ.

Under AppTest with the demo database and the demo users (catalog/demo/nguoi_dung.csv), signed in: the demo's
Phường Buôn Ma Thuột (24133) has eight chi bộ (catalog/demo/don_vi.csv) and, in the demo's school list,
three schools; Xã Ea Kar (24373) has schools and no chi bộ.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_access import AUTH


@pytest.fixture
def start(demo_db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(demo_db))
    monkeypatch.setenv("NQ71_USERS", str(ROOT / "catalog" / "demo" / "nguoi_dung.csv"))

    def run(email: str, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": email, "name": email, "iat": time.time()}
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def _nav_title(at) -> str:
    return next(i["page_name"] for i in at._registered_pages.values() if i.get("url_pathname") == "theo-xa-phuong")


def test_nav_label_follows_the_level(start):
    at = start("lanhdao@vidu.edu.vn", ke_hoach="004")
    assert _nav_title(at) == "Theo chi bộ"
    at = start("lanhdao@vidu.edu.vn", ke_hoach="000", cap="truong")
    assert _nav_title(at) == "Theo cơ sở giáo dục"
    at.sidebar.radio(key="f_level").set_value("xa").run()  # chosen in the sidebar: the next run's navigation
    assert _nav_title(at) == "Theo xã, phường, đặc khu"
    at.switch_page("pages/theo_xa_phuong.py").run()
    assert at.main.title[0].value == "Theo xã, phường, đặc khu"
    # a link naming a kind the plan does not follow (plan 000 has no chi bộ) names the plan's first kind,
    # as the sidebar and the page do
    at = start("lanhdao@vidu.edu.vn", ke_hoach="000", cap="chi_bo")
    assert _nav_title(at) == "Theo xã, phường, đặc khu"


def test_a_wards_account_counts_its_chi_bo_as_chi_bo(start):
    at = start("buonmathuot@vidu.edu.vn", ke_hoach="004")
    caption = at.main.caption[0].value
    assert "Chi bộ: 8 chi bộ thuộc Phường Buôn Ma Thuột" in caption, caption
    assert "cơ sở giáo dục" not in caption
    at = start("buonmathuot@vidu.edu.vn", ke_hoach="000", cap="xa")
    caption = at.main.caption[0].value
    assert "Cấp xã: Phường Buôn Ma Thuột và 3 cơ sở giáo dục, 8 chi bộ thuộc phường" in caption, caption
    at = start("eakar@vidu.edu.vn", ke_hoach="000", cap="xa")
    assert "chi bộ" not in at.main.caption[0].value
