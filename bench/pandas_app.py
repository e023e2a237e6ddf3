"""The baseline: the same overview written the way most Streamlit dashboards are.

The whole observations table sits in a DataFrame behind st.cache_data; every
rerun filters and groups it in pandas (ratio of sums per target, units
reporting, one row per unit). Run only by bench/pages_bench.py.
"""

import os

import pandas as pd
import streamlit as st

from core.db import connect_read

DB = os.environ["NQ71_DB"]
RATIOS = {
    "CT01": ("cb_quan_triet", "cb_tong"),
    "CT02": ("ks_hieu_ro", "ks_so_nguoi"),
    "CT07": ("tt_can_bo_tap_huan", "tt_can_bo_tong"),
}
SHARES = {"CT03": "co_ke_hoach", "CT06": "co_chuyen_muc"}
YEARLY = {"CT04": "so_chuyen_de", "CT08": "mo_hinh"}


@st.cache_data
def observations() -> pd.DataFrame:
    con = connect_read(DB)
    try:
        return con.execute(
            "SELECT unit_code, unit_name, level, parent_code, quarter, field, value FROM mart.observations"
        ).df()
    finally:
        con.close()


obs = observations()
period = st.sidebar.selectbox("Kỳ báo cáo", ["2026-Q1", "2026-Q2"], key="f_period")
units = st.sidebar.multiselect("Đơn vị", sorted(obs.loc[obs.level == "xa", "unit_code"].unique()), key="f_units")

scope = obs[obs.level == "xa"]
if units:
    scope = scope[scope.unit_code.isin(units) | scope.parent_code.isin(units)]
now = scope[scope.quarter == period]
ytd = scope[scope.quarter <= period]
wide = now.pivot_table(index=["unit_code", "unit_name"], columns="field", values="value", aggfunc="last")
rows = []
for code, (num, den) in RATIOS.items():
    pair = wide[[num, den]].dropna() if {num, den} <= set(wide.columns) else pd.DataFrame(columns=[num, den])
    rows.append((code, 100 * pair[num].sum() / pair[den].sum() if len(pair) and pair[den].sum() else None))
for code, f in SHARES.items():
    col = wide[f].dropna() if f in wide.columns else pd.Series(dtype=float)
    rows.append((code, 100 * col.mean() if len(col) else None))
for code, f in YEARLY.items():
    rows.append((code, ytd[ytd.field == f].value.sum()))
st.title("Tổng quan (pandas)")
st.metric("Đơn vị đã báo cáo", f"{now.unit_code.nunique()}/{scope.unit_code.nunique()}")
st.dataframe(pd.DataFrame(rows, columns=["Chỉ tiêu", "Giá trị"]))
per_unit = wide.reset_index()
per_unit["CT01"] = 100 * per_unit.get("cb_quan_triet") / per_unit.get("cb_tong")
st.dataframe(per_unit.sort_values("CT01").head(200))
