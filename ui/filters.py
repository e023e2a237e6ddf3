"""Sidebar filters shared by every page, kept across pages and in the URL.

``?ke_hoach=000&ky=2026-Q2&cap=xa&don_vi=24133,24121`` opens the same view,
so a copied link shows a colleague exactly what you saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_sources.periods import label as period_label
from queries import PeriodSel
from ui.data import q

LEVELS = {"xa": "Xã/phường", "truong": "Cơ sở giáo dục"}


@dataclass(frozen=True)
class Filters:
    plan: str
    plan_name: str
    period: PeriodSel
    level: str
    units: tuple[str, ...]
    province_name: str

    @property
    def unit_list(self) -> list[str] | None:
        return list(self.units) or None


def _from_url(key: str, default, allowed):
    v = st.query_params.get(key)
    return v if v in allowed else default


def sidebar() -> Filters | None:
    settings = q("named", "settings")
    if settings is None or settings.empty:
        return None
    plans = dict(zip(settings["plan"], settings["plan_name"], strict=True))
    short = {p: f"{p} · {c}" for p, c in zip(settings["plan"], settings["co_quan"], strict=True)}
    default_plan = settings["default_plan"].iloc[0]
    periods = q("periods_with_data") or []
    units = q("named", "units")
    wards = units[units.level == "xa"]
    schools = units[units.level == "truong"]
    names = dict(zip(units.code, units.name, strict=True))
    ward_of = {c: p for c, p in zip(units.code, units.parent_code, strict=True) if isinstance(p, str) and p}

    with st.sidebar:
        st.caption(f"Tỉnh {settings['province_name'].iloc[0]}")
        plan = st.selectbox(
            "Kế hoạch",
            list(plans),
            index=list(plans).index(_from_url("ke_hoach", default_plan, plans)),
            format_func=short.get,
            help="Mỗi kế hoạch có bộ chỉ tiêu riêng (catalog/targets.csv)",
            key="f_plan",
        )
        if periods:
            period = st.selectbox(
                "Kỳ báo cáo",
                periods,
                index=periods.index(_from_url("ky", periods[0], periods)),
                format_func=period_label,
                key="f_period",
            )
        else:
            period = None
        level = st.radio(
            "Cấp đơn vị",
            list(LEVELS),
            index=list(LEVELS).index(_from_url("cap", "xa", LEVELS)),
            format_func=LEVELS.get,
            horizontal=True,
            key="f_level",
        )
        url_units = [u for u in (st.query_params.get("don_vi") or "").split(",") if u in names]
        options = list(wards.code) + (list(schools.code) if level == "truong" else [])
        chosen = st.multiselect(
            "Đơn vị (để trống: tất cả)",
            options,
            default=[u for u in url_units if u in options],
            format_func=lambda c: f"{names[c]} – {names[ward_of[c]]}" if c in ward_of else names[c],
            placeholder="Gõ tên xã, phường hoặc trường",
            key="f_units",
        )
    st.query_params.update({"ke_hoach": plan, "cap": level})
    if period:
        st.query_params["ky"] = period
    if chosen:
        st.query_params["don_vi"] = ",".join(chosen)
    elif "don_vi" in st.query_params:
        del st.query_params["don_vi"]
    if not period:
        return None
    return Filters(plan, plans[plan], PeriodSel(period), level, tuple(chosen), settings["province_name"].iloc[0])


def current() -> Filters:
    """The shared filters, or an explanatory empty state and a stop."""
    f = st.session_state.get("filters")
    if f is None:
        from ui.data import db_path, version

        if version() is None:
            st.info(
                f"Chưa có dữ liệu ({db_path()}). Quản trị viên nhập số liệu ở trang **Nguồn dữ liệu** "
                "hoặc chạy `make run` để xem dữ liệu mẫu.",
                icon=":material/info:",
            )
        else:
            st.info(
                "Chưa có kỳ báo cáo nào có số liệu. Hãy nhập biểu mẫu ở trang **Nguồn dữ liệu**.",
                icon=":material/info:",
            )
        st.stop()
    return f


def scope_caption(f: Filters) -> str:
    units = "tất cả đơn vị" if not f.units else f"{len(f.units)} đơn vị đã chọn"
    return f"{f.plan_name} · {f.period.label} · {LEVELS[f.level]}: {units}"
