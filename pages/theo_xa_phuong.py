"""Theo xã/phường: every unit × every target, then one unit in detail."""

import streamlit as st

from core import fmt
from core.periods import label as period_label
from ui import filters
from ui.data import q
from ui.widgets import STATUS_STYLE, downloads, status_label, value_text

f = filters.current()
st.title("Theo xã/phường" if f.level == "xa" else "Theo cơ sở giáo dục")
st.caption(filters.scope_caption(f))

prog = q("progress", f.plan, f.period, level=f.level, units=f.units)
units = prog[prog.unit_code != "*"]
if units.empty:
    st.info("Không có đơn vị nào trong phạm vi đã chọn.", icon=":material/info:")
    st.stop()

cells = units.assign(
    cell=[
        f"{STATUS_STYLE[s][1]} {value_text(v, m, k, unit_row=True)}"
        for s, v, m, k in zip(units.status, units.value, units.measure, units.kind, strict=True)
    ]
)
wide = cells.pivot(index=["unit_code", "unit_name"], columns="indicator", values="cell").reset_index()
states = units.pivot(index="unit_code", columns="indicator", values="status")
behind = (states == "Chậm").sum(axis=1).rename("so_cham")
wide = wide.merge(behind, left_on="unit_code", right_index=True).sort_values(
    ["so_cham", "unit_name"], ascending=[False, True]
)
indicators = [c for c in wide.columns if c.startswith("CT")]
names = dict(zip(units.indicator, units.indicator_name, strict=False))


def colour(col):
    st_col = states.loc[wide.unit_code, col.name].tolist()
    return [f"background-color: {STATUS_STYLE[s][0]}22; color: {STATUS_STYLE[s][0]}" for s in st_col]


shown = wide.rename(columns={"unit_name": "Đơn vị", "so_cham": "Số chỉ tiêu chậm"})
styled = shown[["Đơn vị", "Số chỉ tiêu chậm", *indicators]].style.apply(colour, subset=indicators)
st.markdown(
    " ".join(f"<span style='color:{c}'>{m} {s}</span>" for s, (c, m) in STATUS_STYLE.items()), unsafe_allow_html=True
)
st.dataframe(
    styled,
    hide_index=True,
    height=min(600, 38 + 35 * len(shown)),
    column_config={k: st.column_config.TextColumn(k, help=names[k]) for k in indicators},
)
export = units.assign(
    **{"Giá trị": [value_text(v, m, k, True) for v, m, k in zip(units.value, units.measure, units.kind, strict=True)]}
)[["unit_code", "unit_name", "indicator", "indicator_name", "Giá trị", "status"]].rename(
    columns={
        "unit_code": "Mã đơn vị",
        "unit_name": "Đơn vị",
        "indicator": "Mã chỉ tiêu",
        "indicator_name": "Chỉ tiêu",
        "status": "Trạng thái",
    }
)
downloads(export, f"theo_don_vi_{f.period.code}", "units")

st.divider()
st.subheader("Chi tiết một đơn vị")
unit_names = dict(zip(wide.unit_code, wide.unit_name, strict=False))
code = st.selectbox("Chọn đơn vị", list(unit_names), format_func=unit_names.get, key="detail_unit")
mine = units[units.unit_code == code]
cols = st.columns(min(4, len(mine)) or 1)
for i, r in enumerate(mine.itertuples()):
    cols[i % len(cols)].metric(
        f"{r.indicator} · {r.indicator_name}",
        value_text(r.value, r.measure, r.kind, unit_row=True),
        status_label(r.status),
        delta_color="off",
        delta_arrow="off",
        border=True,
    )

if f.level == "xa":
    schools = q("progress", f.plan, f.period, level="truong", units=(code,))
    schools = schools[schools.unit_code != "*"]
    st.markdown("**Cơ sở giáo dục thuộc đơn vị**")
    if schools.empty:
        st.caption("Chưa có trường nào của đơn vị này trong danh mục trường.")
    else:
        sw = (
            schools.assign(cell=[status_label(s) for s in schools.status])
            .pivot(index="unit_name", columns="indicator", values="cell")
            .reset_index()
            .rename(columns={"unit_name": "Trường"})
        )
        st.dataframe(sw, hide_index=True)

st.markdown("**Lịch sử số liệu qua các kỳ**")
hist = q("named", "unit_detail", unit=code)
if hist.empty:
    st.caption("Đơn vị chưa có số liệu nào.")
else:
    h = hist.assign(Kỳ=hist.period.map(period_label), v=[fmt.number(v) for v in hist.value])
    st.dataframe(
        h.pivot(index="field_name", columns="Kỳ", values="v")
        .reset_index()
        .rename(columns={"field_name": "Trường số liệu"}),
        hide_index=True,
    )
texts = q("named", "unit_texts", unit=code)
st.markdown("**Khó khăn, đề xuất của đơn vị**")
if texts.empty:
    st.caption("Đơn vị không ghi khó khăn hay đề xuất.")
else:
    for r in texts.itertuples():
        st.markdown(f"- *{period_label(r.period)} · {r.field_name}:* {r.text}")
