"""A province's configuration: the check before the first start, the server's refusal on a ✗, the
systemd units, and a backup that holds the whole state (database, users, audit log, configuration)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from core import audit, catalog
from tests.conftest import FIXTURES, ROOT, run_cli

COOKIE = "c" * 40


def _province(tmp_path, public_url="https://nq71.sogddt.example.vn", redirect=None, extra="", auth=True):
    """A configuration folder as README «Chạy thật cho một tỉnh» lays it out; its tinh.toml path."""
    d = tmp_path / "etc"
    d.mkdir()
    shutil.copy(ROOT / "deploy/templates/nguoi_dung.csv", d / "nguoi_dung.csv")
    shutil.copy(ROOT / "deploy/templates/danh_sach_bao_cao.csv", d / "danh_sach_bao_cao.csv")
    redirect = redirect or f"{public_url}/oauth2callback"
    if auth:
        (d / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "{redirect}"\ncookie_secret = "{COOKIE}"\nclient_id = "nq71"\n'
            'client_secret = "s3cr3t-value"\nserver_metadata_url = "https://idp.example.vn/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
    text = (ROOT / "deploy/templates/tinh.toml").read_text(encoding="utf-8")
    text = text.replace('public_url = "https://nq71.sogddt.example.vn"', f'public_url = "{public_url}"')
    text = text.replace('database = "/var/lib/nq71/nq71.duckdb"', f'database = "{tmp_path / "var" / "nq71.duckdb"}"')
    text = text.replace('backup_dir = "/var/backups/nq71"', f'backup_dir = "{tmp_path / "backups"}"')
    text = text.replace('tls_cert = "nq71.pem"', 'tls_cert = ""').replace("port = 443", "port = 8501")
    (d / "tinh.toml").write_text(text + extra, encoding="utf-8")
    return d / "tinh.toml"


def _check(config, env_extra=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NQ71_")}
    env.update({"NQ71_CONFIG": str(config), **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", "deploy", "check"], cwd=ROOT, env=env, capture_output=True, text=True)


def _line(out: str, item: str) -> str:
    return next(line for line in out.splitlines() if line[2:].startswith(item))


def test_the_template_configuration_passes_the_check(tmp_path):
    proc = _check(_province(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _line(proc.stdout, "Bí mật: đăng nhập").startswith("✓")
    assert "redirect_uri = https://nq71.sogddt.example.vn/oauth2callback" in proc.stdout
    assert _line(proc.stdout, "Người dùng").startswith("✓") and "1 quản trị" in proc.stdout
    assert _line(proc.stdout, "Số liệu").startswith("⚠")  # no import yet: a warning, not a refusal
    assert "Sẵn sàng chạy" in proc.stdout
    assert "s3cr3t-value" not in proc.stdout and COOKIE not in proc.stdout  # the check never prints a secret


@pytest.mark.parametrize(
    "how, item, words",
    [
        ("redirect", "Bí mật: đăng nhập", 'redirect_uri = "https://nq71.sogddt.example.vn/oauth2callback"'),
        ("no_auth", "Bí mật: đăng nhập", "thiếu mục [auth]"),
        ("bad_key", "Khóa Google", "không phải khóa hợp lệ"),
        ("bad_role", "Người dùng", "vai trò «admin»"),
        ("no_admin", "Người dùng", "không có ai vai trò quan_tri"),
        ("bad_province", "Tỉnh", "«99»"),
        ("bad_url", "Địa chỉ công khai", "không phải địa chỉ web"),
        ("no_haproxy_cert", "Chứng chỉ HTTPS", "phải chứa cả chứng chỉ và khóa riêng"),
        ("toml", "Tệp cấu hình", "sai cú pháp TOML ở dòng 1, cột"),
        ("example_cookie", "Bí mật: đăng nhập", "còn giá trị mẫu: cookie_secret"),
        ("bad_limit", "Giới hạn nhập", "tep_toi_da_mb phải là một số nguyên dương"),
    ],
)
def test_each_broken_item_is_a_cross_with_its_fix_and_exit_2(tmp_path, how, item, words):
    kw = {}
    if how == "redirect":
        kw["redirect"] = "http://localhost:8501/oauth2callback"
    if how == "no_auth":
        kw["auth"] = False
    if how == "bad_url":
        kw["public_url"] = "nq71.sogddt.example.vn"
    config = _province(tmp_path, **kw)
    d = config.parent
    if how == "bad_key":
        with open(d / "secrets.toml", "a", encoding="utf-8") as f:
            f.write('[gcp_service_account]\ntype = "service_account"\nclient_email = "a@b.iam.gserviceaccount.com"\n'
                    'private_key = "-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----\\n"\n'
                    'token_uri = "https://oauth2.googleapis.com/token"\n')  # fmt: skip
    if how == "bad_role":
        with open(d / "nguoi_dung.csv", "a", encoding="utf-8") as f:
            f.write("khac@sogddt.example.vn,admin,,Người khác\n")
    if how == "no_admin":
        (d / "nguoi_dung.csv").write_text("email,vai_tro,don_vi,ho_ten\nld@x.vn,lanh_dao,,Lãnh đạo\n", encoding="utf-8")
    if how == "bad_province":
        config.write_text(
            config.read_text(encoding="utf-8").replace("province = 66", "province = 99"), encoding="utf-8"
        )
    if how == "no_haproxy_cert":
        (d / "nq71.pem").write_text("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n")
        text = config.read_text(encoding="utf-8").replace('tls_cert = ""', 'tls_cert = "nq71.pem"')
        config.write_text(text, encoding="utf-8")
    if how == "toml":
        config.write_text("province = \n", encoding="utf-8")
    if how == "bad_limit":
        with open(config, "a", encoding="utf-8") as f:
            f.write("\n[gioi_han]\ntep_toi_da_mb = 0\n")
    if how == "example_cookie":  # the README's own sample: 51 characters, and published
        text = (d / "secrets.toml").read_text(encoding="utf-8")
        sample = "…chuỗi ngẫu nhiên dài, giống nhau trên mọi máy chủ…"
        (d / "secrets.toml").write_text(text.replace(COOKIE, sample), encoding="utf-8")
    proc = _check(config)
    assert proc.returncode == 2, proc.stdout
    line = _line(proc.stdout, item)
    assert line.startswith("✗") and words in line, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "Invalid" not in line and "at line" not in line  # the TOML reader's own English stays out


def test_the_server_refuses_to_start_on_a_cross_with_the_same_lines(tmp_path):
    config = _province(tmp_path, redirect="http://localhost:8501/oauth2callback")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NQ71_")}
    env["NQ71_CONFIG"] = str(config)
    proc = subprocess.run(
        [sys.executable, "-m", "ui.serve", "--server.port", "0", "--server.headless", "true"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "✗ Bí mật: đăng nhập: redirect_uri không khớp địa chỉ công khai" in proc.stderr
    assert proc.stderr.strip().endswith("máy chủ không khởi động khi còn lỗi.")
    serve = subprocess.run([sys.executable, "-m", "deploy", "serve"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert serve.returncode == 2 and "✗ Bí mật: đăng nhập" in serve.stdout


def test_paths_in_the_province_file_are_read_against_its_folder(tmp_path, monkeypatch):
    config = _province(tmp_path)
    monkeypatch.setenv("NQ71_CONFIG", str(config))
    monkeypatch.delenv("NQ71_USERS", raising=False)
    monkeypatch.delenv("NQ71_ROSTER", raising=False)
    catalog.settings.cache_clear()
    try:
        assert catalog.users_path() == config.parent / "nguoi_dung.csv"
        assert catalog.roster_path() == config.parent / "danh_sach_bao_cao.csv"
        assert catalog.settings()["database"] == str(tmp_path / "var" / "nq71.duckdb")
        assert catalog.settings()["reporting_year"] == 2026  # keys it does not set come from deployment.toml
    finally:
        monkeypatch.delenv("NQ71_CONFIG")
        catalog.settings.cache_clear()


def test_systemd_units_are_valid(tmp_path):
    """systemd-analyze verify on the shipped units, their /opt/nq71 pointed at this checkout."""
    if not shutil.which("systemd-analyze"):
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is missing (Debian's systemd package)")
        pytest.skip("systemd-analyze not installed (apt-get install systemd)")
    out = tmp_path / "units"
    out.mkdir()
    for unit in (ROOT / "deploy/systemd").iterdir():
        (out / unit.name).write_text(unit.read_text(encoding="utf-8").replace("/opt/nq71", str(ROOT)), encoding="utf-8")
    names = sorted(p.name for p in out.iterdir() if "@" not in p.name)
    assert {"nq71.service", "nq71-refresh.timer", "nq71-backup.timer"} <= set(names)
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=out, capture_output=True, text=True)
    assert proc.returncode == 0 and "Unknown" not in proc.stderr, proc.stderr  # an unknown key or section fails


# ---- backup: the whole state -------------------------------------------------------------------


@pytest.fixture
def deployed(tmp_path, monkeypatch):
    """A database with one import, a users file and audit entries, under a province's configuration."""
    from data_sources.load.ingest import ingest_paths

    config = _province(tmp_path)
    monkeypatch.setenv("NQ71_CONFIG", str(config))
    for var in ("NQ71_USERS", "NQ71_ROSTER", "NQ71_UNITS", "NQ71_SCHOOLS"):
        monkeypatch.delenv(var, raising=False)
    catalog.settings.cache_clear()
    db = tmp_path / "var" / "nq71.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    audit.record(db, "quantri@sogddt.example.vn", "quan_tri", "nhap_tep", file="progress_small.csv")
    yield config, db
    catalog.settings.cache_clear()


def _state(db, users):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT * FROM mart.observations ORDER BY ALL").fetchall()
    finally:
        con.close()
    return rows, users.read_text(encoding="utf-8"), [e["action"] for e in audit.events(db)]


def test_backup_holds_everything_and_restore_puts_it_back(deployed, tmp_path):
    config, db = deployed
    users = config.parent / "nguoi_dung.csv"
    before = _state(db, users)
    proc = run_cli("data_sources", "backup")  # no --db, no --out: the configuration says both
    archive = next((tmp_path / "backups").glob("nq71-*.tar"))
    assert str(archive) in proc.stdout
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "database.duckdb", "users.csv", "audit.jsonl", "config/tinh.toml"} <= names
    assert not any("secret" in n for n in names)
    # the state changes after the backup: another admin, another import
    with open(users, "a", encoding="utf-8") as f:
        f.write("moi@sogddt.example.vn,quan_tri,,Người mới\n")
    run_cli(
        "data_sources", "ingest", str(FIXTURES / "progress_small.csv"), "--db", str(db), "--seen-at", "11/07/2026 09:00"
    )
    audit.record(db, "moi@sogddt.example.vn", "quan_tri", "sua_nguoi_dung")
    out = run_cli("data_sources", "restore", "--from", str(archive), "--config-to", str(tmp_path / "cau_hinh"))
    rows, text, actions = _state(db, users)
    assert (rows, text) == before[:2]
    assert actions == ["khoi_phuc", *before[2]]  # the audit log as backed up, and the restore on top
    assert (tmp_path / "cau_hinh" / "tinh.toml").read_text(encoding="utf-8") == config.read_text(encoding="utf-8")
    assert list(config.parent.glob("nguoi_dung.csv.truoc-khoi-phuc-*"))  # what it replaced is kept
    assert "Người dùng: đã đặt lại" in out.stdout


@pytest.mark.parametrize("damage", ["truncated", "tampered", "foreign_db", "text"])
def test_restore_refuses_a_damaged_or_foreign_file_in_vietnamese_and_writes_nothing(deployed, tmp_path, damage):
    import duckdb

    config, db = deployed
    users = config.parent / "nguoi_dung.csv"
    run_cli("data_sources", "backup", "--out", str(tmp_path / "b.tar"))
    before = _state(db, users)
    bad = tmp_path / f"{damage}.bin"
    good = (tmp_path / "b.tar").read_bytes()
    if damage == "truncated":
        bad.write_bytes(good[: len(good) // 2])
    elif damage == "tampered":
        with tarfile.open(tmp_path / "b.tar") as src, tarfile.open(bad, "w") as dst:
            for m in src.getmembers():
                data = src.extractfile(m).read()
                if m.name == "users.csv":
                    data = data.replace(b"quantri@", b"quantrj@")  # same size, other bytes
                import io

                dst.addfile(m, io.BytesIO(data))
    elif damage == "foreign_db":
        duckdb.connect(str(bad)).execute("CREATE TABLE t AS SELECT 1 AS a").close()
    else:
        bad.write_text("không phải bản sao lưu", encoding="utf-8")
    versions = sorted((db.parent / "nq71.duckdb.versions").glob("*.duckdb"))
    proc = run_cli("data_sources", "restore", "--from", str(bad), check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("Lỗi: ") and "Chưa khôi phục gì" in proc.stderr
    for english in ("IOException", "Traceback", "Error:", "duckdb"):
        assert english not in proc.stderr
    assert _state(db, users) == before
    assert sorted((db.parent / "nq71.duckdb.versions").glob("*.duckdb")) == versions


def test_refresh_and_backup_of_a_database_that_does_not_exist_exit_2(tmp_path):
    for cmd in (("refresh",), ("backup", "--out", str(tmp_path / "x.tar"))):
        proc = run_cli("data_sources", *cmd, "--db", str(tmp_path / "khong_co.duckdb"), check=False)
        assert proc.returncode == 2 and "không thấy cơ sở dữ liệu" in proc.stderr, proc.stdout + proc.stderr
        assert not (tmp_path / "khong_co.duckdb").exists()


def test_every_test_the_threat_model_cites_exists():
    """SECURITY.md names the test behind each protection: each must exist, or the table lies."""
    import ast
    import re

    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(test_\w+\.py)(?:::(\w+))?`", text)
    assert len(cited) >= 10
    for module, name in cited:
        path = ROOT / "tests" / module
        assert path.exists(), module
        if name:
            names = {
                n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)
            }
            assert name in names, f"{module}::{name}"
