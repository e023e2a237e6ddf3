"""Nguồn dữ liệu: upload a copy of the form, Google Sheets sources, every import and its summary."""

import streamlit as st

from ui import actions, data, forms, guard, tables
from ui.widgets import refresh_status, show

st.title("Nguồn dữ liệu")
st.subheader("Nhập tệp biểu mẫu")
forms.upload_box()

st.subheader("Google Sheets")
sa, problem = actions.service_account()
forms.service_account_note(sa, problem)
forms.add_source_form()
sources = data.sources()
if sources is None or sources.empty:
    st.caption("Chưa có bảng Google Sheets nào.")
else:
    show(tables.sources(sources), {"Mở": st.column_config.LinkColumn("Mở", display_text="Mở bảng")})
    # a callback: the refresh starts before this run draws the button, which is then drawn disabled
    st.button("Làm mới ngay", type="primary", key="refresh_now", disabled=actions.refresh_running(),
              on_click=guard.callback(actions.start_refresh), args=(sa,))  # fmt: skip
    refresh_status(actions.refresh_job)

st.subheader("Lịch sử nhập")
imports = data.imports()
if imports is None or imports.empty:
    st.caption("Chưa có lần nhập nào.")
else:
    show(tables.imports(imports))
