"""Sidebar filters shared by every page, kept across pages and in the URL.

``?ke_hoach=000&ky=2026-Q2&cap=xa&don_vi=24133,24121`` opens the same view,
so a copied link shows a colleague exactly what you saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from core.periods import label as period_label
from queries import PeriodSel, Scope
from ui import data
from ui.data import lookups

LEVELS = {"xa": "Xã/phường", "truong": "Cơ sở giáo dục"}


@dataclass(frozen=True)
class Filters:
    plan: str
    plan_name: str
    period: PeriodSel
    level: str
    units: tuple[str, ...]  # chosen units (or a province's xã/phường), within the scope; () = all in scope
    province_name: str
    chosen: int = 0  # how many units the person picked
    scope: Scope = field(default_factory=Scope.everything)  # the units the viewer may see (every read is bound to it)


def _from_url(key: str, default, allowed):
    v = st.query_params.get(key)
    return v if v in allowed else default


def _context(scope: Scope) -> dict | None:
    """Everything the filters offer, from the cache."""
    settings = data.settings()
    if settings is None or settings.empty:
        return None
    province_names = data.provinces()
    return {
        "settings": settings,
        "plans": dict(zip(settings["plan"], settings["plan_name"], strict=True)),
        "default_plan": settings["default_plan"].iloc[0],
        "periods": data.periods_with_data() or [],
        "units": data.units(scope),
        "look": lookups(),
        "pnames": dict(zip(province_names.province, province_names.name, strict=True)),
    }


def _where(ctx: dict, province: int) -> str:
    if len(ctx["look"]["provinces"]) == 1:
        return ctx["settings"]["province_name"].iloc[0]
    return ctx["pnames"].get(province, "Toàn quốc")


def defaults(scope: Scope | None = None) -> Filters | None:
    """The view of someone who has chosen nothing (no URL parameters): what the sidebar starts on."""
    scope = scope or Scope.everything()
    ctx = _context(scope)
    if ctx is None or not ctx["periods"]:
        return None
    plan = ctx["default_plan"]
    province = ctx["look"]["provinces"][0] if len(ctx["look"]["provinces"]) == 1 else 0
    return Filters(plan, ctx["plans"][plan], PeriodSel(ctx["periods"][0]), "xa", (), _where(ctx, province), 0, scope)


def sidebar(scope: Scope) -> Filters | None:
    """The filters, offered within ``scope`` (the viewer's units): a shared link naming units outside
    it shows only what the viewer may see, and says so."""
    ctx = _context(scope)
    if ctx is None:
        return None
    settings, plans, default_plan, periods = ctx["settings"], ctx["plans"], ctx["default_plan"], ctx["periods"]
    units, pnames = ctx["units"], ctx["pnames"]
    names, ward_of, provinces = ctx["look"]["names"], ctx["look"]["ward_of"], ctx["look"]["provinces"]
    short = {p: f"{p} · {c}" for p, c in zip(settings["plan"], settings["co_quan"], strict=True)}

    with st.sidebar:
        if len(provinces) == 1:
            province = provinces[0]
            st.caption(f"Tỉnh {settings['province_name'].iloc[0]}")
        else:  # a Ministry view: choose a province before its units (3.321 xã/phường do not fit one list)
            choices = [0, *provinces]
            url_p = int(st.query_params.get("tinh", 0)) if str(st.query_params.get("tinh", "0")).isdigit() else 0
            province = st.selectbox(
                "Tỉnh, thành phố",
                choices,
                index=choices.index(url_p) if url_p in choices else 0,
                format_func=lambda p: "Toàn quốc" if p == 0 else pnames.get(p, str(p)),
                key="f_province",
            )
        in_province = units if province == 0 else units[units.province == province]
        wards = in_province[in_province.level == "xa"]
        schools = in_province[in_province.level == "truong"]
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
        asked = [u for u in (st.query_params.get("don_vi") or "").split(",") if u]
        url_units = [u for u in scope.narrow(asked) if u in names]
        if len(url_units) < len(asked):
            st.warning(
                f"Đường dẫn có {len(asked) - len(url_units)} đơn vị ngoài phạm vi được xem: đã bỏ qua.",
                icon=":material/visibility_off:",
            )
        if province == 0 and len(provinces) > 1:
            options = []
            st.caption("Chọn tỉnh để lọc theo xã/phường hoặc trường.")
        else:
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
    if len(provinces) > 1:
        st.query_params["tinh"] = str(province)
    picked = tuple(chosen) or (tuple(wards.code) if len(provinces) > 1 and province else ())
    if period:
        st.query_params["ky"] = period
    if chosen:
        st.query_params["don_vi"] = ",".join(chosen)
    elif "don_vi" in st.query_params:
        del st.query_params["don_vi"]
    if not period:
        return None
    return Filters(plan, plans[plan], PeriodSel(period), level, picked, _where(ctx, province), len(chosen), scope)


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


def level_word(f: Filters) -> str:
    return "xã/phường" if f.level == "xa" else "cơ sở giáo dục"


def scope_caption(f: Filters) -> str:
    units = f"{f.chosen} đơn vị đã chọn" if f.chosen else "tất cả đơn vị"
    return f"{f.plan_name} · {f.period.label} · {f.province_name} · {LEVELS[f.level]}: {units}"
