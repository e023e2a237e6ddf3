"""Người dùng: who may sign in, with which role and units; the audit log (administrators only)."""

import pandas as pd
import streamlit as st

from core import catalog
from ui import access, actions, data, tables
from ui.text import plain
from ui.widgets import show

st.title("Người dùng")
st.caption(
    f"Tệp người dùng: {access.users_path()}. Vai trò: "
    + "; ".join(f"**{r.label}**: {r.help}" for r in catalog.roles().values())
)
roles = {c: r.label for c, r in catalog.roles().items()}
head = access.USER_HEADS  # the file's columns (email, vai_tro…) in words
rows = pd.DataFrame(access.read_users(), columns=access.USER_COLUMNS).rename(columns=head)
edited = st.data_editor(
    rows, num_rows="dynamic", hide_index=True, key="users_editor",
    column_config={
        head["email"]: st.column_config.TextColumn(required=True),
        head["vai_tro"]: st.column_config.SelectboxColumn(options=list(roles), format_func=roles.get, required=True),
    },
).rename(columns={v: k for k, v in head.items()})  # fmt: skip
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
    show(tables.audit(log, data.lookups().get("names", {})))
