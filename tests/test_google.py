"""Google Sheets as a source, offline: the real gspread + google-auth code over replayed HTTP.

Recordings: tests/fixtures/shared/google-api-recordings (real exchanges from gspread's test
suite, copied from ../shared/google-api-recordings) and
tests/fixtures/google (the statistics form, written in the same format)."""

from __future__ import annotations

import pandas as pd
import pytest
import requests
import responses

from core.db import connect_read
from data_sources.load.refresh import add_source, list_sources, refresh
from data_sources.read.google import PacedRetryingHTTPClient, SheetRef, SheetsReader, parse_sheet_link
from tests.conftest import FIXTURES, RECORDINGS, run_cli
from tests.google_replay import load, register, service_account_info, sheets_and_drive, token_endpoint

G = FIXTURES / "google"
SID = "1NQ71phuLucDakLakQuy2026aBcDeFgHiJkLmNoPqRs"
XLSX_ID = "1zs-broCdXvzc0iV7yXE0iO8fQc1wp_9j"
SA = service_account_info()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """Backoff waits are recorded, not slept."""
    waits = []
    monkeypatch.setattr(PacedRetryingHTTPClient, "sleep", staticmethod(waits.append))
    return waits


@pytest.mark.parametrize(
    "link",
    [
        f"https://docs.google.com/spreadsheets/d/{SID}/edit#gid=737321077",
        f"https://docs.google.com/spreadsheets/d/{SID}/edit?gid=737321077#gid=737321077",
        f"https://docs.google.com/spreadsheets/d/{SID}/edit?usp=sharing",
        f"  {SID}  ",
        f"docs.google.com/spreadsheets/u/0/d/{SID}/htmlview",
    ],
)
def test_every_link_form(link):
    assert parse_sheet_link(link).spreadsheet_id == SID


def test_seed_link_and_bad_link():
    ref = parse_sheet_link(
        "https://docs.google.com/spreadsheets/d/1zs-broCdXvzc0iV7yXE0iO8fQc1wp_9j/edit?gid=737321077#gid=737321077"
    )
    assert ref == SheetRef(XLSX_ID, "737321077")
    from data_sources.read.google import GoogleError

    with pytest.raises(GoogleError, match="không phải đường dẫn Google Sheets"):
        parse_sheet_link("https://example.com/bang-tinh")


def _refresh(db, *files, **kw):
    with responses.RequestsMock(assert_all_requests_are_fired=kw.pop("all_fired", True)) as rsps:
        token_endpoint(rsps)
        for f in files:
            register(rsps, load(f))
        result = refresh(db, SA, **kw)
        google_calls = sheets_and_drive(rsps.calls)
    return result, google_calls


def _observations(db):
    con = connect_read(db)
    try:
        return con.execute("SELECT unit_code, period, field, value FROM mart.observations ORDER BY ALL").df()
    finally:
        con.close()


def test_refresh_reads_form_with_merges_numbers_and_text(db):
    add_source(db, f"https://docs.google.com/spreadsheets/d/{SID}/edit#gid=737321077")
    result, calls = _refresh(db, G / "form_office_quarter.json")
    assert result.read == [SID] and not result.failed
    assert len(calls) == 3  # Drive metadata, Sheets metadata, one batchGet for every tab
    assert "valueRenderOption=UNFORMATTED_VALUE" in calls[2].request.url
    obs = _observations(db)
    got = {(r.unit_code, r.field): r.value for r in obs.itertuples()}
    assert got[("24373", "cb_tong")] == 1234 and got[("24373", "co_ke_hoach")] == 1  # number cell, TRUE
    assert got[("24163", "cb_tong")] == 1234  # "1.234" typed as text: Vietnamese thousands, not 1.234
    assert ("24163", "cb_quan_triet") not in got  # "..." is missing, never 0
    assert got[("24604", "dv_tong")] == 0 and got[("24604", "co_ke_hoach")] == 0  # "-" and "Chưa"
    assert set(obs.period) == {"2026-Q1"}
    # the merged group header "Đảng viên" over "Tổng số" came from the metadata merges
    assert got[("24373", "dv_tong")] == 40 and got[("24373", "dv_hoc_tap")] == 12
    src = list_sources(db)[0]
    assert src["last_modified"] == "2026-04-10T08:00:00.000Z" and src["last_error"] is None
    assert src["label"] == "Phụ lục NQ71 - Đắk Lắk"


def test_unchanged_spreadsheet_costs_one_request(db):
    add_source(db, SID)
    _refresh(db, G / "form_office_quarter.json")
    before = _observations(db)
    result, calls = _refresh(db, G / "form_unchanged.json")
    assert result.unchanged == [SID] and len(calls) == 1 and "drive/v3" in calls[0].request.url
    pd.testing.assert_frame_equal(_observations(db), before)


def test_a_refresh_that_reads_nothing_new_publishes_no_version_yet_records_its_try(db):
    """Every try is recorded beside the database (core/source_reads.py); a version is published only
    when changed content was read, so versions_kept keeps real imports to roll back to, not 45 minutes
    of unchanged cron runs. The page and the CLI show the latest try all the same."""
    import datetime as dt

    from data_sources.publish.store import published_versions

    add_source(db, SID)
    _refresh(db, G / "form_office_quarter.json", now=dt.datetime(2026, 12, 4, 6, 0, 0))
    versions = published_versions(db)
    _refresh(db, G / "form_unchanged.json", now=dt.datetime(2026, 12, 4, 12, 0, 0))
    assert published_versions(db) == versions  # nothing new: no version
    src = list_sources(db)[0]
    assert (
        src["last_attempt_at"] == src["last_ok_at"] == dt.datetime(2026, 12, 4, 12, 0, 0) and src["last_error"] is None
    )
    result, _ = _refresh(db, G / "server_500_forever.json", all_fired=False, now=dt.datetime(2026, 12, 4, 18, 0, 0))
    assert published_versions(db) == versions  # a failure changes no data either
    src = list_sources(db)[0]
    assert src["last_attempt_at"] == dt.datetime(2026, 12, 4, 18, 0, 0)
    assert src["last_ok_at"] == dt.datetime(2026, 12, 4, 12, 0, 0)
    assert src["last_error"] == result.failed[SID]


def test_uploaded_xlsx_is_downloaded_through_drive(db):
    add_source(db, f"https://docs.google.com/spreadsheets/d/{XLSX_ID}/edit?gid=737321077#gid=737321077")
    result, calls = _refresh(db, G / "uploaded_xlsx.json")
    assert result.read == [XLSX_ID], result.failed
    assert [c.response.status_code for c in calls] == [200, 400, 200]
    assert "alt=media" in calls[2].request.url
    assert len(_observations(db)) == 11  # the two month tabs of the file


def test_429_then_success_backs_off(db, no_sleep):
    add_source(db, SID)
    result, calls = _refresh(db, G / "quota_429_then_ok.json")
    assert result.read == [SID] and [c.response.status_code for c in calls][:2] == [429, 200]
    assert len(no_sleep) == 1 and 0 <= no_sleep[0] <= 1.0  # full jitter within the first step


def test_500_twice_then_success(db, no_sleep):
    add_source(db, SID)
    result, calls = _refresh(db, G / "server_500_twice_then_ok.json")
    assert result.read == [SID]
    assert [c.response.status_code for c in calls] == [200, 500, 503, 200, 200]
    assert len(no_sleep) == 2 and no_sleep[1] <= 2.0


def test_timeout_is_retried_then_reported(db):
    add_source(db, SID)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        token_endpoint(rsps)
        for _ in range(10):
            rsps.add("GET", f"https://www.googleapis.com/drive/v3/files/{SID}", body=requests.ConnectTimeout("quá hạn"))
        result = refresh(db, SA)
        n = len([c for c in rsps.calls if "drive" in c.request.url])
    assert n == PacedRetryingHTTPClient.max_attempts
    assert "không trả lời kịp" in result.failed[SID]


def test_permanent_failure_keeps_last_good_data_and_records_error(db):
    add_source(db, SID)
    _refresh(db, G / "form_office_quarter.json")
    good = _observations(db)
    result, _ = _refresh(db, G / "server_500_forever.json", all_fired=False)
    assert "Máy chủ Google đang lỗi (500)" in result.failed[SID]
    pd.testing.assert_frame_equal(_observations(db), good)
    src = list_sources(db)[0]
    assert src["last_error"].startswith("Máy chủ Google") and src["last_ok_at"] is not None
    assert src["last_attempt_at"] >= src["last_ok_at"]


def test_deadline_stops_endless_retries(db, monkeypatch):
    add_source(db, SID)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        token_endpoint(rsps)
        rsps.add(
            "GET",
            f"https://www.googleapis.com/drive/v3/files/{SID}",
            status=429,
            json={"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}},
        )
        monkeypatch.setattr(PacedRetryingHTTPClient, "base_wait", 100.0)
        monkeypatch.setattr("data_sources.read.google.random.uniform", lambda a, b: b)  # the longest jittered wait
        result = refresh(db, SA, deadline_s=5)
    assert "Hết thời gian làm mới" in result.failed[SID]


# --- the real recordings from gspread's test suite ---------------------------------------------


def test_recorded_403_says_whom_to_share_with(db):
    sid = "1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc"
    rec = [
        x for x in load(RECORDINGS / "ClientTest.test_access_private_spreadsheet.json") if sid in x["request"]["uri"]
    ]
    drive_ok = {"request": {"method": "GET", "uri": f"https://www.googleapis.com/drive/v3/files/{sid}?supportsAllDrives=True&includeItemsFromAllDrives=True&fields=id%2Cname%2CcreatedTime%2CmodifiedTime"},
                "response": {"status": {"code": 200}, "body": {"string": '{"id": "x", "modifiedTime": "2023-01-01T00:00:00Z"}'}}}  # fmt: skip
    add_source(db, sid)
    with responses.RequestsMock() as rsps:
        token_endpoint(rsps)
        register(rsps, [drive_ok, *rec])
        result = refresh(db, SA)
    msg = result.failed[sid]
    assert "403" in msg and SA["client_email"] in msg and "Chia sẻ" in msg
    assert SA["private_key"][40:80] not in msg  # the key is never shown


def test_recorded_404_says_link_is_wrong():
    from gspread.exceptions import APIError

    from data_sources.read.google import _as_google_error

    rec = [
        x
        for x in load(RECORDINGS / "ClientTest.test_access_non_existing_spreadsheet.json")
        if "/spreadsheets/test?" in x["request"]["uri"]
    ]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        token_endpoint(rsps)
        register(rsps, rec)
        reader = SheetsReader(SA)
        with pytest.raises(APIError) as err:
            reader.http.fetch_sheet_metadata("test")
    assert reader.http.calls == 1  # 404 is not retried
    msg = _as_google_error(err.value, reader.email).message
    assert "404" in msg and "đường dẫn sai" in msg


def test_recorded_metadata_merges_and_modified_time():
    from data_sources.read.google import _tabs_from_values

    meta_rec = load(RECORDINGS / "WorksheetTest.test_get_values_and_combine_merged_cells.json")
    sid = "187zm3OWka7Zlt8GGzYJLMeIxmzlCWk_H_KbUmcKXTyw"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        token_endpoint(rsps)
        register(
            rsps,
            [x for x in meta_rec if x["request"]["method"] == "GET" and "includeGridData" in x["request"]["uri"]][-1:],
        )
        reader = SheetsReader(SA)
        meta = reader.http.fetch_sheet_metadata(sid)
    batch = {
        "valueRanges": [
            {"range": "'Sheet1'!A1:D4", "values": [["1", "", "2", ""], ["", "", "4", ""], ["", "", "", "6"]]}
        ]
    }
    tab = _tabs_from_values(sid, meta, set(), batch)[0]
    assert tab.merges == [(0, 0, 1, 1), (1, 2, 1, 3), (2, 2, 3, 2)]
    assert tab.filled()[1][1] == ("1", "s") and tab.filled()[1][3] == ("4", "s")
    drive_rec = load(RECORDINGS / "ClientTest.test_open_by_key_has_metadata.json")
    sid2 = "1Mt7PAP53WxrZzHTL49wbg_EOQy18omB4PD2aJLMBs2o"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        token_endpoint(rsps)
        register(rsps, [x for x in drive_rec if "drive/v3/files/" + sid2 + "?" in x["request"]["uri"]][:1])
        assert SheetsReader(SA).http.get_file_drive_metadata(sid2)["modifiedTime"] == "2023-08-17T10:53:41.910Z"


def test_recorded_batch_get_values_are_kept_as_text():
    rec = load(RECORDINGS / "SpreadsheetTest.test_values_batch_get.json")
    x = next(x for x in rec if "values:batchGet" in x["request"]["uri"])
    with responses.RequestsMock() as rsps:
        token_endpoint(rsps)
        register(rsps, [x])
        sid = "1yXHRaUTFlGV-Axis4vLHtoPvGUj3C_-awA_5sLK8k6g"
        title = "🌵 test_values_batch_get 1"
        got = SheetsReader(SA).http.values_batch_get(sid, [f"{title}!A:A", f"{title}!B:B", f"{title}!C:C"])
    assert [v["values"] for v in got["valueRanges"]] == [[["🍇"], ["🍐"]], [["🍉"], ["🍎"]], [["🍋"], ["🍓"]]]


# --- periods written as dates (issue 12) ---------------------------------------------------------


def test_recorded_formatted_string_tells_a_date_from_a_number():
    """The API contract the reader relies on, from a real recording: with UNFORMATTED_VALUE a date cell
    is a bare serial number (43831, like any number), with dateTimeRenderOption=FORMATTED_STRING it is
    its formatted text ("2020-01-01") while number cells stay numbers (53, 0.12)."""
    rec = load(RECORDINGS / "WorksheetTest.test_get_all_values_date_time_render_options.json")
    sid = "1VYZV6IRnymjtcrTiKitjSdyIpBjiKTnzjBT-J87QLjI"
    gets = [x for x in rec if sid in x["request"]["uri"] and "/values/%27Sheet1%27?" in x["request"]["uri"]]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        token_endpoint(rsps)
        register(rsps, gets)
        http = SheetsReader(SA).http
        serial = http.values_get(
            sid, "'Sheet1'", params={"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
        )
        text = http.values_get(
            sid,
            "'Sheet1'",
            params={"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING"},
        )
    assert serial["values"][0][1] == 43831 and text["values"][0][1] == "2020-01-01"
    assert text["values"][0][3] == 53 and text["values"][1][1] == 0.12  # numbers stay numbers


def test_refresh_reads_periods_google_turned_into_dates(db):
    """Forms answers whose «Kỳ báo cáo» Google made dates: read as the month they name; a bare number
    in the period column is not a date and is refused with its reason."""
    sid = "1NQ71phuLucDakLakNgayThang2026aBcDeFgHiJkLm"
    add_source(db, sid)
    result, calls = _refresh(db, G / "form_period_dates.json")
    assert result.read == [sid] and not result.failed
    assert "dateTimeRenderOption=FORMATTED_STRING" in calls[2].request.url
    got = {(r.unit_code, r.period, r.field): r.value for r in _observations(db).itertuples()}
    assert got == {("24373", "2026-04", "so_hoi_nghi"): 3, ("24163", "2026-05", "so_hoi_nghi"): 2}
    con = connect_read(db)
    rej = con.execute("SELECT kind, raw_value, reason FROM mart.rejects").fetchall()
    notes = con.execute("SELECT notes FROM raw.tabs").fetchall()[0][0]
    con.close()
    assert [k for k, _, _ in rej] == ["ky_bao_cao"] and "46113" in rej[0][2]
    assert "01/04/2026" in notes and "ngày/tháng/năm" in notes


# ---- a machine that cannot reach Google: the real cause, no retry, every sheet told ------------


def _offline(*args, env_extra=None):
    """The real command line in a network namespace of its own (``unshare -n``: no interface but a
    downed loopback), so name resolution fails for real; nothing leaves this machine."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    if not shutil.which("unshare") or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("unshare -n needs root and util-linux in CI")
        pytest.skip("unshare -n needs root")
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(["unshare", "-n", sys.executable, "-m", "data_sources", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_offline_refresh_names_the_cause_stops_calling_and_tells_every_sheet(db, tmp_path):
    import json
    import re

    ids = [f"1NQ71offline{i:02d}aBcDeFgHiJkLmNoPq" for i in range(20)]
    for i, sid in enumerate(ids):
        add_source(db, sid, label=f"Bảng xã số {i + 1}")
    key = tmp_path / "khoa.json"
    key.write_text(json.dumps(SA), encoding="utf-8")
    proc = _offline("refresh", "--db", str(db), env_extra={"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d "
    assert all(re.match(stamp, line) for line in lines), lines  # every log line carries its time
    assert re.match(stamp + r"Làm mới 20 bảng: đọc 0, không đổi 0, lỗi 20 \(1 lượt gọi Google\)", lines[0])
    failed = [line for line in lines if "✗" in line]
    assert len(failed) == 20
    for i, (line, sid) in enumerate(zip(failed, ids, strict=True)):
        assert f"«Bảng xã số {i + 1}» ({sid})" in line and "(DNS)" in line, line
        assert "quá thời gian" not in line and "không trả lời kịp" not in line
    assert [s["last_error"] for s in list_sources(db)] == [failed[0].split(": ", 1)[1]] * 20


def test_a_damaged_key_is_said_in_vietnamese_not_a_traceback(db, tmp_path):
    import json

    add_source(db, SID, label="Bảng tỉnh")
    key = tmp_path / "khoa.json"
    key.write_text(json.dumps({**SA, "private_key": "-----BEGIN PRIVATE KEY-----\nhong\n-----END PRIVATE KEY-----\n"}))
    proc = _offline("refresh", "--db", str(db), env_extra={"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    assert proc.returncode == 2
    assert "Khóa tài khoản dịch vụ không đọc được" in proc.stderr and "Traceback" not in proc.stderr
    assert SA["private_key"][40:80] not in proc.stderr + proc.stdout
    from core import audit

    failed = audit.events(db)[0]  # the scheduled refresh's failure is in the audit log too
    assert failed["action"] == "lam_moi" and "Khóa tài khoản dịch vụ không đọc được" in failed["detail"]["error"]


@pytest.mark.parametrize(
    "text", ["x" * 5000, "1" * 150, "https://docs.google.com/spreadsheets/d/" + "a" * 120 + "/edit", "1NQ71\x00" * 8]
)
def test_what_is_not_a_link_is_refused_before_anything_is_stored(db, text):
    """A 5,000-character paste was stored as a sheet id: ids are bounded, the text too; nothing is written."""
    from data_sources.read.google import GoogleError

    add_source(db, SID)
    before = list_sources(db)
    with pytest.raises(GoogleError, match="không phải đường dẫn Google Sheets") as e:
        add_source(db, text)
    assert len(e.value.message) < 300  # the paste is not echoed whole
    assert list_sources(db) == before
    if "\x00" not in text:  # a command line cannot carry a NUL at all
        proc = run_cli("data_sources", "sources", "add", text, "--db", str(db), check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and list_sources(db) == before
