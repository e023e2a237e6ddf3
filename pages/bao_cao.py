"""Tình hình báo cáo: expected, reported, on time; units still missing; the cycle (approve, lock, chase)."""

import datetime as dt

import streamlit as st

import queries
from core import fmt
from core.periods import label as period_label
from ui import cycle, data, filters, tables
from ui.charts import on_time_chart
from ui.widgets import downloads, metric, show, status_label

f = filters.current()
st.title("Tình hình báo cáo")
st.caption(filters.scope_caption(f))

rep, trend = data.reporting_view(f, dt.date.today())
summary = queries.reporting_summary(rep, data.reporting_target(f.plan))
deadline_day = data.settings().default_deadline_day.iloc[0]
if queries.has_trend(trend):
    st.markdown("**Tỷ lệ đơn vị báo cáo đúng hạn qua các kỳ** (đường gạch: chỉ tiêu của kế hoạch)")
    st.vega_lite_chart(spec=on_time_chart(trend), width="stretch")
for s in summary.itertuples():
    part = rep[rep.quarter == s.quarter]
    st.subheader(f"{period_label(s.quarter)} · hạn {fmt.date(s.deadline)}")
    if not s.from_plan:
        st.caption(
            f"Kế hoạch không quy định hạn cho kỳ này: áp dụng hạn mặc định là ngày {deadline_day} "
            "của tháng sau kỳ báo cáo."
        )
    c = st.columns(4)
    metric(c[0], "Phải báo cáo", s.expected)
    metric(c[1], "Đã báo cáo", s.reported, s.expected, show_total=False)
    metric(
        c[2],
        "Đúng hạn",
        s.on_time,
        s.expected,
        show_total=False,
        help=f"Chỉ tiêu báo cáo đúng hạn: {status_label(s.status)}",
    )
    metric(c[3], "Chưa báo cáo", s.missing)
    st.progress(s.reported / s.expected if s.expected else 0.0, text=f"Đã báo cáo {fmt.percent(s.reported_rate)}")
    st.markdown(f"**Đơn vị chưa báo cáo ({fmt.number(s.missing)})**")
    if not s.missing:
        st.success("Tất cả đơn vị đã báo cáo.", icon=":material/check_circle:")
    else:
        table = tables.missing_units(part[~part.reported])
        show(table)
        downloads(table, f"chua_bao_cao_{s.quarter}", f"missing_{s.quarter}")
    cycle.late_and_unknown(s, part)
cycle.panel(f, rep)
st.caption(
    "Thời điểm báo cáo: dấu thời gian của Google Forms nếu có, nếu không là lần đầu hệ thống đọc được dòng "
    "của đơn vị cho kỳ đó. Danh sách phải báo cáo: mọi đơn vị của cấp đang chọn (danh mục xã, phường, đặc khu "
    "chính thức, danh mục cơ sở giáo dục, danh mục đơn vị khác), trừ đơn vị được ghi là không phải báo cáo."
)
