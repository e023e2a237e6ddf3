"""Check a province's configuration before the first start: ``python -m deploy check``.

One line per item, in Vietnamese: ✓ (fine), ⚠ (works, with a limit the administrator should know) or
✗ (would break the service), each ✗ and ⚠ with what to do. ``python -m deploy serve`` (``make serve``)
and ``python -m ui.serve`` under ``NQ71_CONFIG`` run the same checks and refuse to start on a ✗.

Nothing here reaches the network: the identity provider and Google are checked as far as their
settings and keys can be read on this machine (a key that does not parse, a redirect address that
does not match the public address), not by calling them.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from core import catalog

OK, WARN, FAIL = "✓", "⚠", "✗"
MIN_FREE_BYTES = 1 << 30  # 1 GiB: a national import and its three kept versions need a few hundred MB
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
EXAMPLE_SECRETS = ("...", "…", "a long random string, the same on every server process")
USER_COLUMNS = ("email", "vai_tro", "don_vi", "ho_ten")


@dataclass(frozen=True)
class Check:
    mark: str  # OK, WARN or FAIL
    item: str  # what was checked, e.g. «Bí mật: đăng nhập»
    detail: str  # what was found and, for WARN and FAIL, what to do

    @property
    def line(self) -> str:
        return f"{self.mark} {self.item}: {self.detail}"


def _looks_like_example(value: str) -> bool:
    """A value copied from a template or the README (`…`, `...`, words with spaces): a published cookie
    secret lets anyone sign a cookie for any e-mail."""
    v = value.strip()
    return v in EXAMPLE_SECRETS or "…" in v or "..." in v or (" " in v and not v.startswith("http"))


def _public_url(s: dict) -> str:
    return str(s.get("public_url") or "").strip().rstrip("/")


def redirect_uri(s: dict) -> str:
    """The sign-in callback that follows from the public address (Streamlit serves /oauth2callback)."""
    return f"{_public_url(s)}/oauth2callback"


def secrets_path(s: dict) -> Path:
    return Path(s["secrets"]) if s.get("secrets") else catalog.ROOT / ".streamlit" / "secrets.toml"


def _config(s: dict) -> list[Check]:
    own = catalog.config_path()
    if own is None:
        return [Check(WARN, "Tệp cấu hình", "không đặt NQ71_CONFIG: dùng catalog/deployment.toml của mã nguồn "
                      "(chép deploy/templates/tinh.toml ra ngoài thư mục mã, sửa, rồi make serve CONFIG=<tệp>)")]  # fmt: skip
    return [Check(OK, "Tệp cấu hình", str(own))]


def _province(s: dict) -> list[Check]:
    from data_sources.parse.units import official_wards

    try:
        n = len(official_wards(int(s["province"])))
    except (KeyError, TypeError, ValueError):
        return [Check(FAIL, "Tỉnh", f"mã tỉnh «{s.get('province')}» không có trong danh mục 34 tỉnh, thành phố; "
                      "sửa province (66 Đắk Lắk, 24 Bắc Ninh…)")]  # fmt: skip
    return [Check(OK, "Tỉnh", f"mã {s['province']}, {n} xã/phường")]


def _address(s: dict) -> list[Check]:
    url = _public_url(s)
    parts = urlsplit(url)
    if not url or parts.scheme not in ("http", "https") or not parts.hostname:
        return [Check(FAIL, "Địa chỉ công khai", f"public_url «{url}» không phải địa chỉ web; ghi địa chỉ người dùng "
                      "gõ vào trình duyệt, ví dụ public_url = \"https://nq71.sogddt.example.vn\"")]  # fmt: skip
    if parts.path not in ("", "/"):
        return [Check(FAIL, "Địa chỉ công khai", f"«{url}» có đường dẫn con; bảng điều khiển phải ở gốc tên miền")]
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1"):
        return [Check(WARN, "Địa chỉ công khai", f"{url}: http không mã hóa, mật khẩu và cookie đi dạng rõ; "
                      "dùng https (tls_cert, hoặc máy chủ web phía trước)")]  # fmt: skip
    if parts.scheme == "https" and not s.get("tls_cert"):
        return [Check(WARN, "Địa chỉ công khai", f"{url}: https nhưng không đặt tls_cert: máy chủ web phía trước "
                      "phải giữ chứng chỉ và chuyển tiếp tới cổng " + str(s.get("port") or 8501))]  # fmt: skip
    return [Check(OK, "Địa chỉ công khai", url)]


def _secrets(s: dict) -> list[Check]:
    path = secrets_path(s)
    try:
        with open(path, "rb") as f:
            sec = tomllib.load(f)
    except FileNotFoundError:
        sec = None
    except (tomllib.TOMLDecodeError, OSError) as e:
        return [Check(FAIL, "Bí mật", f"không đọc được {path} ({type(e).__name__}); sửa theo "
                      ".streamlit/secrets.toml.example")]  # fmt: skip
    out = []
    auth = (sec or {}).get("auth") or {}
    if not auth:
        if os.environ.get("NQ71_ALLOW_NO_LOGIN") == "1":
            out.append(Check(WARN, "Bí mật: đăng nhập", "không có [auth]; NQ71_ALLOW_NO_LOGIN=1: ai mở được địa chỉ "
                             "là xem được số liệu (chỉ dùng trong mạng nội bộ)"))  # fmt: skip
        else:
            where = str(path) if sec is not None else f"{path} (chưa có tệp)"
            out.append(Check(FAIL, "Bí mật: đăng nhập", f"thiếu mục [auth] trong {where}: máy chủ sẽ không mở dữ liệu "
                             "thật. Chép .streamlit/secrets.toml.example, điền client_id, client_secret, "
                             "cookie_secret, server_metadata_url"))  # fmt: skip
    else:
        missing = [k for k in AUTH_KEYS if not str(auth.get(k) or "").strip()]
        example = [k for k in AUTH_KEYS if _looks_like_example(str(auth.get(k) or ""))]
        want = redirect_uri(s)
        if missing or example:
            out.append(Check(FAIL, "Bí mật: đăng nhập", f"[auth] trong {path} thiếu hoặc còn giá trị mẫu: "
                             f"{', '.join(missing + example)}"))  # fmt: skip
        elif len(str(auth["cookie_secret"])) < 32:
            out.append(Check(FAIL, "Bí mật: đăng nhập", "cookie_secret ngắn hơn 32 ký tự; tạo bằng: python -c "
                             "\"import secrets; print(secrets.token_urlsafe(32))\""))  # fmt: skip
        elif _public_url(s) and str(auth["redirect_uri"]).rstrip("/") != want:
            out.append(Check(FAIL, "Bí mật: đăng nhập", f"redirect_uri không khớp địa chỉ công khai; ghi "
                             f"redirect_uri = \"{want}\" trong {path} và khai đúng địa chỉ đó ở nhà cung cấp "
                             "đăng nhập (Google: Authorized redirect URIs)"))  # fmt: skip
        elif urlsplit(str(auth["server_metadata_url"])).scheme not in ("http", "https"):
            out.append(Check(FAIL, "Bí mật: đăng nhập", "server_metadata_url không phải địa chỉ web (…/.well-known/"
                             "openid-configuration)"))  # fmt: skip
        else:
            out.append(Check(OK, "Bí mật: đăng nhập", f"[auth] đủ, redirect_uri = {auth['redirect_uri']}"))
    out.append(_google_key(sec or {}))
    return out


def _google_key(sec: dict) -> Check:
    from google.oauth2 import service_account

    info, where = sec.get("gcp_service_account"), "[gcp_service_account] trong tệp bí mật"
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not info and env:
        where = f"GOOGLE_APPLICATION_CREDENTIALS ({env})"
        try:
            import json

            info = json.loads(Path(env).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            return Check(FAIL, "Khóa Google", f"không đọc được {where}: {type(e).__name__}; tải lại tệp khóa JSON")
    if not info:
        return Check(WARN, "Khóa Google", "chưa có khóa tài khoản dịch vụ: không làm mới được Google Sheets, chỉ "
                     "nhập tệp (thêm [gcp_service_account] vào tệp bí mật khi cần)")  # fmt: skip
    try:
        creds = service_account.Credentials.from_service_account_info(dict(info))
    except (ValueError, KeyError, TypeError):
        return Check(FAIL, "Khóa Google", f"{where} không phải khóa hợp lệ (private_key hỏng hoặc thiếu trường); "
                     "tải lại khóa JSON từ Google Cloud Console và chép nguyên văn")  # fmt: skip
    return Check(OK, "Khóa Google", f"đọc được; chia sẻ từng bảng tính cho {creds.service_account_email}")


def _database(s: dict) -> list[Check]:
    db = Path(s.get("database") or "")
    if not str(db):
        return [Check(FAIL, "Cơ sở dữ liệu", "chưa đặt database")]
    db = catalog.resolve(str(db))
    folder = db.parent
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        return [Check(FAIL, "Cơ sở dữ liệu", f"không ghi được vào {folder}; cấp quyền ghi cho người chạy dịch vụ")]
    free = shutil.disk_usage(probe).free
    gib = f"{free / (1 << 30):.1f}".replace(".", ",")
    if free < MIN_FREE_BYTES:
        return [Check(FAIL, "Cơ sở dữ liệu", f"{folder} chỉ còn {gib} GB trống (cần ít nhất 1 GB); giải phóng ổ đĩa")]
    out = [Check(OK, "Cơ sở dữ liệu", f"{db} (thư mục ghi được, còn {gib} GB trống)")]
    if not db.exists() and not db.is_symlink():
        out.append(Check(WARN, "Số liệu", "chưa có: trang web báo chưa có số liệu cho tới lần nhập đầu tiên "
                         f"(python -m data_sources ingest <tệp> --db {db})"))  # fmt: skip
    else:
        from core.db import readable

        try:
            used, note = readable(db, check=True)
        except FileNotFoundError as e:
            return [*out, Check(FAIL, "Số liệu", f"{e} Khôi phục bản sao lưu: python -m data_sources restore …")]
        out.append(Check(WARN, "Số liệu", note) if note else Check(OK, "Số liệu", f"phiên bản {used.name}"))
    return out


def _users(s: dict) -> list[Check]:
    path = catalog.users_path()
    if not path.exists():
        return [Check(FAIL, "Người dùng", f"không thấy {path}; chép deploy/templates/nguoi_dung.csv và ghi email "
                      "của quản trị viên đầu tiên")]  # fmt: skip
    roles = catalog.roles()
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in USER_COLUMNS if c not in (reader.fieldnames or [])]
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as e:
        return [Check(FAIL, "Người dùng", f"{path} không đọc được ({type(e).__name__}); lưu lại dạng CSV UTF-8")]
    if missing:
        return [Check(FAIL, "Người dùng", f"{path} thiếu cột {', '.join(missing)} (cột: {', '.join(USER_COLUMNS)})")]
    bad = [
        f"dòng {i}: vai trò «{r['vai_tro']}»"
        for i, r in enumerate(rows, start=2)
        if (r.get("email") or "").strip() and (r.get("vai_tro") or "").strip() not in roles
    ]
    if bad:
        known = ", ".join(roles)
        return [Check(FAIL, "Người dùng", f"{path}: {'; '.join(bad[:5])} không có (vai trò: {known})")]
    admins = [r for r in rows if (r.get("vai_tro") or "").strip() == "quan_tri"]
    if not admins:
        return [Check(FAIL, "Người dùng", f"{path} không có ai vai trò quan_tri: không ai sửa được người dùng")]
    return [Check(OK, "Người dùng", f"{path}: {len(rows)} người, {len(admins)} quản trị")]


def _registers(s: dict) -> list[Check]:
    out = []
    try:
        units = catalog.unit_registry()
        out.append(Check(OK, "Danh mục đơn vị khác", f"{catalog.registry_path()}: {len(units)} đơn vị"))
    except (ValueError, KeyError, OSError) as e:
        out.append(Check(FAIL, "Danh mục đơn vị khác", str(e)))
    try:
        from data_sources.load.ingest import _roster

        n = len(_roster())
        out.append(Check(OK, "Danh sách phải báo cáo", f"{catalog.roster_path()}: {n} dòng"))
    except (ValueError, KeyError, OSError) as e:
        out.append(Check(FAIL, "Danh sách phải báo cáo", str(e)))
    schools = str(s.get("schools") or "")
    if not schools:
        out.append(Check(OK, "Danh mục trường", "không dùng (chỉ xã/phường và danh mục đơn vị)"))
    else:
        from data_sources.parse.units import read_schools

        path = catalog.resolve(schools)
        try:
            n = len(read_schools(path))
            out.append(Check(OK, "Danh mục trường", f"{path}: {n} trường"))
        except (ValueError, OSError, UnicodeDecodeError) as e:
            out.append(Check(FAIL, "Danh mục trường", f"{path}: {e}"))
    return out


def _tools(s: dict) -> list[Check]:
    out = []
    if shutil.which("soffice") or shutil.which("libreoffice"):
        out.append(Check(OK, "LibreOffice (PDF)", "có"))
    else:
        out.append(Check(WARN, "LibreOffice (PDF)", "không có: báo cáo định kỳ chỉ tải được Word, không có PDF "
                         "(apt-get install libreoffice-writer-nogui fonts-liberation2)"))  # fmt: skip
    workers, cert = int(s.get("workers") or 1), str(s.get("tls_cert") or "")
    front = s.get("front", True) is not False  # false: a second host, workers only (README «Hai máy chủ»)
    if front and (workers > 1 or cert or s.get("servers")):
        from deploy.cluster import haproxy_bin

        why = "HTTPS (tls_cert)" if cert else f"{workers} tiến trình" if workers > 1 else "máy chủ khác"
        if haproxy_bin() is None:
            out.append(Check(FAIL, "haproxy", f"cần cho {why} mà chưa cài: apt-get install haproxy"))
        else:
            out.append(Check(OK, "haproxy", f"có ({why})"))
    if cert:
        out.append(_certificate(Path(cert)))
    out += _two_hosts(s)
    return out


def _two_hosts(s: dict) -> list[Check]:
    """README «Hai máy chủ»: where the writer ships (rsync), and the other host's workers haproxy balances."""
    out = []
    ship_to = [str(d) for d in s.get("ship_to") or []]
    if ship_to:
        bad = [d for d in ship_to if not (d.startswith("rsync://") or "::" in d)]
        if bad:
            out.append(Check(FAIL, "Gửi sang máy khác", f"«{bad[0]}» không phải nơi nhận rsync: rsync://MÁY/MODULE"))
        elif shutil.which("rsync") is None:
            out.append(Check(FAIL, "Gửi sang máy khác", "cần rsync mà chưa cài: apt-get install rsync"))
        else:
            out.append(Check(OK, "Gửi sang máy khác", ", ".join(ship_to)))
    servers = [str(x) for x in s.get("servers") or []]
    if servers:
        bad = [x for x in servers if not re.fullmatch(r"[\w.:\[\]-]+:\d{1,5}", x)]
        if bad:
            out.append(Check(FAIL, "Tiến trình máy khác", f"«{bad[0]}» phải có dạng MÁY:CỔNG, ví dụ 10.0.0.2:8601"))
        else:
            out.append(Check(OK, "Tiến trình máy khác", f"haproxy chia tải cùng {', '.join(servers)}"))
    if (ship_to or servers or s.get("front", True) is False) and not _shared_link_key():
        out.append(Check(FAIL, "Khóa đường dẫn: hai máy", "mỗi máy sẽ tự tạo khóa riêng, nên đường dẫn riêng một máy "
                         "cấp thì máy kia không mở: đặt [lien_ket] secret (cùng giá trị) trong tệp bí mật của cả hai máy, "
                         "hoặc NQ71_LINK_SECRET"))  # fmt: skip
    if s.get("front", True) is False and not s.get("first_worker_port"):
        out.append(Check(FAIL, "Máy thứ hai", "front = false cần first_worker_port (cổng cố định mà máy kia gọi tới)"))
    return out


def _shared_link_key() -> bool:
    """The personal links' key comes from the configuration (the same on every host), not a file one host made."""
    from core import links

    try:
        return bool(os.environ.get("NQ71_LINK_SECRET") or links._from_secrets_note())
    except links.LinkError:
        return True  # a key too short: the «Khóa đường dẫn» line already says so


def _certificate(path: Path) -> Check:
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as e:
        return Check(FAIL, "Chứng chỉ HTTPS", f"không đọc được {path} ({type(e).__name__}); cấp quyền đọc cho dịch vụ")
    has_cert = "-----BEGIN CERTIFICATE-----" in text
    has_key = "PRIVATE KEY-----" in text
    if not (has_cert and has_key):
        return Check(FAIL, "Chứng chỉ HTTPS", f"{path} phải chứa cả chứng chỉ và khóa riêng (PEM, nối liền: "
                     "cat fullchain.pem privkey.pem > nq71.pem)")  # fmt: skip
    return Check(OK, "Chứng chỉ HTTPS", str(path))


def _limits(s: dict) -> list[Check]:
    """The import's limits ([gioi_han]): each a positive whole number (a wrong one would stop every import)."""
    from data_sources.read.limits import Limits
    from data_sources.read.readers import ReadError

    try:
        lim = Limits.current()
    except ReadError as e:
        return [Check(FAIL, "Giới hạn nhập", str(e))]
    return [
        Check(
            OK,
            "Giới hạn nhập",
            f"tệp tối đa {lim.file_mb} MB, giải nén tối đa {lim.member_mb} MB mỗi phần và {lim.total_mb} MB cả tệp, "
            f"{lim.cells_per_tab:,} ô mỗi trang, {lim.chars_per_cell:,} ký tự mỗi ô".replace(",", "."),
        )
    ]


def _links(s: dict) -> list[Check]:
    """The personal links: the address they carry (a phiếu printed with localhost is a dead link), their key,
    and the time zone their deadlines are judged in."""
    import time as _time

    from core import links

    out = []
    where = links.address()
    if "localhost" in where or "127.0.0.1" in where:
        out.append(Check(WARN, "Đường dẫn riêng", f"đường dẫn, mã QR và thư nhắc sẽ trỏ về {where}, chỉ mở được trên "
                                                  "chính máy chủ: đặt public_url (hoặc [lien_ket] dia_chi) là địa chỉ "
                                                  "các đơn vị mở được trước khi in phiếu, gửi thư"))  # fmt: skip
    else:
        out.append(Check(OK, "Đường dẫn riêng", f"{where}/nop-bao-cao?t=…"))
    try:
        out.append(Check(OK, "Khóa đường dẫn", links.key_status(catalog.resolve(s.get("database") or "data/x.duckdb"))))
    except links.LinkError as e:
        out.append(Check(FAIL, "Khóa đường dẫn", str(e)))
    offset = -_time.altzone if _time.daylight and _time.localtime().tm_isdst else -_time.timezone
    if offset != 7 * 3600:
        out.append(Check(WARN, "Múi giờ", f"máy chủ đang ở UTC{offset / 3600:+.0f}: thời điểm nhận báo cáo, hạn và ngày "
                                          "hết hạn của đường dẫn tính theo giờ máy chủ; đặt TZ=Asia/Ho_Chi_Minh "
                                          "(deploy/systemd đã đặt)"))  # fmt: skip
    return out


def run_checks() -> list[Check]:
    """Every check of the configuration in force (catalog.settings()), in the order they are printed."""
    try:
        catalog.settings.cache_clear()
        s = catalog.settings()
    except (ValueError, OSError) as e:
        return [Check(FAIL, "Tệp cấu hình", str(e))]
    out: list[Check] = []
    for part in (_config, _province, _address, _links, _secrets, _database, _users, _registers, _limits, _tools):
        out += part(s)
    return out


def report(checks: list[Check]) -> str:
    fails = sum(c.mark == FAIL for c in checks)
    warns = sum(c.mark == WARN for c in checks)
    head = "Kiểm tra cấu hình bảng điều khiển NQ71"
    tail = (
        f"Có {fails} lỗi (✗): sửa rồi chạy lại python -m deploy check; máy chủ không khởi động khi còn lỗi."
        if fails
        else f"Sẵn sàng chạy ({warns} lưu ý ⚠)."
        if warns
        else "Sẵn sàng chạy."
    )
    return "\n".join([head, *(c.line for c in checks), tail])


def failed(checks: list[Check]) -> bool:
    return any(c.mark == FAIL for c in checks)
