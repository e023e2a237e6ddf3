"""A unit's personal link (core/links.py): signed, bound to one unit, plan and period, expiring after the
deadline plus the grace, revocable, and slowed for an address that keeps trying wrong tokens."""

import datetime as dt

import pytest

from core import catalog, links


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("NQ71_LINK_SECRET", raising=False)
    monkeypatch.setattr(links, "_secrets_file", lambda: tmp_path / "no-secrets.toml")
    links.ATTEMPTS.clear("1.2.3.4")
    return tmp_path / "nq71.duckdb"


def test_a_link_opens_its_unit_plan_and_period(db):
    t = links.token(db, "24010", "000", "2026-Q2")
    g = links.open_link(db, t, "1.2.3.4", today=dt.date(2026, 7, 1))
    assert (g.unit, g.plan, g.period) == ("24010", "000", "2026-Q2")
    # valid through the deadline plus the grace days (deployment.toml [lien_ket] gia_han_ngay = 7)
    assert g.expires == catalog.deadline_of("000", "2026-Q2") + dt.timedelta(days=7)
    assert (db.parent / "nq71.duckdb.link.key").stat().st_mode & 0o777 == 0o600
    assert links.url(db, "24010", "000", "2026-Q2").startswith("http://localhost:8501/nop-bao-cao?t=")


@pytest.mark.parametrize("change", ["cut", "other_unit", "other_key"])
def test_a_forged_or_cut_link_opens_nothing(db, change, monkeypatch):
    t = links.token(db, "24010", "000", "2026-Q2")
    if change == "cut":
        t = t[:-3]
    elif change == "other_unit":  # the payload edited to name another unit, the signature kept
        import base64
        import json

        body, sig = t.rsplit(".", 1)
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        payload[0] = "24011"
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
        t = f"{body}.{sig}"
    else:  # signed by a key that is not this deployment's
        monkeypatch.setenv("NQ71_LINK_SECRET", "someone else's key, long enough to be a key")
        t = links.token(db, "24010", "000", "2026-Q2")
        monkeypatch.delenv("NQ71_LINK_SECRET")
    with pytest.raises(links.LinkError, match="không hợp lệ"):
        links.open_link(db, t, "1.2.3.4", today=dt.date(2026, 7, 1))


def test_a_link_expires_after_the_deadline_and_grace(db):
    t = links.token(db, "24010", "000", "2026-Q2")
    last = links.expires("000", "2026-Q2")
    assert links.open_link(db, t, "1.2.3.4", today=last).unit == "24010"
    with pytest.raises(links.LinkError, match="đã hết hạn"):
        links.open_link(db, t, "1.2.3.4", today=last + dt.timedelta(days=1))


def test_a_new_link_revokes_the_old_one_for_that_unit_only(db):
    old = links.token(db, "24010", "000", "2026-Q2")
    other = links.token(db, "24011", "000", "2026-Q2")
    assert links.revoke(db, "24010", by="vp@so.vn") == 1
    with pytest.raises(links.LinkError, match="đã được thay"):
        links.open_link(db, old, "1.2.3.4", today=dt.date(2026, 7, 1))
    new = links.token(db, "24010", "000", "2026-Q2")
    assert links.open_link(db, new, "1.2.3.4", today=dt.date(2026, 7, 1)).generation == 1
    assert links.open_link(db, other, "1.2.3.4", today=dt.date(2026, 7, 1)).unit == "24011"


def test_an_address_trying_wrong_links_waits_and_a_right_link_always_opens(db):
    good = links.token(db, "24010", "000", "2026-Q2")
    now = 1_000_000.0
    for i in range(5):  # sai_toi_da = 5
        with pytest.raises(links.LinkError, match="không hợp lệ"):
            links.open_link(db, f"rac{i}", "9.9.9.9", today=dt.date(2026, 7, 1), now=now + i)
    # the sixth wrong try waits, 2 s after the last failure
    with pytest.raises(links.LinkError, match="Vui lòng đợi 1 giây"):
        links.open_link(db, "rac5", "9.9.9.9", today=dt.date(2026, 7, 1), now=now + 5)
    # the right link opens at once from the same address (a school's shared address: others' mistakes)
    assert links.open_link(db, good, "9.9.9.9", today=dt.date(2026, 7, 1), now=now + 5).unit == "24010"
    # another address is not slowed
    with pytest.raises(links.LinkError, match="không hợp lệ"):
        links.open_link(db, "rac", "8.8.8.8", today=dt.date(2026, 7, 1), now=now + 5)
    # an unknown address is never counted (it would be one bucket for everyone)
    for i in range(20):
        with pytest.raises(links.LinkError, match="không hợp lệ"):
            links.open_link(db, f"rac{i}", "", today=dt.date(2026, 7, 1), now=now + i)
