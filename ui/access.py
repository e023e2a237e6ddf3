"""Who is looking, what they may see and do. Deny by default.

Sign-in is Streamlit's own OpenID Connect (``st.login`` / ``st.user`` /
``st.logout``), configured by the ``[auth]`` section of
``.streamlit/secrets.toml``. The person's e-mail is looked up in the users
file (CSV: ``email,vai_tro,don_vi,ho_ten``); the role (``catalog/roles.csv``)
says which pages and actions they have, and ``don_vi`` which units they see
(a xã/phường brings its schools). Nobody in the file sees no data.

With no ``[auth]`` configured the dashboard runs in demo mode: no sign-in,
every unit, every action, and a "Dữ liệu mẫu" banner. That mode refuses a
real (non-demo) database unless ``NQ71_ALLOW_NO_LOGIN=1`` says so.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from core import audit, catalog, fmt, links, signouts
from queries import Scope
from ui import data
from ui.text import plain

DEMO_USERS = "catalog/demo/nguoi_dung.csv"
USER_COLUMNS = ["email", "vai_tro", "don_vi", "ho_ten"]
USER_HEADS = {  # the users file's columns as the Người dùng page heads them
    "email": "Thư điện tử",
    "vai_tro": "Vai trò",
    "don_vi": "Mã đơn vị được xem (vai trò Đơn vị; nhiều mã cách nhau bằng dấu cách)",
    "ho_ten": "Họ tên / đơn vị",
}
ACTION_WORDS = catalog.action_words()  # catalog/thao_tac.csv: one place for every action's words


class Denied(PermissionError):
    """A write the viewer's role does not allow (checked on the server, whatever the page shows)."""


@dataclass(frozen=True)
class Viewer:
    email: str | None
    name: str
    role: str | None  # None: signed in but not in the users file
    scope: Scope = field(default_factory=Scope.everything)
    demo: bool = False

    def can(self, action: str) -> bool:
        return self.role is not None and action in catalog.roles()[self.role].actions

    def sees(self, page: str) -> bool:
        return self.role is not None and page in catalog.roles()[self.role].pages

    @property
    def role_label(self) -> str:
        return catalog.roles()[self.role].label if self.role else "chưa được cấp quyền"


def auth_configured() -> bool:
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all
        return False
    return bool(auth and auth.get("redirect_uri") and auth.get("cookie_secret"))


def no_login_allowed() -> bool:
    """Demo mode on a real database only when an administrator says so explicitly."""
    return data.is_demo() or os.environ.get("NQ71_ALLOW_NO_LOGIN") == "1"


def users_path() -> Path:
    return catalog.users_path()


def read_users(path: Path | None = None) -> list[dict[str, str]]:
    path = path or users_path()
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]
    return [r for r in rows if r.get("email")]


def write_users(rows: list[dict[str, str]], path: Path | None = None) -> None:
    """Replace the users file atomically (a reader never sees half a file)."""
    path = path or users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=USER_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)


def unit_scope(codes: list[str]) -> Scope:
    """The listed units and, for a xã/phường, the schools in it."""
    ward_of = data.lookups().get("ward_of", {})
    wanted = set(codes)
    return Scope.of(wanted | {school for school, ward in ward_of.items() if ward in wanted})


def viewer_for(email: str | None, name: str = "") -> Viewer:
    """The viewer a signed-in e-mail is: its role and scope from the users file, or no access."""
    if not email:
        return Viewer(None, name, None, Scope.of([]))
    entry = next((r for r in read_users() if r["email"].lower() == email.lower()), None)
    if entry is None or entry["vai_tro"] not in catalog.roles():
        return Viewer(email, name or email, None, Scope.of([]))
    role = catalog.roles()[entry["vai_tro"]]
    codes = [c for c in entry.get("don_vi", "").replace(";", " ").replace(",", " ").split() if c]
    scope = Scope.everything() if role.all_units else unit_scope(codes)
    return Viewer(email, entry.get("ho_ten") or name or email, role.code, scope)


def current() -> Viewer:
    """The person using this session. Demo mode: the demo's administrator (every unit, every action)."""
    if not auth_configured():
        if no_login_allowed():
            return Viewer(None, "Dữ liệu mẫu (demo)", "quan_tri", Scope.everything(), demo=True)
        return Viewer(None, "", None, Scope.of([]))
    if not st.user.is_logged_in or session_ended() is not None:
        return Viewer(None, "", None, Scope.of([]))
    return viewer_for(st.user.get("email"), st.user.get("name") or "")


def session_hours() -> float:
    return float(os.environ.get("NQ71_SESSION_HOURS") or catalog.settings().get("session_hours") or 12)


def session_ended(now: float | None = None) -> str | None:
    """Why the signed-in cookie of this browser no longer counts, or None. Its sign-in time is the ID
    token's ``iat`` (Streamlit keeps the token's claims in its signed cookie): older than the person's
    last sign-out (a cookie copied before it), or than ``session_hours``."""
    iat = st.user.get("iat")
    if not isinstance(iat, int | float):  # OpenID Connect requires it; without it no limit could hold
        return "Lần đăng nhập này không ghi thời điểm đăng nhập. Hãy đăng nhập lại."
    now = time.time() if now is None else now
    out = signouts.last(data.db_path(), st.user.get("email") or "")
    if out is not None and iat <= out:
        return "Phiên này đã đăng xuất. Hãy đăng nhập lại."
    if now - iat > session_hours() * 3600:
        return f"Phiên đăng nhập đã quá {fmt.number(session_hours())} giờ. Hãy đăng nhập lại."
    return None


def sign_out() -> None:
    """«Đăng xuất»: every copy of this sign-in's cookie stops counting (``core/signouts.py``), then
    Streamlit's own sign-out (this browser's cookie, the provider's session)."""
    email = st.user.get("email") if st.user.is_logged_in else None
    if email:
        signouts.record(data.db_path(), email)
        audit.record(data.db_path(), email, None, "dang_xuat")
    st.logout()


def require(action: str) -> Viewer:
    """The viewer, if their role allows ``action``; else Denied (the write never runs), recorded."""
    v = current()
    if not v.can(action):
        refuse(
            v,
            action,
            f"Tài khoản {v.email or 'này'} ({v.role_label}) không có quyền {ACTION_WORDS.get(action, action)}. "
            "Liên hệ quản trị viên nếu cần.",
        )
    return v


def refuse(v: Viewer, action: str, reason: str, **detail) -> None:
    """Write the refusal to the audit log (who, role, what was asked, why, on what) and raise Denied."""
    audit.record(
        data.db_path(),
        v.email or "(chưa đăng nhập)",
        v.role,
        "khong_duoc_phep",
        thao_tac=action,
        ly_do=reason,
        **detail,
    )
    raise Denied(reason)


def audit_events():
    """The audit log, newest first, as a table (administrators' page)."""
    import pandas as pd

    rows = audit.events(data.db_path())
    return pd.DataFrame(rows, columns=["at", "who", "role", "action", "detail"])


def role_word(role: str | None) -> str:
    """A role in words («Quản trị»); a record written by the command line has none."""
    roles = catalog.roles()
    return roles[role].label if role in roles else "—"


def record(v: Viewer, action: str, **detail) -> None:
    audit.record(data.db_path(), v.email or "(dữ liệu mẫu)", v.role, action, **detail)


def refused_page(page: st.Page, v: Viewer) -> st.Page:
    """``page``'s address in ``v``'s navigation, hidden from the menu, saying in Vietnamese that the
    account may not see it (``page``'s own file never runs): a copied or typed link to a page of
    another role meets this message, not Streamlit's English "Page not found" dialog."""
    title = page.title

    def refused() -> None:
        st.title(title)
        st.warning(
            f"Tài khoản {v.email or 'này'} ({v.role_label}) không có quyền xem trang «{title}». "
            "Hãy chọn một trang ở thanh bên, hoặc liên hệ quản trị viên nếu cần xem trang này.",
            icon=":material/lock:",
        )

    return st.Page(refused, title=title, icon=":material/lock:", url_path=page.url_path or None, visibility="hidden")


def alias_page(target: st.Page, url_path: str) -> st.Page:
    """A hidden address that opens ``target`` with the same filters (the default page, whatever
    its ``url_path`` says, is served at "/" only: its own name would otherwise be "Page not found")."""

    def forward() -> None:
        st.switch_page(target, query_params=st.query_params.to_dict())

    return st.Page(forward, title=target.title, url_path=url_path, visibility="hidden")


def gate() -> Viewer:
    """Draw the sign-in page, the no-access page or the refusal, and stop; else the viewer."""
    if not auth_configured() and not no_login_allowed():
        st.error(
            "Chưa cấu hình đăng nhập ([auth] trong .streamlit/secrets.toml) mà cơ sở dữ liệu là dữ liệu thật: "
            "bảng điều khiển không mở khi không có đăng nhập. Quản trị viên cấu hình đăng nhập "
            "(xem README, mục Đăng nhập), hoặc đặt NQ71_ALLOW_NO_LOGIN=1 nếu chỉ dùng trong mạng nội bộ.",
            icon=":material/lock:",
        )
        st.stop()
    v = current()
    if v.demo:
        return v
    if not st.user.is_logged_in or (ended := session_ended()) is not None:
        st.title("Theo dõi truyền thông Nghị quyết 71-NQ/TW")
        if st.user.is_logged_in and ended:
            st.info(ended, icon=":material/schedule:")
        st.markdown("Đăng nhập bằng tài khoản công vụ (Google Workspace hoặc Microsoft) để xem số liệu.")
        st.button("Đăng nhập", type="primary", on_click=st.login, key="login", icon=":material/login:")
        st.stop()
    if v.role is None:
        contact = catalog.settings().get("lien_he_quan_tri") or "quản trị viên của Sở GDĐT"
        st.title("Chưa được cấp quyền xem")
        st.warning(
            "Tài khoản dưới đây đã đăng nhập nhưng chưa có trong danh sách người dùng của bảng điều khiển. "
            f"Hãy gửi địa chỉ thư điện tử này và tên đơn vị của bạn cho {contact} để được cấp quyền.",
            icon=":material/person_off:",
        )
        st.code(v.email, language=None)  # the address as text (never a link), with a copy button
        st.button("Đăng xuất", on_click=sign_out, key="logout_denied")
        st.stop()
    return v


LINK_KEY = "personal_link"  # session state: (grant, token) of the personal link this run opened


def current_link() -> tuple[links.Grant, str] | None:
    """The personal link this run was opened with (set by :func:`link_mode`), or None."""
    return st.session_state.get(LINK_KEY)


def link_mode(pages: dict[str, st.Page], form: str) -> st.Page | None:
    """An address carrying a personal link (``?t=``) opens the unit's form and nothing else: the token is
    checked (``core.links``) on every run; a wrong, expired or replaced one opens nothing and says why (and
    stops). Every other page's address answers that the link opens only the form. Returns the page to run
    (app.py runs it guarded, then stops); None without ``?t=``."""
    token = st.query_params.get("t")
    st.session_state.pop(LINK_KEY, None)
    if token is None:
        return None
    try:
        grant = links.open_link(data.db_path(), token, data.visitor_address())
    except links.LinkError as e:
        st.title("Nộp báo cáo")
        st.error(plain(e), icon=":material/link_off:")
        st.stop()
    st.session_state[LINK_KEY] = (grant, token)
    target = pages[form]

    def only_the_form(page: st.Page) -> st.Page:
        def refused() -> None:
            st.title("Nộp báo cáo")
            st.warning(
                "Đường dẫn riêng của đơn vị chỉ mở biểu mẫu «Nộp báo cáo» của đơn vị đó, không mở trang nào khác "
                "của bảng điều khiển.",
                icon=":material/lock:",
            )
            st.page_link(
                target, label="Mở biểu mẫu Nộp báo cáo", icon=":material/edit_note:", query_params={"t": token}
            )

        return st.Page(refused, title=page.title, url_path=page.url_path or None, visibility="hidden")

    first, *rest = [only_the_form(p) for key, p in pages.items() if key != form]
    return st.navigation([first, target, *rest], position="hidden")
