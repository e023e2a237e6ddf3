"""What an independent hostile review of issue 26 (units report in the product) found by trying it; each test
failed on the reviewed code (732277b) and holds the fix. Data: the bundled demo, copied per test (as
tests/test_submit.py). Today's quarter: Quý IV/2026, deadline 15/01/2027.
"""

from __future__ import annotations

import datetime as dt
import tarfile

import pytest
from itsdangerous import URLSafeSerializer
from streamlit.testing.v1 import AppTest

import queries
from core import catalog, links
from core.db import connect_read
from data_sources.load import web
from tests.conftest import ROOT

WARD, WARD_NAME, OTHER, Q4 = "22045", "Phường Bình Kiến", "22015", "2026-Q4"
EVERY = queries.Scope.everything()


@pytest.fixture
def db(demo_copy):
    return demo_copy


def _value(db, unit: str, period: str, field: str):
    con = connect_read(db)
    try:
        obs = queries.observations(con, EVERY, unit, period)
    finally:
        con.close()
    return obs[(obs.unit_code == unit) & (obs.period == period)].set_index("field").value.get(field)


# ---------------------------------------------------------------- the wrong-link limiter


def test_a_valid_link_opens_whatever_others_tried_from_the_same_address(db):
    """The limiter refuses a VALID token once an address has failed 5 times, before even checking it. Every
    visitor behind the product's own haproxy (and every visitor at all when no address is known: they all
    count as «?») shares one address, so one careless or hostile visitor locks every unit out of its form,
    also in the middle of typing (link_mode re-checks the token on every rerun). A valid signature should
    always open; only wrong tokens need slowing (HMAC cannot be guessed anyway)."""
    t = 1_000_000.0
    for i in range(5):  # someone else behind the same address (a proxy, a school's NAT) mistypes 5 links
        with pytest.raises(links.LinkError, match="không hợp lệ"):
            links.open_link(db, f"sai{i}", "", now=t)
    good = links.token(db, WARD, "000", Q4)
    grant = links.open_link(db, good, "", today=dt.date(2026, 12, 4), now=t + 1)  # «Vui lòng đợi 1 giây»
    assert grant.unit == WARD


def test_the_proxy_decides_the_visitors_address_not_the_visitor():
    """deploy/haproxy.cfg.tmpl neither sets nor overwrites X-Forwarded-For, so behind it Streamlit sees
    127.0.0.1 for everyone (st.context.ip_address is None) and ui.data.visitor_address takes the first
    X-Forwarded-For entry AS THE CLIENT SENT IT: rotating the header bypasses the limiter, and omitting it
    puts the visitor in the one bucket every unit shares. Tried for real (haproxy from this template in
    front of the server, Chromium): 8 wrong links with X-Forwarded-For 10.0.0.0..7 were never slowed; 10
    wrong links without it made a valid link of another unit, in a new browser, answer «Vui lòng đợi 62
    giây», and the form already open turned into the same refusal at the next keystroke."""
    from pathlib import Path

    from deploy.cluster import render_config

    cfg = render_config(8500, [8501], Path("/tmp/x.pid"))
    assert "X-Forwarded-For" in cfg or "forwardfor" in cfg


# ---------------------------------------------------------------- revocation and the key


def test_a_restored_backup_keeps_revoked_links_revoked(db, tmp_path, monkeypatch):
    """`data_sources backup` leaves out <db>.links.json (and the drafts, the mail log): after a restore every
    generation is back to 0, so a link the office revoked (a leaked one) opens the form again, and the
    links issued since stop working."""
    from data_sources.publish.backup import backup, restore

    monkeypatch.setenv("NQ71_LINK_SECRET", "the province's secret, kept apart as README says")
    leaked = links.token(db, WARD, "000", Q4)
    links.revoke(db, WARD, by="vp@so.vn")
    archive = backup(db, tmp_path / "b.tar")
    with tarfile.open(archive) as t:
        names = t.getnames()
    target = tmp_path / "restored" / "nq71.duckdb"
    target.parent.mkdir()
    restore(target, archive)
    with pytest.raises(links.LinkError, match="đã được thay"):
        links.open_link(target, leaked, "203.0.113.7", today=dt.date(2026, 12, 4))
    assert any("links" in n for n in names), names


def test_an_empty_key_file_is_no_key(db):
    """An empty <db>.link.key (a write that failed on a full disk, an admin's `touch`, or a second process
    reading it between the first one's O_EXCL create and its write) is used as the signing key "": anyone
    can then sign a link for any unit. It should be refused (or replaced), never used."""
    (db.parent / f"{db.name}.link.key").write_text("\n")
    forged = URLSafeSerializer("", salt=links.SALT).dumps(["24133", "000", Q4, 0])
    with pytest.raises(Exception):  # noqa: B017 - anything but a grant
        links.open_link(db, forged, "203.0.113.7", today=dt.date(2026, 12, 4))


def test_links_carry_the_deployments_public_address(db, tmp_path, monkeypatch):
    """A province configures `public_url` (deploy/templates/tinh.toml, README «Chạy thật»); the links, the
    QR codes of the phiếu and the reminder e-mails use `[lien_ket] dia_chi` instead, whose shipped value
    is http://localhost:8501, and `deploy check` says nothing: every printed link points at localhost."""
    cfg = tmp_path / "tinh.toml"
    cfg.write_text(f'province = 66\nplan = "000"\npublic_url = "https://nq71.sogddt.example.vn"\ndatabase = "{db}"\n')
    monkeypatch.setenv("NQ71_CONFIG", str(cfg))
    catalog.settings.cache_clear()
    assert links.url(db, WARD, "000", Q4).startswith("https://nq71.sogddt.example.vn/nop-bao-cao?t=")


# ---------------------------------------------------------------- the latest report wins


def test_a_web_correction_is_not_undone_when_another_unit_edits_the_shared_sheet(db, tmp_path):
    """build_marts.sql says a row without a Forms timestamp counts from «the time the product FIRST read it»;
    it uses the time of the LATEST read. A unit corrects its number on the web form; then ANOTHER unit edits
    its own row of the shared sheet, the sheet is read again (a Google refresh reads the whole sheet when
    anything in it changed) and the first unit's old, unchanged row wins again: its correction is silently
    undone."""
    from data_sources.load.ingest import ingest_paths

    sheet = tmp_path / "phu_luc_quy_4.csv"

    def write(other: int) -> None:
        sheet.write_text(
            f"Tên đơn vị,Kỳ báo cáo,Số hội nghị\nPhường Bình Kiến,Quý IV/2026,4\nPhường Tuy Hòa,Quý IV/2026,{other}\n",
            encoding="utf-8",
        )

    write(1)
    ingest_paths([sheet], db, seen_at=dt.datetime(2026, 12, 1, 8, 0))
    web.submit(
        db, WARD, WARD_NAME, "000", Q4, {"so_hoi_nghi": "5"}, web.Sender("lien_ket", "x"),
        at=dt.datetime(2026, 12, 2, 9, 0),
    )  # fmt: skip
    assert _value(db, WARD, Q4, "so_hoi_nghi") == 5
    write(2)  # Phường Tuy Hòa changes its own row
    ingest_paths([sheet], db, seen_at=dt.datetime(2026, 12, 3, 8, 0))
    assert _value(db, OTHER, Q4, "so_hoi_nghi") == 2
    assert _value(db, WARD, Q4, "so_hoi_nghi") == 5  # Bình Kiến's row did not change: its later web report stands


# ---------------------------------------------------------------- the link page is not guarded


def test_an_error_on_the_link_form_is_an_incident_not_a_traceback(db, monkeypatch):
    """app.py runs the link mode's navigation (access.link_mode → nav.run) before and outside
    guard.guarded(): any error on the form (here: the drafts file cannot be written, a full disk) reaches
    Streamlit as an uncaught exception, a traceback for an anonymous visitor in a deployment without
    showErrorDetails=none, never the incident number the rest of the product gives."""
    from core import drafts

    monkeypatch.delenv("NQ71_RAISE_ERRORS", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["t"] = links.token(db, WARD, "000", Q4)
    at.run()
    at.switch_page("pages/nop_bao_cao.py").run()
    assert not at.exception

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(drafts, "save", full)
    at.text_input(key="ans_so_hoi_nghi").input("3").run()
    assert not at.exception, at.exception
    assert any("mã sự cố" in e.value for e in at.error)


def test_a_long_paste_is_not_repeated_back_whole():
    """«không phải là số» repeated the whole typed text: a 100.000-character paste gave a 100.048-character
    message under the field. The message quotes its first 40 characters."""
    from data_sources.parse.entry import check

    got = check({"so_hoi_nghi": "ba" * 50_000})["so_hoi_nghi"]
    assert len(got) < 300 and "«" + "ba" * 20 + "…»" in got
