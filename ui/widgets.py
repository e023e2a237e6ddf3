"""Drawing helpers: state badges, tiles, charts, downloads. Vietnamese formats."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core import fmt
from queries.export import csv_bytes, xlsx_bytes

# colour and word together: a colour-blind reader reads the word and the mark
STATUS_STYLE = {
    "Đạt": ("#1a7f37", "✔"),
    "Đúng tiến độ": ("#0969da", "➜"),
    "Chậm": ("#cf222e", "▼"),
    "Chưa có số liệu": ("#8c959f", "?"),
    "Theo dõi": ("#6e7781", "•"),
}
PACE_RULE = (
    "**Cách đánh giá tiến độ** (kế hoạch không nêu, sản phẩm áp dụng): chỉ tiêu đếm theo năm "
    "đúng tiến độ khi số cộng dồn từ đầu năm đến hết quý q đạt ít nhất q/4 chỉ tiêu; chỉ tiêu tỷ lệ "
    "có hạn đúng tiến độ khi không thấp hơn đường thẳng nối giá trị báo cáo đầu tiên với chỉ tiêu "
    "tại ngày hạn. Tỷ lệ luôn là tổng tử số / tổng mẫu số. «Chưa có số liệu» không bao giờ tính là 0."
)


def status_label(s: str) -> str:
    return f"{STATUS_STYLE.get(s, ('', ''))[1]} {s}"


def value_text(value, measure: str, kind: str = "", unit_row: bool = False) -> str:
    """``67,1%``, ``3 chuyên đề``; a unit's yes/no target reads ``Có``/``Chưa``."""
    if value is None or pd.isna(value):
        return "Chưa có số liệu"
    if unit_row and kind == "share_yes":
        return "Có" if value >= 100 else "Chưa"
    if measure == "%":
        return fmt.percent(value)
    return f"{fmt.number(value, 0 if float(value).is_integer() else 1)} {measure}"


_FORMATS = (
    ("⬇ Tải CSV", csv_bytes, "csv", "text/csv"),
    ("⬇ Tải Excel", xlsx_bytes, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


def downloads(df: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Excel of exactly this table. The files are built only when clicked."""
    for col, (label, build, ext, mime) in zip(st.columns(2), _FORMATS, strict=True):
        col.download_button(
            label,
            lambda build=build: build(df),
            f"{name}.{ext}",
            mime,
            key=f"{key}_{ext}",
            width="stretch",
            on_click="ignore",
        )


def target_list(df: pd.DataFrame) -> str:
    """One bar per target as responsive HTML: name, state word and colour, value against target,
    and a tick where the pace line stands today. Reads the same on a phone and a laptop."""
    rows = []
    for r in df.itertuples():
        colour, mark = STATUS_STYLE.get(r.status, ("#6e7781", ""))
        has_target = pd.notna(r.target) and r.target
        width = 0.0 if pd.isna(r.value) or not has_target else max(0.0, min(100.0, 100.0 * r.value / r.target))
        target_txt = value_text(r.target, r.measure) if has_target else "không nêu số"
        foot = f"{value_text(r.value, r.measure)} / chỉ tiêu {target_txt}"
        if pd.notna(r.deadline):
            foot += f" · hạn {fmt.date(r.deadline)}"
        tick = ""
        if has_target and pd.notna(r.pace_line) and r.status != "Đạt":
            left = max(0.0, min(100.0, 100.0 * r.pace_line / r.target))
            tick = f'<div class="nq-pace" style="left:{left:.1f}%" title="Đường tiến độ: {fmt.percent(r.pace_line)}"></div>'
            foot += f" · đường tiến độ cuối kỳ {fmt.percent(r.pace_line)}"
        rows.append(
            f"""<div class="nq-t"><div class="nq-h"><span class="nq-n">{html.escape(r.indicator)} · {html.escape(r.indicator_name)}</span>
<span class="nq-s" style="color:{colour}">{mark} {html.escape(r.status)}</span></div>
<div class="nq-b"><div class="nq-f" style="width:{width:.1f}%;background:{colour}"></div>{tick}</div>
<div class="nq-ft">{html.escape(foot)}</div></div>"""
        )
    style = """<style>
.nq-t{margin:0 0 14px 0}.nq-h{display:flex;justify-content:space-between;gap:8px;flex-wrap:wrap;font-size:0.95rem}
.nq-n{font-weight:600}.nq-s{font-weight:700;white-space:nowrap}
.nq-b{position:relative;height:14px;background:#eaeef2;border-radius:7px;margin:4px 0 2px 0;overflow:visible}
.nq-f{height:14px;border-radius:7px}.nq-pace{position:absolute;top:-3px;width:3px;height:20px;background:#24292f}
.nq-ft{font-size:0.85rem;color:#57606a}</style>"""
    return style + "".join(rows)


def trend_chart(trend: pd.DataFrame):
    """Each %-target per quarter as a Vega-Lite line chart (``queries.trend_of`` rows).

    The overview draws this chart with Streamlit's built-in Vega-Lite rather
    than plotly: the overview is the page opened first, often on a phone, and
    plotly's JavaScript is one 4,7 MB file that Streamlit loads for the first
    plotly chart and that holds the whole page back while a 2-core laptop runs
    it (bench/RESULTS.md). The analysis pages keep plotly.
    """
    import altair as alt

    from core.periods import label as period_label

    order = sorted(trend.quarter.unique())
    df = trend.assign(
        quarter=[period_label(c) for c in trend.quarter],
        text=[fmt.percent(v) for v in trend.value],
    )
    return (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            x=alt.X("quarter:N", title="Quý", sort=[period_label(c) for c in order], axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "value:Q",
                title="Giá trị (%)",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(labelExpr="replace(format(datum.value, '~g'), '.', ',') + '%'"),
            ),
            color=alt.Color(
                "indicator:N",
                title=None,
                # a long target name is cut with … where the screen ends (a phone), whole on a laptop
                legend=alt.Legend(
                    orient="bottom", direction="vertical", labelLimit=alt.ExprRef("max(width - 20, 120)")
                ),
            ),
            tooltip=[
                alt.Tooltip("indicator:N", title="Chỉ tiêu"),
                alt.Tooltip("quarter:N", title="Quý"),
                alt.Tooltip("text:N", title="Giá trị"),
            ],
        )
        # the height is the plot's; the legend (one line per target) is added below it
        .properties(height=260, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )
