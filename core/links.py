"""A unit's personal link: the «Nộp báo cáo» form of one unit, one plan, one period, without an account.

The link carries a token signed with the deployment's key (itsdangerous, HMAC-SHA1 over the payload):
``[unit, plan, period, generation]``. It opens nothing else of the dashboard and is valid

- while its signature is the deployment's (a forged or altered token: refused),
- until the period's deadline (``catalog.deadline_of``) plus ``[lien_ket] gia_han_ngay`` days,
- while its generation is the unit's current one: the office revokes a unit's links by issuing a new
  one (``revoke``), which raises the generation in ``<db>.links.json`` (shared by every server process).

Wrong tokens from one address are counted (in this process); after ``sai_toi_da`` within ten minutes a
wrong token from that address waits, longer at each further failure. A token with the right signature always
opens (only a wrong one is slowed), and an unknown address is never counted: behind the product's haproxy the
address is the connection's, set by the proxy (``X-Forwarded-For``, overwritten there).

The key: ``NQ71_LINK_SECRET``, else ``[lien_ket] secret`` in the secrets file, else a random key made
once beside the database (``<db>.link.key``, mode 0600, written whole then linked into place); at least 32
characters wherever it comes from (an empty file is no key). Never logged or shown.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets as _secrets
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer

from core import catalog, fmt, jsonfile
from core.periods import label

SALT = "nq71-lien-ket-rieng"
PAGE = "nop-bao-cao"  # the form's address
WINDOW_S = 600  # wrong tokens counted over ten minutes


class LinkError(PermissionError):
    """A link that opens nothing; the message is for the person holding it (Vietnamese)."""


@dataclass(frozen=True)
class Grant:
    """What a valid link opens: this unit's form for this plan and period, until ``expires`` (inclusive)."""

    unit: str
    plan: str
    period: str
    generation: int
    expires: dt.date


def _settings() -> dict:
    """``[lien_ket]``; the address links carry: ``dia_chi``, else the deployment's ``public_url`` (what a province
    sets for sign-in and haproxy), else the demo's local address."""
    s = catalog.settings()
    own = {"gia_han_ngay": 7, "sai_toi_da": 5} | s.get("lien_ket", {})
    own["dia_chi"] = own.get("dia_chi") or s.get("public_url") or "http://localhost:8501"
    return own


def address() -> str:
    """The public address the links, QR codes and reminder e-mails carry."""
    return str(_settings()["dia_chi"]).rstrip("/")


def _secrets_file() -> Path:
    configured = catalog.settings().get("secrets")
    return Path(configured) if configured else catalog.ROOT / ".streamlit" / "secrets.toml"


KEY_MIN = 32  # characters: a shorter key (an empty file, a careless setting) is no key


class KeyError_(LinkError):
    """The signing key is missing or too short: no link is made or accepted (the administrator fixes it)."""


def _checked(value: str, where: str) -> str:
    value = (value or "").strip()
    if len(value) < KEY_MIN:
        raise KeyError_(
            f"Khóa ký đường dẫn riêng ({where}) trống hoặc quá ngắn (cần ít nhất {KEY_MIN} ký tự): chưa tạo hay nhận "
            "đường dẫn nào. Quản trị viên đặt lại khóa (README, mục Nộp báo cáo trực tuyến)."
        )
    return value


def key_status(db_path: str | Path) -> str:
    """Where the key comes from, for ``deploy check`` (never the key, never creating it); KeyError_ when the
    key in force is too short."""
    if os.environ.get("NQ71_LINK_SECRET"):
        _checked(os.environ["NQ71_LINK_SECRET"], "biến NQ71_LINK_SECRET")
        return "khóa từ biến NQ71_LINK_SECRET"
    if note := _from_secrets_note():
        return note
    path = Path(f"{db_path}.link.key")
    if path.exists():
        _checked(path.read_text(encoding="utf-8"), f"tệp {path.name}")
        return f"khóa trong tệp {path.name} (chỉ tài khoản chạy máy chủ đọc được)"
    return f"chưa có khóa: máy chủ tạo {path.name} lần đầu cần đến (hoặc đặt [lien_ket] secret)"


def _from_secrets_note() -> str:
    f = _secrets_file()
    if not f.exists():
        return ""
    try:
        with open(f, "rb") as fh:
            own = tomllib.load(fh).get("lien_ket", {}).get("secret")
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    if not own:
        return ""
    _checked(str(own), "[lien_ket] secret trong tệp bí mật")
    return "khóa trong tệp bí mật"


def key(db_path: str | Path) -> str:
    """The signing key (see the module's docstring for where it comes from), at least ``KEY_MIN`` characters."""
    if env := os.environ.get("NQ71_LINK_SECRET"):
        return _checked(env, "biến NQ71_LINK_SECRET")
    f = _secrets_file()
    if f.exists():
        try:
            with open(f, "rb") as fh:
                own = tomllib.load(fh).get("lien_ket", {}).get("secret")
        except (OSError, tomllib.TOMLDecodeError):
            own = None
        if own:
            return _checked(str(own), "[lien_ket] secret trong tệp bí mật")
    path = Path(f"{db_path}.link.key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # written whole to a private temporary file, then linked into place: a reader never sees a half-written
        # key, and of two processes starting at once the first link wins and both read it
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{_secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(_secrets.token_urlsafe(48))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    return _checked(path.read_text(encoding="utf-8"), f"tệp {path.name}")


def _serializer(db_path: str | Path) -> URLSafeSerializer:
    return URLSafeSerializer(key(db_path), salt=SALT)


def store_path(db_path: str | Path) -> Path:
    """``<db>.links.json``: each unit's current generation (kept in backups: a restore never revives a
    revoked link)."""
    return Path(f"{db_path}.links.json")


_store = store_path


def generation(db_path: str | Path, unit: str) -> int:
    value = jsonfile.read(_store(db_path)).get("units", {}).get(unit, 0)
    return int(value) if isinstance(value, int) else 0


def expires(plan: str, period: str) -> dt.date:
    return catalog.deadline_of(plan, period) + dt.timedelta(days=int(_settings()["gia_han_ngay"]))


def token(db_path: str | Path, unit: str, plan: str, period: str) -> str:
    """The unit's current token for ``plan`` and ``period``."""
    return str(_serializer(db_path).dumps([unit, plan, period, generation(db_path, unit)]))


def url(db_path: str | Path, unit: str, plan: str, period: str) -> str:
    """The personal link as the unit opens it: ``<dia_chi>/nop-bao-cao?t=<token>``."""
    return f"{address()}/{PAGE}?t={token(db_path, unit, plan, period)}"


def revoke(db_path: str | Path, unit: str, by: str = "") -> int:
    """Every earlier link of ``unit`` stops working; returns the new generation (a new link uses it)."""
    box: list[int] = []

    def bump(data: dict) -> dict:
        units = dict(data.get("units", {}))
        units[unit] = int(units.get(unit, 0)) + 1
        box.append(units[unit])
        history = [*data.get("history", []), {"unit": unit, "generation": units[unit], "by": by, "at": time.time()}]
        return {**data, "units": units, "history": history[-5000:]}

    jsonfile.update(_store(db_path), bump)
    return box[0]


class _Attempts:
    """Wrong tokens per address in this process: after ``limit`` within the window the address waits
    2, 4, 8 … seconds (at most ten minutes) before its next token is checked."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[str, list[float]] = {}

    def wait_left(self, address: str, limit: int, now: float) -> float:
        with self._lock:
            fails = [t for t in self._seen.get(address, []) if now - t < WINDOW_S]
            self._seen[address] = fails
            if len(fails) < limit:
                return 0.0
            wait = min(2.0 ** (len(fails) - limit + 1), WINDOW_S)
            return max(0.0, fails[-1] + wait - now)

    def fail(self, address: str, now: float) -> None:
        with self._lock:
            self._seen.setdefault(address, []).append(now)
            if len(self._seen) > 10000:  # many addresses: keep the newest
                for a in sorted(self._seen, key=lambda a: self._seen[a][-1])[:5000]:
                    del self._seen[a]

    def clear(self, address: str) -> None:
        with self._lock:
            self._seen.pop(address, None)


ATTEMPTS = _Attempts()


def open_link(
    db_path: str | Path, text: str, address: str = "", today: dt.date | None = None, now: float | None = None
) -> Grant:
    """The grant of a token, or :class:`LinkError` saying in Vietnamese why it opens nothing.

    A token with this deployment's signature always opens (whatever others tried from the same address: a
    school's shared address, the proxy): an HMAC signature cannot be guessed, so only wrong tokens are slowed,
    and only from a known address (an unknown one is never a shared bucket that locks every unit out)."""
    now = time.time() if now is None else now
    limit = int(_settings()["sai_toi_da"])
    who = catalog.settings().get("lien_he_quan_tri", "cơ quan chủ trì")
    serializer = _serializer(db_path)  # a missing or short key: KeyError_, before any token is judged
    try:
        payload = serializer.loads((text or "").strip()[:2000])
        unit, plan, period, gen = payload
        if not all(isinstance(x, str) for x in (unit, plan, period)) or not isinstance(gen, int):
            raise BadSignature("payload")
        ends = expires(plan, period)
    except (BadSignature, ValueError, TypeError, KeyError):
        if address:
            if (left := ATTEMPTS.wait_left(address, limit, now)) > 0:
                raise LinkError(
                    f"Đã thử quá nhiều đường dẫn sai từ địa chỉ này. Vui lòng đợi {fmt.number(max(1, round(left)))} "
                    "giây rồi mở lại đúng đường dẫn đơn vị được gửi (sao chép đầy đủ, không bỏ sót ký tự)."
                ) from None
            ATTEMPTS.fail(address, now)
        raise LinkError(
            "Đường dẫn không hợp lệ: có thể đã bị sao chép thiếu hoặc sửa. Hãy mở lại đúng đường dẫn (hoặc quét "
            f"mã QR) đơn vị được gửi; nếu vẫn không được, liên hệ {who}."
        ) from None
    if gen != generation(db_path, unit):
        raise LinkError(
            "Đường dẫn này đã được thay bằng đường dẫn mới (cơ quan chủ trì đã cấp lại). Hãy dùng đường dẫn mới "
            f"nhất đơn vị nhận được, hoặc liên hệ {who}."
        )
    if (today or dt.date.today()) > ends:
        raise LinkError(
            f"Đường dẫn báo cáo {label(period)} đã hết hạn từ ngày {fmt.date(ends + dt.timedelta(days=1))} "
            f"(hạn báo cáo {fmt.date(catalog.deadline_of(plan, period))}, gia hạn đến {fmt.date(ends)}). "
            f"Liên hệ {who} để được cấp đường dẫn mới."
        )
    return Grant(unit, plan, period, gen, ends)
