"""Người dùng: who may sign in, with which role and units; the audit log (administrators only)."""

import pandas as pd
import streamlit as st

from core import catalog
from ui import access, actions, tables
from ui.text import plain
from ui.widgets import show

st.title("Người dùng")
st.caption(
    f"Tệp người dùng: {access.users_path()}. Vai trò: "
    + "; ".join(f"**{r.code}** ({r.label}): {r.help}" for r in catalog.roles().values())
)
rows = pd.DataFrame(access.read_users(), columns=access.USER_COLUMNS)
edited = st.data_editor(
    rows, num_rows="dynamic", hide_index=True, key="users_editor",
    column_config={
        "email": st.column_config.TextColumn("Email", required=True),
        "vai_tro": st.column_config.SelectboxColumn("Vai trò", options=list(catalog.roles()), required=True),
        "don_vi": st.column_config.TextColumn("Mã đơn vị (đơn vị: cách nhau bởi dấu cách)"),
        "ho_ten": st.column_config.TextColumn("Họ tên / đơn vị"),
    },
)  # fmt: skip
if st.button("Lưu danh sách người dùng", type="primary", key="save_users"):
    try:
        actions.save_users(edited.fillna("").to_dict("records"))
    except (ValueError, actions.Denied) as e:
        st.error(plain(e))
    else:
        st.success("Đã lưu. Người dùng thấy quyền mới ở lần tải trang sau.", icon=":material/check_circle:")

st.subheader("Nhật ký thao tác")
log = access.audit_events()
if log.empty:
    st.caption("Chưa có thao tác nào được ghi.")
else:
    show(tables.audit(log))
