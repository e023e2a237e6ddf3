"""Tình hình báo cáo: expected, reported, on time; the list of units still missing."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import fmt
from core.periods import label as period_label
from ui import filters
from ui.data import q
from ui.widgets import downloads

f = filters.current()
st.title("Tình hình báo cáo")
st.caption(filters.scope_caption(f))

today = dt.date.today()
rep = q("reporting", f.plan, f.period, level=f.level, units=f.units, today=today)
settings = q("named", "settings").iloc[0]

for quarter, part in rep.groupby("quarter", sort=False):
    deadline, from_plan = part.deadline.iloc[0], bool(part.from_plan.iloc[0])
    st.subheader(f"{period_label(quarter)} · hạn {fmt.date(deadline)}")
    if not from_plan:
        st.caption(
            f"Kế hoạch không nêu hạn cho kỳ này: áp dụng hạn mặc định ngày "
            f"{settings.default_deadline_day} của tháng sau kỳ báo cáo (sửa trong catalog/deployment.toml)."
        )
    n, done, ontime = len(part), int(part.reported.sum()), int(part.on_time.sum())
    c = st.columns(4)
    c[0].metric("Phải báo cáo", fmt.number(n), border=True)
    for col, label, k in ((c[1], "Đã báo cáo", done), (c[2], "Đúng hạn", ontime)):
        share = fmt.percent(100 * k / n) if n else None
        col.metric(label, fmt.number(k), share, delta_color="off", delta_arrow="off", border=True)
    c[3].metric("Chưa báo cáo", fmt.number(n - done), border=True)
    if n:
        st.progress(done / n, text=f"Đã báo cáo {fmt.percent(100 * done / n)}")
    missing = part[~part.reported]
    st.markdown(f"**Đơn vị chưa báo cáo ({fmt.number(len(missing))})**")
    if missing.empty:
        st.success("Tất cả đơn vị đã báo cáo.", icon=":material/check_circle:")
    else:
        table = pd.DataFrame(
            {
                "Mã đơn vị": missing.unit_code,
                "Đơn vị": missing.unit_name,
                "Hạn": [fmt.date(d) for d in missing.deadline],
                "Số ngày quá hạn": [fmt.number(d) if pd.notna(d) else "chưa đến hạn" for d in missing.days_overdue],
            }
        )
        st.dataframe(table, hide_index=True)
        downloads(table, f"chua_bao_cao_{quarter}", f"missing_{quarter}")
    late = part[part.reported & ~part.on_time]
    if not late.empty:
        with st.expander(f"Đơn vị báo cáo muộn ({fmt.number(len(late))})"):
            st.dataframe(
                pd.DataFrame(
                    {
                        "Đơn vị": late.unit_name,
                        "Nhận lúc": [fmt.datetime(t) for t in late.first_at],
                        "Muộn (ngày)": [fmt.number(d) for d in late.days_late],
                    }
                ),
                hide_index=True,
            )
st.caption(
    "Thời điểm báo cáo: dấu thời gian của Google Forms nếu có, nếu không là lần đầu hệ thống đọc được dòng "
    "của đơn vị cho kỳ đó. Danh sách phải báo cáo: mọi xã/phường của tỉnh trong danh mục chính thức "
    "(hoặc mọi trường trong danh mục trường)."
)
