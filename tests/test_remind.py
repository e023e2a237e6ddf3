"""Reminder e-mails (issue 26) through a real SMTP server on localhost: aiosmtpd with STARTTLS (a
self-signed certificate made here, trusted through ``ca_file``) and AUTH (one account, checked).

Data: tests/fixtures/progress_small.csv (Q1, Q2) and a Q3 sheet written below: Xã Ea Kar and Xã Ea Ô
report quý III/2026; the office returns Ea Ô. So the 102 xã of Đắk Lắk minus Ea Kar are missing Q3
(101): Ea Ô returned, 100 not reported. The roster gives addresses to Cư Yang (one), Ea Ô (two,
«;»), Buôn Hồ (one the server refuses) and Ea Kar (reported: never mailed); the other 98 have none.
Deadline of quý III/2026: 15/10/2026 (the 15th of the month after, deployment.toml); the runs below are
«on» 12/10/2026, three days before it.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import re
import socket
import threading

import pytest
from streamlit.testing.v1 import AppTest

import queries
from core import audit, catalog, links
from core.db import connect_read
from core.periods import PeriodSel
from data_sources.load import cycle
from data_sources.load.ingest import ingest_paths
from outputs import remind
from tests.conftest import FIXTURES, ROOT, run_cli

EA_KAR, EA_O, CU_YANG, BUON_HO = "24373", "24403", "24406", "24305"
Q3 = "2026-Q3"
TODAY = dt.date(2026, 10, 12)
USER, PASSWORD = "nq71@so.vidu.vn", "mat-khau-dung-8472"
SUBJECT = "Nhắc báo cáo quý III/2026 – kết quả tuyên truyền Nghị quyết 71-NQ/TW"
REFUSED_ADDRESS = "khong-ton-tai@vidu.edu.vn"


# ---------------------------------------------------------------- a real SMTP server


class _Handler:
    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED_ADDRESS:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = len(self.messages) + 1
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "from": envelope.mail_from,
                    "tls": session.ssl is not None,
                    "login": session.auth_data.login.decode() if session.authenticated else None,
                    "message": email.message_from_bytes(envelope.content, policy=email.policy.default),
                    "answer": f"2.0.0 Ok: queued as KIEMTRA{n:04d}",
                }
            )
        return f"250 2.0.0 Ok: queued as KIEMTRA{n:04d}"


def _certificate(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(tmp_path):
    """A real SMTP server on 127.0.0.1: STARTTLS required, AUTH required (USER / PASSWORD)."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert_file, key_file = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    handler = _Handler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=check,
    )
    controller.start()
    handler.port, handler.ca = controller.port, cert_file
    yield handler
    controller.stop()


@pytest.fixture
def mail_env(smtp, monkeypatch):
    """The dashboard's and the command's mail settings: the server above (environment overrides)."""
    for key, value in {
        "SERVER": "localhost",
        "PORT": str(smtp.port),
        "USERNAME": USER,
        "PASSWORD": PASSWORD,
        "SENDER": f"Sở GDĐT Đắk Lắk <{USER}>",
        "CA_FILE": str(smtp.ca),
    }.items():
        monkeypatch.setenv(f"NQ71_SMTP_{key}", value)
    return smtp


@pytest.fixture
def q3db(tmp_path, monkeypatch):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "ma_don_vi,phai_bao_cao,ghi_chu,nguoi_lien_he,dien_thoai,email\n"
        f"{CU_YANG},1,,Nguyễn Văn A,0900 000 001,cuyang@vidu.edu.vn\n"
        f"{EA_O},1,,Trần Thị B,0900 000 002,eao@vidu.edu.vn; vanthu.eao@vidu.edu.vn\n"
        f"{BUON_HO},1,,Lê Văn C,0900 000 003,{REFUSED_ADDRESS}\n"
        f"{EA_KAR},1,,Phạm Văn D,0900 000 004,eakar@vidu.edu.vn\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NQ71_ROSTER", str(roster))  # read by the import
    q3 = tmp_path / "quy3.csv"
    head = (FIXTURES / "progress_small.csv").read_text(encoding="utf-8").splitlines()[0]
    q3.write_text(
        f"{head}\nXã Ea Kar,Quý III/2026,100,80,50,48,Có,1,0\nXã Ea Ô,Quý III/2026,300,130,50,40,Có,0,0\n",
        encoding="utf-8",
    )
    db = tmp_path / "nhac.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv", q3], db, province=66, seen_at=dt.datetime(2026, 10, 5, 9, 0))
    cycle.return_report(db, Q3, EA_O, "Thiếu số người được khảo sát", "Văn phòng Sở")
    return db


def _reminders(db, today=TODAY) -> dict[str, int]:
    con = connect_read(db)
    try:
        subs = queries.submissions(con, "000", PeriodSel(Q3), queries.Scope.everything(), today=today)
    finally:
        con.close()
    return dict(zip(subs.unit_code, subs.reminders, strict=True))


def _body(m) -> str:
    return m["message"].get_body(preferencelist=("plain",)).get_content()


def _token(text: str) -> str:
    found = re.findall(r"/nop-bao-cao\?t=(\S+)", text)
    assert len(found) == 1, text
    return found[0]


# ---------------------------------------------------------------- tests


def test_addresses_of_a_roster_cell():
    assert remind.addresses("a@x.vn; b@y.edu.vn, a@x.vn") == (["a@x.vn", "b@y.edu.vn"], [])
    assert remind.addresses(" vanthu ; <c@z.gov.vn>") == (["c@z.gov.vn"], ["vanthu"])
    assert remind.addresses("") == ([], [])


def test_each_missing_unit_gets_its_own_message_once_per_window(q3db, mail_env):
    db, server = q3db, mail_env
    rows = remind.missing(db, "000", Q3, TODAY)
    assert len(rows) == 101 and EA_KAR not in set(rows.unit_code)
    assert dict(zip(rows.unit_code, rows.state, strict=True))[EA_O] == "tra_lai"
    run = remind.send(db, "000", Q3, rows, "Văn thư", today=TODAY)

    # the server received exactly two messages, over TLS, after the login, each to its unit's addresses
    got = {tuple(m["to"]): m for m in server.messages}
    assert sorted(got) == [("cuyang@vidu.edu.vn",), ("eao@vidu.edu.vn", "vanthu.eao@vidu.edu.vn")]
    assert all(m["tls"] and m["login"] == USER and m["from"] == USER for m in server.messages)
    cu, eao = got[("cuyang@vidu.edu.vn",)], got[("eao@vidu.edu.vn", "vanthu.eao@vidu.edu.vn")]
    assert cu["message"]["Subject"] == SUBJECT and eao["message"]["Subject"] == SUBJECT
    text = _body(cu)
    assert text.startswith("Kính gửi Xã Cư Yang (đ/c Nguyễn Văn A),")
    assert "chưa nhận được báo cáo quý III/2026" in text and "Hạn báo cáo: ngày 15/10/2026 (còn 3 ngày)" in text
    assert "dùng được đến hết ngày 22/10/2026" in text  # the deadline plus 7 days of grace
    assert "Lý do: Thiếu số người được khảo sát" in _body(eao)
    # each link opens exactly its unit's form for this plan and period
    for m, unit in ((cu, CU_YANG), (eao, EA_O)):
        grant = links.open_link(db, _token(_body(m)), today=TODAY)
        assert (grant.unit, grant.plan, grant.period) == (unit, "000", Q3)

    outcome = {r.unit: r for r in run.results}
    assert (outcome[CU_YANG].outcome, outcome[EA_O].outcome, outcome[BUON_HO].outcome) == (
        "da_gui",
        "da_gui",
        "tu_choi",
    )
    assert outcome[BUON_HO].code == 550 and REFUSED_ADDRESS in outcome[BUON_HO].note
    no_address = [r for r in run.results if r.outcome == "khong_dia_chi"]
    assert len(no_address) == 98 and {r.label for r in no_address} == {"Không có địa chỉ thư"}
    assert "2 đơn vị đã gửi thư" in run.summary() and "98 đơn vị không có địa chỉ thư" in run.summary()

    # the log holds the server's answer; nothing it refused is logged as sent; never the password
    log = remind.log(db)
    sent = {e["unit"]: e for e in log if e["outcome"] == "da_gui"}
    assert set(sent) == {CU_YANG, EA_O}
    assert {(e["code"], e["answer"]) for e in sent.values()} == {(250, m["answer"]) for m in server.messages}
    assert sent[EA_O]["to"] == ["eao@vidu.edu.vn", "vanthu.eao@vidu.edu.vn"]
    refused = [e for e in log if e["unit"] == BUON_HO]
    assert [(e["outcome"], e["code"], e["answer"]) for e in refused] == [("tu_choi", 550, "5.1.1 Mailbox unavailable")]
    assert PASSWORD not in remind.log_path(db).read_text(encoding="utf-8")
    # counted in the cycle: the chase list's «Đã nhắc (lần)»
    counts = _reminders(db)
    assert (counts[CU_YANG], counts[EA_O], counts[BUON_HO]) == (1, 1, 0)

    # a second run inside the window (72 hours) sends nothing to them; the refused address is tried again
    again = remind.send(db, "000", Q3, remind.missing(db, "000", Q3, TODAY), "Văn thư", today=TODAY)
    assert len(server.messages) == 2
    second = {r.unit: r for r in again.results}
    assert (second[CU_YANG].outcome, second[EA_O].outcome) == ("vua_nhac", "vua_nhac")
    assert second[CU_YANG].note.startswith("đã gửi lúc ") and second[BUON_HO].outcome == "tu_choi"
    counts = _reminders(db)
    assert (counts[CU_YANG], counts[EA_O]) == (1, 1)


def test_a_refused_login_says_what_to_do_and_sends_nothing(q3db, mail_env, monkeypatch):
    monkeypatch.setenv("NQ71_SMTP_PASSWORD", "sai-mat-khau")
    rows = remind.missing(q3db, "000", Q3, TODAY)
    with pytest.raises(remind.RemindError) as e:
        remind.send(q3db, "000", Q3, rows, "Văn thư", today=TODAY)
    message = str(e.value)
    assert "từ chối đăng nhập tài khoản «nq71@so.vidu.vn»" in message and "mã 535" in message
    assert "Kiểm tra username và password" in message and "Chưa gửi thư nào" in message
    assert mail_env.messages == []
    assert not [x for x in remind.log(q3db) if x.get("outcome") == "da_gui"]
    assert [x["outcome"] for x in remind.log(q3db)] == ["khong_gui_duoc"]
    assert "sai-mat-khau" not in remind.log_path(q3db).read_text(encoding="utf-8")
    assert _reminders(q3db)[CU_YANG] == 0


def test_a_server_that_refuses_the_connection_is_named(q3db, monkeypatch):
    monkeypatch.setenv("NQ71_SMTP_SERVER", "127.0.0.1")
    monkeypatch.setenv("NQ71_SMTP_PORT", str(_free_port()))  # nobody listens there
    monkeypatch.setenv("NQ71_SMTP_SENDER", USER)
    with pytest.raises(remind.RemindError, match=r"từ chối kết nối .*Kiểm tra server và port trong mục \[smtp\]"):
        remind.send(q3db, "000", Q3, remind.missing(q3db, "000", Q3, TODAY), "Văn thư", today=TODAY)
    assert _reminders(q3db)[CU_YANG] == 0


@pytest.fixture
def province_secrets(tmp_path, monkeypatch, smtp):
    """A province configuration naming its secrets file with [smtp] (as cron reads it); no environment."""
    for key in remind.KEYS:
        monkeypatch.delenv(f"NQ71_SMTP_{key.upper()}", raising=False)
    (tmp_path / "bi_mat.toml").write_text(
        f'[smtp]\nserver = "localhost"\nport = {smtp.port}\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
        f'sender = "Sở GDĐT Đắk Lắk <{USER}>"\nca_file = "{smtp.ca}"\n',
        encoding="utf-8",
    )
    (tmp_path / "tinh.toml").write_text('secrets = "bi_mat.toml"\n', encoding="utf-8")
    monkeypatch.setenv("NQ71_CONFIG", str(tmp_path / "tinh.toml"))
    catalog.settings.cache_clear()
    yield smtp
    catalog.settings.cache_clear()


def test_the_cron_command_waits_for_its_day_then_sends(q3db, province_secrets):
    server, db = province_secrets, str(q3db)
    early = run_cli("data_sources", "remind", "--db", db, "--period", Q3, "--days-before", "3", "--today", "01/10/2026")
    assert early.returncode == 0 and server.messages == []
    assert "Chưa đến lúc nhắc: hạn báo cáo quý III/2026 là 15/10/2026, còn 14 ngày" in early.stdout

    done = run_cli("data_sources", "remind", "--db", db, "--period", Q3, "--days-before", "3", "--today", "12/10/2026")
    assert done.returncode == 0, done.stderr
    assert sorted(tuple(m["to"]) for m in server.messages) == [
        ("cuyang@vidu.edu.vn",),
        ("eao@vidu.edu.vn", "vanthu.eao@vidu.edu.vn"),
    ]
    assert "Nhắc báo cáo quý III/2026: 2 đơn vị đã gửi thư" in done.stdout
    assert "98 đơn vị không có địa chỉ thư" in done.stdout
    assert "Phường Buôn Hồ (24305) · khong-ton-tai@vidu.edu.vn: Bị từ chối" in done.stdout
    grant = links.open_link(q3db, _token(_body(server.messages[0])), today=TODAY)
    assert grant.period == Q3 and grant.unit in (CU_YANG, EA_O)
    event = audit.events(q3db)[0]
    assert (event["who"], event["action"]) == ("dòng lệnh (nhắc theo lịch)", "gui_thu_nhac")
    assert sorted(event["detail"]["sent"]) == sorted([CU_YANG, EA_O])
    assert PASSWORD not in json.dumps(audit.events(q3db), ensure_ascii=False)
    assert _reminders(q3db)[CU_YANG] == 1

    # the dry run names who would get one, connects to nothing
    dry = run_cli("outputs", "remind", "--db", db, "--period", Q3, "--dry-run", "--today", "12/10/2026")
    assert dry.returncode == 0 and len(server.messages) == 2
    assert "Phường Buôn Hồ (24305) · khong-ton-tai@vidu.edu.vn: Sẽ gửi (chạy thử)" in dry.stdout
    assert "Xã Cư Yang (24406) · cuyang@vidu.edu.vn: Bỏ qua (vừa nhắc)" in dry.stdout


def test_the_cron_command_says_a_refused_login_and_exits_2(q3db, province_secrets, tmp_path):
    secrets = tmp_path / "bi_mat.toml"
    secrets.write_text(secrets.read_text(encoding="utf-8").replace(PASSWORD, "cu-roi"), encoding="utf-8")
    out = run_cli("data_sources", "remind", "--db", str(q3db), "--period", Q3, "--today", "12/10/2026", check=False)
    assert out.returncode == 2 and "từ chối đăng nhập" in out.stderr and province_secrets.messages == []
    assert audit.events(q3db)[0]["action"] == "gui_thu_nhac" and "error" in audit.events(q3db)[0]["detail"]


def test_the_chase_list_button_sends_through_the_same_server(q3db, mail_env, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(q3db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.sidebar.selectbox(key="f_period").set_value(Q3).run()
    at.switch_page("pages/bao_cao.py").run()
    assert not at.exception, at.exception
    button = next(b for b in at.button if b.label.startswith("Gửi thư nhắc"))
    assert button.label == "Gửi thư nhắc (101 đơn vị)"  # the chase list: Q3 is overdue today
    button.click().run()
    assert not at.exception, at.exception
    assert sorted(tuple(m["to"]) for m in mail_env.messages) == [
        ("cuyang@vidu.edu.vn",),
        ("eao@vidu.edu.vn", "vanthu.eao@vidu.edu.vn"),
    ]
    table = next(d.value for d in at.dataframe if "Trả lời của máy chủ thư" in d.value.columns)
    result = dict(zip(table["Đơn vị"], table["Kết quả"], strict=True))
    assert (result["Xã Cư Yang"], result["Xã Ea Ô"], result["Phường Buôn Hồ"]) == ("Đã gửi", "Đã gửi", "Bị từ chối")
    assert list(table["Kết quả"]).count("Không có địa chỉ thư") == 98
    answers = dict(zip(table["Đơn vị"], table["Trả lời của máy chủ thư"], strict=True))
    assert answers["Phường Buôn Hồ"] == "550 5.1.1 Mailbox unavailable"
    chase = next(d.value for d in at.dataframe if "Đã nhắc (lần)" in d.value.columns)
    assert dict(zip(chase["Đơn vị"], chase["Đã nhắc (lần)"], strict=True))["Xã Cư Yang"] == 1
    event = audit.events(q3db)[0]
    assert event["action"] == "gui_thu_nhac" and sorted(event["detail"]["sent"]) == sorted([CU_YANG, EA_O])
    # the link expired on 22/10/2026 (today is after it): the message says so instead of a dead link
    if dt.date.today() > dt.date(2026, 10, 22):
        assert "đã hết hạn ngày 22/10/2026" in _body(mail_env.messages[0])


def test_without_a_mail_server_the_button_is_not_offered(q3db, monkeypatch, tmp_path):
    for key in remind.KEYS:
        monkeypatch.delenv(f"NQ71_SMTP_{key.upper()}", raising=False)
    (tmp_path / "tinh.toml").write_text('secrets = "khong_co.toml"\n', encoding="utf-8")
    monkeypatch.setenv("NQ71_CONFIG", str(tmp_path / "tinh.toml"))
    monkeypatch.setenv("NQ71_DB", str(q3db))
    catalog.settings.cache_clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.sidebar.selectbox(key="f_period").set_value(Q3).run()
        at.switch_page("pages/bao_cao.py").run()
        assert not at.exception, at.exception
        assert not [b for b in at.button if b.label.startswith("Gửi thư nhắc")]
        assert any("Chưa cấu hình máy chủ thư: điền mục [smtp]" in c.value for c in at.caption)
    finally:
        catalog.settings.cache_clear()
