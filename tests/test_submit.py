"""Units report in the product (issue 26): the «Nộp báo cáo» form opened by a personal link, its checks at
entry, a submission ingested as source «web», the reporting cycle, the unit's history, a link that opens
nothing else.

Data: the bundled demo (data_sources/load/demo.py), copied per test. Phường Bình Kiến (22045) reported
Quý II/2026 with «Tổng số CBQL, GV, NV» 528 and «Tổng số đảng viên» 107 (catalog/demo files, read back
from the demo database by hand); it has no report for Quý IV/2026, whose deadline is 15/01/2027 (day 15 of
the month after the quarter, deployment.toml default_deadline_day).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

import queries
from core import links
from core.db import connect_read
from core.periods import PeriodSel
from data_sources.load import cycle, web
from tests.conftest import ROOT

WARD, WARD_NAME = "22045", "Phường Bình Kiến"
OTHER = "22015"  # Phường Tuy Hòa
Q4 = "2026-Q4"
EVERY = queries.Scope.everything()
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "c",
    "client_secret": "s",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def db(demo_copy):
    return demo_copy


def _open(token: str, auth: bool = False) -> AppTest:
    """The app as a visitor holding ``token`` opens it: first at the address the link gives, then the form."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if auth:
        at.secrets["auth"] = AUTH
    at.query_params["t"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def _form(token: str, auth: bool = False) -> AppTest:
    at = _open(token, auth)
    at.switch_page("pages/nop_bao_cao.py").run()
    assert not at.exception, at.exception
    return at


def _read(db, fn, *args, **kw):
    con = connect_read(db)
    try:
        return fn(con, *args, **kw)
    finally:
        con.close()


def _values(db, unit: str, period: str):
    """The unit's own published values for the period (observations also lists a xã's schools)."""
    obs = _read(db, queries.observations, EVERY, unit, period)
    return obs[(obs.unit_code == unit) & (obs.period == period)].set_index("field").value


def _errors(at) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def test_a_link_fills_checks_and_sends_the_report(db):
    at = _form(links.token(db, WARD, "000", Q4))
    assert at.title[0].value == "Nộp báo cáo"
    assert WARD_NAME in at.caption[0].value and "Quý IV/2026" in at.caption[0].value
    assert "15/01/2027" in at.caption[0].value  # the deadline
    # the totals that rarely change come from Quý II/2026
    assert at.text_input(key="ans_cb_tong").value == "528"
    assert at.text_input(key="ans_dv_tong").value == "107"
    assert len(at.sidebar) == 0  # nothing of the dashboard beside the form
    # a numerator above its total: the reader's rule, the message under the field
    at.text_input(key="ans_cb_quan_triet").input("600").run()
    assert _errors(at) == ["600 lớn hơn «Tổng số CBQL, GV, NV» (528): số này không được lớn hơn tổng số."]
    at.button(key="nop_send").click().run()
    assert any(e.startswith("Chưa gửi: còn 1 ô cần sửa") for e in _errors(at))
    assert _read(db, queries.web_submissions, EVERY, WARD, "000").empty  # nothing sent
    # fixed; a count in the Vietnamese way; a yes/no; a text with markdown
    at.text_input(key="ans_cb_quan_triet").input("500").run()
    assert "Tỷ lệ: 94,7%" in [c.value for c in at.caption]  # 500 / 528, computed, never typed
    at.text_input(key="ans_luot_tham_du").input("1.250").run()
    at.radio(key="ans_co_ke_hoach").set_value("Có").run()
    at.text_area(key="ans_kho_khan").input("**Thiếu** kinh phí <b>in</b> [tài liệu](http://x.vn)").run()
    assert _errors(at) == []
    before = dt.datetime.now().replace(microsecond=0)
    at.button(key="nop_send").click().run()
    assert not at.exception, at.exception
    assert at.success and "Đã gửi báo cáo quý IV/2026 của Phường Bình Kiến" in at.success[0].value
    # the office's numbers: the unit reported Quý IV on time, at the moment it was sent
    rep = _read(db, queries.reporting, "000", PeriodSel(Q4), EVERY, today=dt.date(2026, 12, 5))
    row = rep[rep.unit_code == WARD].iloc[0]
    assert bool(row.reported) and bool(row.on_time)
    assert before <= row.first_at.to_pydatetime() <= dt.datetime.now()
    obs = _values(db, WARD, Q4)
    assert (obs["cb_tong"], obs["cb_quan_triet"], obs["luot_tham_du"], obs["co_ke_hoach"]) == (528, 500, 1250, 1)
    prog = _read(db, queries.progress, "000", PeriodSel(Q4), EVERY, units=(WARD,))
    ct01 = prog[(prog.unit_code == WARD) & (prog.indicator == "CT01")].value.iloc[0]
    assert round(float(ct01), 1) == 94.7  # 500 / 528
    # kept as typed, with who and when; the text is text
    sent = _read(db, queries.web_submissions, EVERY, WARD, "000")
    assert set(sent.via) == {"lien_ket"} and sent.actor.iloc[0] == "đường dẫn riêng (lần cấp 0)"
    typed = dict(zip(sent.field, sent.raw_value, strict=True))
    assert typed["luot_tham_du"] == "1.250"
    assert typed["kho_khan"] == "**Thiếu** kinh phí <b>in</b> [tài liệu](http://x.vn)"
    texts = _read(db, queries.unit_texts, EVERY, WARD)
    assert "**Thiếu** kinh phí <b>in</b> [tài liệu](http://x.vn)" in set(texts.text)
    # the unit sees it in its history, as text in a table
    hist = at.expander[0]
    assert hist.label == "Các lần đã gửi (1)"
    table = hist.dataframe[0].value
    assert "**Thiếu** kinh phí <b>in</b> [tài liệu](http://x.vn)" in set(table["Đã ghi"])
    assert not any("<b>" in m.value for m in at.markdown)


def test_the_draft_is_kept_until_sent(db):
    token = links.token(db, WARD, "000", Q4)
    at = _form(token)
    at.text_input(key="ans_so_hoi_nghi").input("3").run()
    again = _form(token)  # another visit (another phone) with the same link
    assert again.text_input(key="ans_so_hoi_nghi").value == "3"
    assert any("bản nháp" in c.value for c in again.caption)
    again.button(key="nop_send").click().run()
    assert again.success
    assert f"{WARD}|000|{Q4}" not in (db.parent / "demo_copy.duckdb.drafts.json").read_text()  # the draft is gone
    third = _form(token)  # a correction starts from what is published now
    assert third.text_input(key="ans_so_hoi_nghi").value == "3"
    assert third.text_input(key="ans_cb_tong").value == "528"
    assert any("Đơn vị đã có báo cáo quý IV/2026" in c.value for c in third.caption)


@pytest.mark.parametrize("case", ["forged", "expired", "revoked", "garbage"])
def test_a_bad_link_opens_nothing(db, case, monkeypatch):
    if case == "forged":
        monkeypatch.setenv("NQ71_LINK_SECRET", "not this deployment's key, though long enough")
        token = links.token(db, WARD, "000", Q4)
        monkeypatch.delenv("NQ71_LINK_SECRET")
        want = "Đường dẫn không hợp lệ"
    elif case == "expired":
        token = links.token(db, WARD, "000", "2026-Q2")  # deadline 15/07/2026 + 7 days
        want = "đã hết hạn từ ngày 23/07/2026"
    elif case == "revoked":
        token = links.token(db, WARD, "000", Q4)
        links.revoke(db, WARD, by="vp@so.vn")
        want = "đã được thay bằng đường dẫn mới"
    else:
        token = "x' OR 1=1 --"
        want = "Đường dẫn không hợp lệ"
    at = _open(token, auth=True)
    assert any(want in e for e in _errors(at)), _errors(at)
    assert not at.text_input and not at.dataframe and not at.button and len(at.sidebar) == 0


def _switch_to(at: AppTest, url_path: str) -> AppTest:
    """Open a page by its address, as a typed or copied URL does: AppTest's own switch_page finds file pages
    only, and in link mode every other page is a callable page at its usual address."""
    hashes = [h for h, info in at._registered_pages.items() if (info.get("url_pathname") or "") == url_path]
    assert hashes, (url_path, at._registered_pages)
    at._page_hash = hashes[0]
    return at.run()


ADDRESSES = ["theo-xa-phuong", "theo-chi-tieu", "tinh-hinh-bao-cao", "bao-cao-dinh-ky", "chat-luong-du-lieu",
             "nguon-du-lieu", "nguoi-dung"]  # fmt: skip


def test_a_link_holder_reaches_no_other_page(db):
    """Every page's address, with the link kept in it, answers that the link opens only the form; with
    sign-in configured and nobody signed in. (The same in Chromium: tests/test_submit_browser.py.)"""
    at = _open(links.token(db, WARD, "000", Q4), auth=True)
    refusal = [
        "Đường dẫn riêng của đơn vị chỉ mở biểu mẫu «Nộp báo cáo» của đơn vị đó, không mở trang nào khác "
        "của bảng điều khiển."
    ]
    assert [w.value for w in at.warning] == refusal  # "/" itself
    app_pages = {line.split('url_path="')[1].split('"')[0] for line in (ROOT / "app.py").read_text().split("\n")
                 if 'url_path="' in line and 'url_path=""' not in line}  # fmt: skip
    assert app_pages == {*ADDRESSES, "nop-bao-cao"}  # a new page joins this test
    for address in ADDRESSES:
        _switch_to(at, address)
        assert not at.exception, (address, at.exception)
        assert [w.value for w in at.warning] == refusal, address
        assert not at.dataframe and not at.text_input and not at.selectbox and len(at.sidebar) == 0, address
    _switch_to(at, "nop-bao-cao")
    assert at.text_input(key="ans_cb_tong").value == "528"


def test_a_link_cannot_send_for_another_unit(db):
    """The server re-checks the token at sending: a session holding unit A's link cannot write unit B."""
    from ui import actions

    at = _form(links.token(db, WARD, "000", Q4))
    assert at.text_input(key="ans_cb_tong").value == "528"
    with pytest.raises(actions.Denied):
        actions.submit_report(OTHER, "000", Q4, {"cb_tong": "5"}, token=links.token(db, WARD, "000", Q4))
    assert _read(db, queries.web_submissions, EVERY, OTHER, "000").empty


def test_two_submissions_at_the_same_moment_are_both_kept(db):
    at = dt.datetime(2026, 12, 4, 9, 30, 0)
    sender = web.Sender("lien_ket", "đường dẫn riêng (lần cấp 0)")
    answers = [{"cb_tong": "528", "cb_quan_triet": "400"}, {"cb_tong": "528", "cb_quan_triet": "450"}]
    threads = [
        threading.Thread(target=web.submit, args=(db, WARD, WARD_NAME, "000", Q4, a, sender, at)) for a in answers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = _read(db, queries.web_submissions, EVERY, WARD, "000")
    assert sent.import_id.nunique() == 2  # both in the history
    by_import = {i: dict(zip(g.field, g.raw_value, strict=True)) for i, g in sent.groupby("import_id")}
    assert sorted(v["cb_quan_triet"] for v in by_import.values()) == ["400", "450"]
    later = max(by_import)  # the second to be written wins (same second: reading order decides)
    shown = _values(db, WARD, Q4)["cb_quan_triet"]
    assert shown == float(by_import[later]["cb_quan_triet"])
    assert set(sent[sent.import_id == later].shown) == {True}
    assert set(sent[sent.import_id != later].shown) == {False}


def test_an_approved_quarter_waits_and_a_late_one_is_late(db):
    """After approval a web report waits as a pending change; sent after the deadline it is late."""
    q2 = "2026-Q2"
    before = _values(db, WARD, q2)["cb_tong"]
    cycle.approve(db, q2, [WARD], "Văn phòng Sở")
    web.submit(db, WARD, WARD_NAME, "000", q2, {"cb_tong": "600"}, web.Sender("tai_khoan", "a@b.vn"))
    assert _values(db, WARD, q2)["cb_tong"] == before
    pending = _read(db, queries.pending_changes, EVERY)
    mine = pending[(pending.unit_code == WARD) & (pending.field == "cb_tong")]
    assert list(mine.new_value) == [600.0]
    # Quý III: deadline 15/10/2026; sent 04/12/2026 (the demo has no Quý III report of this ward)
    web.submit(
        db, WARD, WARD_NAME, "000", "2026-Q3", {"so_hoi_nghi": "2"}, web.Sender("tai_khoan", "a@b.vn"),
        at=dt.datetime(2026, 12, 4, 8, 0),
    )  # fmt: skip
    rep = _read(db, queries.reporting, "000", PeriodSel("2026-Q3"), EVERY, today=dt.date(2026, 12, 4))
    row = rep[rep.unit_code == WARD].iloc[0]
    assert bool(row.reported) and not bool(row.on_time) and int(row.days_late) == 50  # 15/10 → 04/12


def test_hostile_numbers_are_refused_at_entry(db):
    at = _form(links.token(db, WARD, "000", Q4))
    at.text_input(key="ans_so_hoi_nghi").input("9" * 400).run()
    at.text_input(key="ans_bai_mxh").input("-3").run()
    at.text_input(key="ans_tin_bai_web").input("2,5").run()
    at.text_input(key="ans_mo_hinh").input("20000").run()  # toi_da 10.000
    errs = " | ".join(_errors(at))
    assert "quá lớn" in errs and "số âm" in errs and "số thập phân" in errs and "mức hợp lý tối đa 10.000" in errs
    at.button(key="nop_send").click().run()
    assert any(e.startswith("Chưa gửi: còn 4 ô cần sửa") for e in _errors(at))
    assert _read(db, queries.web_submissions, EVERY, WARD, "000").empty


def test_wrong_links_from_one_address_are_slowed(db):
    for i in range(5):
        with pytest.raises(links.LinkError, match="không hợp lệ"):
            links.open_link(db, f"sai{i}", "203.0.113.7")
    t = time.time()
    with pytest.raises(links.LinkError, match="Vui lòng đợi"):
        links.open_link(db, "sai5", "203.0.113.7", now=t)
    assert links.open_link(db, links.token(db, WARD, "000", Q4), "203.0.113.7", now=t).unit == WARD


def test_a_web_report_and_a_sheet_row_that_disagree_are_shown_to_the_office(db, tmp_path):
    """The README's rule: per unit and period the later report wins, whatever its source; the values it
    replaced are listed on Chất lượng dữ liệu with what the later one says."""
    from data_sources.load.ingest import ingest_paths
    from ui import tables

    sheet = tmp_path / "phu_luc_quy_4.csv"
    sheet.write_text(
        'Tên đơn vị,Kỳ báo cáo,Số hội nghị,"Số bài trên Fanpage, Zalo OA, mạng xã hội"\nPhường Bình Kiến,Quý IV/2026,4,7\n',
        encoding="utf-8",
    )
    ingest_paths([sheet], db, seen_at=dt.datetime(2026, 12, 1, 8, 0))
    web.submit(
        db, WARD, WARD_NAME, "000", Q4, {"so_hoi_nghi": "5", "bai_mxh": "7"}, web.Sender("tai_khoan", "a@b.vn"),
        at=dt.datetime(2026, 12, 2, 9, 15),
    )  # fmt: skip
    assert _values(db, WARD, Q4)["so_hoi_nghi"] == 5  # the web report is later: it wins
    dq = _read(db, queries.data_quality, EVERY, ["thay_the"])
    mine = dq[(dq.unit == WARD_NAME) & (dq.source == sheet.name)].set_index("field")
    assert mine.loc["so_hoi_nghi", "reason"].endswith(
        "(02/12/2026 09:15, Nộp trực tuyến – Quý IV/2026 dòng 2); KHÁC NHAU: lần sau ghi «5»"
    )
    assert mine.loc["bai_mxh", "reason"].endswith("; cùng giá trị")
    # the sheet read again unchanged keeps the time it first came: the web report still wins
    ingest_paths([sheet], db, seen_at=dt.datetime(2026, 12, 3, 8, 0))
    assert _values(db, WARD, Q4)["so_hoi_nghi"] == 5
    # the unit's row changed in the sheet and read later: that later report wins, the web one is listed
    sheet.write_text(
        'Tên đơn vị,Kỳ báo cáo,Số hội nghị,"Số bài trên Fanpage, Zalo OA, mạng xã hội"\nPhường Bình Kiến,Quý IV/2026,6,7\n',
        encoding="utf-8",
    )
    ingest_paths([sheet], db, seen_at=dt.datetime(2026, 12, 3, 9, 0))
    assert _values(db, WARD, Q4)["so_hoi_nghi"] == 6
    dq = _read(db, queries.data_quality, EVERY, ["thay_the"])
    web_rows = dq[(dq.unit == WARD_NAME) & (dq.source == web.source_of("000", WARD))]
    assert set(web_rows.field) == {"so_hoi_nghi", "bai_mxh"}
    assert [tables.source_words(s) for s in set(web_rows.source)] == ["Nộp trực tuyến (Phường Bình Kiến)"]


def test_a_returned_report_shows_the_reason_as_text(db):
    web.submit(db, WARD, WARD_NAME, "000", Q4, {"cb_tong": "528"}, web.Sender("tai_khoan", "a@b.vn"))
    reason = "**Thiếu** số liệu khảo sát <i>x</i> [xem](http://x.vn)"
    cycle.return_report(db, Q4, WARD, reason, "Văn phòng Sở")
    at = _form(links.token(db, WARD, "000", Q4))
    shown = [w.value for w in at.warning]
    assert any(w.startswith("Báo cáo kỳ này đã bị trả lại để hoàn thiện. Lý do: ") for w in shown)
    # drawn as its text: every markdown mark escaped (ui.text.plain), so no bold, tag or link is made
    from tests.conftest import shown as drawn

    assert any(drawn(w).endswith(f"Lý do: {reason}. Sửa rồi gửi lại.") for w in shown), shown
    hist = at.expander[0]
    assert any("Quý IV/2026: bị trả lại lúc" in drawn(w.value) and reason in drawn(w.value) for w in hist.warning)


def test_the_office_prints_phieu_and_renews_a_units_link(db):
    """Báo cáo định kỳ, for a role with «bieu_mau» (the demo's): the phiếu of the units in the filters as one
    PDF (one page each), and a new link for one unit: its old link stops, the new one opens its form."""
    import subprocess

    old = links.token(db, WARD, "000", Q4)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["don_vi"] = f"{WARD},{OTHER}"
    at.run()
    at.switch_page("pages/bao_cao_dinh_ky.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="links_period").set_value(Q4).run()
    at.button(key="make_phieu").click().run()
    assert not at.exception, at.exception
    pdf = db.parent / "phieu.pdf"
    pdf.write_bytes(at.session_state["phieu"]["pdf"])  # poppler reads the file back (make test installs it)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M), info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert WARD_NAME in text and "Phường Tuy Hòa" in text and "Quý IV/2026" in text
    at.selectbox(key="revoke_unit").set_value(WARD).run()
    at.button(key="revoke").click().run()
    assert not at.exception, at.exception
    new = at.code[-1].value
    assert new.startswith("http://localhost:8501/nop-bao-cao?t=")
    with pytest.raises(links.LinkError, match="đã được thay"):
        links.open_link(db, old, "1.2.3.4")
    grant = links.open_link(db, new.split("?t=")[1], "1.2.3.4")
    assert (grant.unit, grant.period, grant.generation) == (WARD, Q4, 1)
    from core import audit

    events = audit.events(db)
    assert any(e["action"] == "cap_lai_lien_ket" and e["detail"].get("unit") == WARD for e in events)
    assert not any(new.split("?t=")[1] in str(e) for e in events)  # the link itself is never logged


def test_links_are_made_for_the_quarter_units_report_now():
    """The panel's quarters, worked by hand: on 04/12/2026 Quý III's link ended 22/10/2026 (deadline 15/10 + 7
    days): Quý IV first, then Quý I/2027; on 10/01/2027 Quý IV's link still works (to 22/01/2027): it comes first."""
    from ui.reports import link_periods

    assert link_periods("000", dt.date(2026, 12, 4)) == ["2026-Q4", "2027-Q1"]
    assert link_periods("000", dt.date(2027, 1, 10)) == ["2026-Q4", "2027-Q1", "2027-Q2"]
    assert link_periods("000", dt.date(2027, 1, 23)) == ["2027-Q1", "2027-Q2"]


def test_a_web_report_in_a_deployment_of_several_provinces_lands_under_its_unit(tmp_path):
    """A deployment that follows Đắk Lắk (66) and Bắc Ninh (24): the web report of Xã Ea Kar (24373, Đắk Lắk)
    is matched against its own province's units (the one-row tab carries the unit's province)."""
    from data_sources.load.ingest import ingest_tabs
    from data_sources.read.readers import Tab

    db = tmp_path / "two.duckdb"
    rows = [[("Tên đơn vị", "s"), ("Kỳ báo cáo", "s"), ("Số hội nghị", "s")],
            [("Xã Ea Kar", "s"), ("Quý III/2026", "s"), ("2", "n")]]  # fmt: skip
    ingest_tabs([Tab("dak_lak.csv", "", rows, is_file=True, province=66)], db, province=[66, 24])
    web.submit(db, "24373", "Xã Ea Kar", "000", Q4, {"so_hoi_nghi": "5"}, web.Sender("tai_khoan", "a@b.vn"),
               province=[66, 24])  # fmt: skip
    assert _values(db, "24373", Q4)["so_hoi_nghi"] == 5
    assert _read(db, queries.unmatched, EVERY).empty
