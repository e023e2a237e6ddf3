"""Sidebar filters shared by every page, kept across pages and in the URL.

``?ke_hoach=000&ky=2026-Q2&cap=xa&don_vi=24133,24121`` opens the same view,
so a copied link shows a colleague exactly what you saw.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import streamlit as st

from core import catalog
from core.periods import label as period_label
from queries import PeriodSel, Scope
from ui import data
from ui.data import lookups
from ui.text import plain


def levels(plan: str, present: set[str] | None = None) -> dict[str, str]:
    """The kinds of unit reporting to ``plan`` (catalog/plans.csv ``don_vi_bao_cao``) with their names
    (catalog/loai_don_vi.csv): xã/phường and schools for a Sở's plan, chi bộ for a Party committee's.
    ``present``: the kinds that have units here; a kind with none (schools when no school list is
    configured) is not offered. Never empty: the plan's first kind stays, to say «no unit»."""
    kinds = catalog.unit_kinds()
    wanted = catalog.plan_levels(plan)
    offered = {k: kinds[k].label for k in wanted if present is None or k in present}
    return offered or {k: kinds[k].label for k in wanted[:1]}


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
    province: int = 0  # the province whose every xã/phường ``units`` names (chosen in the filter, no unit picked)


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
    level = next(iter(levels(plan)))
    return Filters(plan, ctx["plans"][plan], PeriodSel(ctx["periods"][0]), level, (), _where(ctx, province), 0, scope)


def sidebar(scope: Scope) -> Filters | None:
    """The filters, offered within ``scope`` (the viewer's units): a shared link naming units outside
    it shows only what the viewer may see, and says so."""
    ctx = _context(scope)
    if ctx is None:
        return None
    settings, plans, default_plan, periods = ctx["settings"], ctx["plans"], ctx["default_plan"], ctx["periods"]
    pnames = ctx["pnames"]
    names, ward_of, provinces = ctx["look"]["names"], ctx["look"]["ward_of"], ctx["look"]["provinces"]
    short = dict(plans)  # a plan by its name, never its code

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
                placeholder="Chọn tỉnh, thành phố",
            )
        in_province = data.units_in(scope, province)
        wards = in_province[in_province.level == "xa"]
        schools = in_province[in_province.level == "truong"]
        plan = st.selectbox(
            "Kế hoạch",
            list(plans),
            index=list(plans).index(_from_url("ke_hoach", default_plan, plans)),
            format_func=short.get,
            help="Mỗi kế hoạch có bộ chỉ tiêu riêng",
            key="f_plan",
            placeholder="Chọn kế hoạch",
        )
        if periods:
            period = st.selectbox(
                "Kỳ báo cáo",
                periods,
                index=periods.index(_from_url("ky", periods[0], periods)),
                format_func=period_label,
                key="f_period",
                placeholder="Chọn kỳ báo cáo",
            )
        else:
            period = None
        offered = levels(plan, set(in_province.level))
        if st.session_state.get("f_level") not in (None, *offered):
            del st.session_state["f_level"]  # another plan's kind of unit (xã/phường → chi bộ)
        level = st.radio(
            "Cấp đơn vị",
            list(offered),
            index=list(offered).index(_from_url("cap", next(iter(offered)), offered)),
            format_func=offered.get,
            horizontal=True,
            key="f_level",
        )
        asked = list(dict.fromkeys(u.strip() for u in (st.query_params.get("don_vi") or "").split(",") if u.strip()))
        url_units = [u for u in scope.narrow(asked) if u in names]
        if len(url_units) < len(asked):
            st.warning(
                f"Đường dẫn có {len(asked) - len(url_units)} đơn vị ngoài phạm vi được xem: đã bỏ qua.",
                icon=":material/visibility_off:",
            )
        word = catalog.unit_kinds()[level].word
        if province == 0 and len(provinces) > 1:
            options = []
            st.caption(f"Chọn tỉnh để lọc theo {word}.")
        elif level in catalog.BUILT_IN_LEVELS:
            options = list(wards.code) + (list(schools.code) if level == "truong" else [])
        else:  # a kind of the unit registry (chi bộ, cơ quan…): its own units
            options = list(in_province[in_province.level == level].code)
        held = st.session_state.get("f_units") or []
        if any(u not in options for u in held):
            # units of another province or kind, chosen before it changed: keep those still offered, and
            # set (not delete) the key so the browser is told too. Deleted, the browser kept its old
            # chips and sent them back with the next pick, which was then dropped with them: every later
            # pick did nothing (tests/test_browser.py).
            st.session_state["f_units"] = [u for u in held if u in options]
        own = None if scope.unrestricted else own_units(scope)
        chosen = st.multiselect(
            "Đơn vị (để trống: tất cả)" if own is None else "Đơn vị (để trống: mọi đơn vị của bạn)",
            options,
            default=[u for u in url_units if u in options] or None,  # None: no warning beside a set key
            format_func=lambda c: f"{names[c]} – {names[ward_of[c]]}" if ward_of.get(c) in names else names[c],
            placeholder="Gõ tên xã, phường hoặc trường" if level in catalog.BUILT_IN_LEVELS else f"Gõ tên {word}",
            key="f_units",
        )
        if own is not None:
            st.caption(f"Bạn đang xem số liệu của đơn vị mình: {own}.")
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
    whole = province if picked and not chosen else 0
    return Filters(
        plan, plans[plan], PeriodSel(period), level, picked, _where(ctx, province), len(chosen), scope, whole
    )


def current() -> Filters:
    """The shared filters, or an explanatory empty state and a stop."""
    f = st.session_state.get("filters")
    if f is None:
        from ui.data import version

        if version() is None:
            st.info(
                "Chưa có dữ liệu. Quản trị viên nhập số liệu ở trang **Nguồn dữ liệu** "
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


def chosen_level() -> str | None:
    """The kind of unit chosen, before the sidebar is drawn (app.py names the navigation first): the sidebar's
    radio as this run starts, else the link's ``cap``, else the plan's first kind (the link's ``ke_hoach`` or
    the configured plan). None when none of these is a known kind."""
    kinds = catalog.unit_kinds()
    plan = st.session_state.get("f_plan") or st.query_params.get("ke_hoach") or catalog.settings().get("plan")
    try:
        levels = [k for k in catalog.plan_levels(str(plan)) if k in kinds]
    except ValueError:
        levels = []
    level = st.session_state.get("f_level") or st.query_params.get("cap")
    if level in levels:  # a kind the plan does not follow (a link's ?cap=chi_bo for plan 000) names nothing
        return level
    return levels[0] if levels else None


def unit_page_title() -> str:
    """The navigation's name of the per-unit page: «Theo chi bộ», «Theo cơ sở giáo dục», «Theo xã, phường, đặc
    khu» (the page's own title); «Theo đơn vị» (catalog/thuat_ngu.csv) when no level is known."""
    level = chosen_level()
    return f"Theo {catalog.unit_kinds()[level].word}" if level else catalog.term("theo_don_vi")


def level_word(f: Filters) -> str:
    """The kind of unit inside a sentence: xã/phường, cơ sở giáo dục, chi bộ…"""
    return catalog.unit_kinds()[f.level].word


def own_units(scope: Scope, level: str | None = None) -> str:
    """A restricted viewer's units in words: ``Xã Ea Kar và 12 trường thuộc xã`` (``level="truong"``:
    ``12 trường thuộc Xã Ea Kar``). A xã/phường brings the units under it (``access.unit_scope``): its
    schools, and the unit registry's chi bộ, cơ quan or phòng, each counted under its own kind."""
    look = lookups()
    names, ward_of, levels = look.get("names", {}), look.get("ward_of", {}), look.get("level", {})
    codes = sorted(scope.codes or (), key=lambda c: names.get(c, c))
    heads = [c for c in codes if ward_of.get(c) not in scope.codes]  # its xã/phường, or a school on its own
    below = Counter(levels.get(c, "truong") for c in codes if ward_of.get(c) in scope.codes)
    n_schools = below.pop("truong", 0)
    listed = ", ".join(plain(names.get(c, c)) for c in heads[:3]) + (  # registry names: drawn as text
        f" và {len(heads) - 3} đơn vị khác" if len(heads) > 3 else ""
    )
    if not heads:
        return "chưa có đơn vị nào"
    first = names.get(heads[0], "").lower() if len(heads) == 1 else ""
    under = next((w for w in ("phường", "xã", "đặc khu") if first.startswith(w)), "địa bàn")  # a đặc khu is not a xã
    school = catalog.term("co_so_giao_duc")
    kinds = catalog.unit_kinds()
    if level == "truong":
        return (
            f"{n_schools} {school} thuộc {listed}" if n_schools else f"{listed} (chưa có {school} nào trong danh mục)"
        )
    if level in kinds and level not in catalog.BUILT_IN_LEVELS:  # at chi bộ level: the ward's chi bộ
        n = below.get(level, 0)
        word = kinds[level].word
        return f"{n} {word} thuộc {listed}" if n else f"{listed} (chưa có {word} nào trong danh mục)"
    parts = [f"{n_schools} {school}"] * bool(n_schools) + [
        f"{n} {kinds[k].word if k in kinds else k}" for k, n in sorted(below.items())
    ]
    if not parts:
        return listed
    return f"{listed} và {', '.join(parts)} thuộc {under}"


def scope_caption(f: Filters) -> str:
    if f.chosen:
        units = f"{f.chosen} đơn vị đã chọn"
    elif f.scope.unrestricted:
        units = catalog.term("tat_ca_don_vi").lower()
    else:  # a unit's own account: name its units, never «tất cả»
        units = own_units(f.scope, f.level)
    return f"{f.plan_name} · {f.period.label} · {f.province_name} · {catalog.unit_kinds()[f.level].label}: {units}"
