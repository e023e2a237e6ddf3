"""Entry point: `streamlit run app.py`. Sign-in gate, navigation by role, the shared sidebar, the demo banner."""

import streamlit as st

from ui import access, data, filters, guard, widgets
from ui.serve import disable_legacy_pages_folder
from ui.text import plain

disable_legacy_pages_folder()  # pages/ holds st.navigation pages, not a legacy multipage app (see ui/serve.py)

st.set_page_config(page_title="Theo dõi truyền thông Nghị quyết 71-NQ/TW", page_icon="📊", layout="wide")

PAGES = {
    "tong_quan": st.Page(
        # the default page is served at "/" only; url_path="" reserves no other name, so /tong-quan
        # (an older link) can be an alias of "/" below
        "pages/tong_quan.py",
        title="Tổng quan",
        icon=":material/dashboard:",
        url_path="",
        default=True,
    ),
    "theo_xa_phuong": st.Page(
        "pages/theo_xa_phuong.py",
        title=filters.unit_page_title(),  # «Theo chi bộ» at chi bộ level: the level chosen (link or sidebar)
        icon=":material/location_city:",
        url_path="theo-xa-phuong",
    ),
    "theo_chi_tieu": st.Page(
        "pages/theo_chi_tieu.py", title="Theo chỉ tiêu", icon=":material/flag:", url_path="theo-chi-tieu"
    ),
    "bao_cao": st.Page(
        "pages/bao_cao.py", title="Tình hình báo cáo", icon=":material/inbox:", url_path="tinh-hinh-bao-cao"
    ),
    "bao_cao_dinh_ky": st.Page(
        "pages/bao_cao_dinh_ky.py", title="Báo cáo định kỳ", icon=":material/description:", url_path="bao-cao-dinh-ky"
    ),
    "chat_luong": st.Page(
        "pages/chat_luong.py", title="Chất lượng dữ liệu", icon=":material/rule:", url_path="chat-luong-du-lieu"
    ),
    "nguon_du_lieu": st.Page(
        "pages/nguon_du_lieu.py", title="Nguồn dữ liệu", icon=":material/link:", url_path="nguon-du-lieu"
    ),
    "nguoi_dung": st.Page("pages/nguoi_dung.py", title="Người dùng", icon=":material/group:", url_path="nguoi-dung"),
    "nop_bao_cao": st.Page(
        "pages/nop_bao_cao.py", title="Nộp báo cáo", icon=":material/edit_note:", url_path="nop-bao-cao"
    ),
}
st.html(widgets.page_style())  # tile values wrap rather than end in "…" (ui/widgets.py)
if (link_page := access.link_mode(PAGES, "nop_bao_cao")) is not None:  # a unit's personal link (?t=…)
    with guard.guarded():  # opens its form and nothing else; never a traceback there either
        link_page.run()
    st.stop()
viewer = access.gate()  # sign-in, no-access or refusal pages stop here
# Every role's navigation knows every address, so no link ever meets Streamlit's English "Page not
# found" dialog: a page the role may not see is a hidden page at the same address that says so in
# Vietnamese (its file never runs); and /tong-quan, the overview's own name (Streamlit always serves the
# default page at "/"), sends the browser to "/" with its filters.
old_overview = access.alias_page(PAGES["tong_quan"], "tong-quan")
nav = st.navigation(
    [p if viewer.sees(key) else access.refused_page(p, viewer) for key, p in PAGES.items()] + [old_overview]
)
if nav is old_overview:
    nav.run()  # forwards at once, before the sidebar reads (and rewrites) the link's filters

with st.sidebar:
    st.markdown("### Nghị quyết 71-NQ/TW\nTheo dõi kết quả truyền thông")
    if note := data.fallback_note():
        st.error(plain(note), icon=":material/history:")
    if data.is_demo():
        st.warning("**Dữ liệu mẫu (demo)** – số liệu giả lập, không phải báo cáo thật.", icon=":material/science:")
    if not viewer.demo:
        st.caption(f"{plain(viewer.name)} · {viewer.role_label}")  # the identity provider's name: text
        st.button("Đăng xuất", on_click=access.sign_out, key="logout", icon=":material/logout:")

with data.timed_run(nav.url_path):  # NQ71_RUN_TIMES: the server's time of each run (make loadtest)
    guard.pending_message()
    with guard.guarded():  # a refusal in Vietnamese, any other error as an incident number: never a traceback
        st.session_state["filters"] = filters.sidebar(viewer.scope) if data.version() else None
        nav.run()
