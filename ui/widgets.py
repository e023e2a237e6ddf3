"""Drawing helpers: state badges, tiles, downloads. Vietnamese formats (the charts: ui/charts.py)."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core import catalog, fmt
from outputs.excel import xlsx_bytes
from queries.export import csv_bytes, formats, kind_at

# colour and word together: a colour-blind reader reads the word and the mark (catalog/statuses.csv)
STATUSES = catalog.statuses()
PACE_RULE = (
    "**Cách đánh giá tiến độ** (kế hoạch không quy định, hệ thống áp dụng): chỉ tiêu đếm theo năm "
    "đúng tiến độ khi số cộng dồn từ đầu năm đạt ít nhất phần chỉ tiêu năm tương ứng (đến hết quý I: 1/4, "
    "quý II: 2/4, quý III: 3/4); chỉ tiêu tỷ lệ có thời hạn đúng tiến độ khi không thấp hơn đường thẳng nối "
    "giá trị báo cáo đầu tiên với chỉ tiêu tại ngày hết hạn. Tỷ lệ luôn là tổng số thành phần chia cho tổng "
    "số. «Chưa có số liệu» không bao giờ được tính là 0."
)


def status_label(code: str) -> str:
    """``✔ Đạt`` for ``dat``: the mark and the word of a status code."""
    st_ = STATUSES[code]
    return f"{st_.symbol} {st_.label}"


def status_word(code: str) -> str:
    return STATUSES[code].label


def status_colour(code: str) -> str:
    return STATUSES[code].colour


def status_legend() -> str:
    """Every status as coloured mark and word, worst first (HTML)."""
    return " ".join(
        f"<span style='color:{s.colour}'>{html.escape(s.symbol)} {html.escape(s.label)}</span>"
        for s in STATUSES.values()
    )


def value_text(value, measure: str, kind: str = "", unit_row: bool = False) -> str:
    """``67,1%``, ``3 chuyên đề``; a unit's yes/no target reads ``Có``/``Chưa``."""
    if value is None or pd.isna(value):
        return "Chưa có số liệu"
    if unit_row and kind == "share_yes":
        return "Có" if value >= 100 else "Chưa"
    if measure == "%":
        return fmt.percent(value)
    return f"{fmt.number(value, 0 if float(value).is_integer() else 1)} {measure}"


# A tile's value wraps onto a second line instead of being cut with "…" (Streamlit's default): the
# detail tiles of Theo xã/phường are a quarter of the page wide, and «Chưa có số liệu» or
# «0 chuyên đề» read «Chưa có s…», «0 chuyê…». A value that fits is drawn exactly as before.
TILE_STYLE = """<style>
[data-testid="stMetricValue"] .stMarkdownEllipsis, [data-testid="stMetricValue"] .stMarkdownEllipsis p {
  white-space: normal; overflow-wrap: break-word; text-overflow: clip }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "Chọn tệp" }
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "Tối đa LIMIT_MB MB mỗi tệp: .xlsx, .xls, .ods, .csv, .txt"; font-size: 0.85rem }
</style>"""
# Streamlit writes the file picker's button («Upload») and limits («200MB per file • XLSX…») in English
# with no parameter to change them: the style above draws Vietnamese words in their place (README).


def page_style() -> str:
    """TILE_STYLE with the upload limit in force (``[gioi_han] tep_toi_da_mb``, the widget's own limit)."""
    from ui import actions

    return TILE_STYLE.replace("LIMIT_MB", str(actions.upload_limit_mb()))


def metric(col, label: str, value: int, out_of: int | None = None, note: str | None = None, help=None,
           show_total: bool = True) -> None:  # fmt: skip
    """A tile: ``value`` (or ``value/out_of``) with its share of ``out_of`` or a ``note`` underneath,
    Vietnamese numbers, no arrows (a share is not a change)."""
    shown = f"{fmt.number(value)}/{fmt.number(out_of)}" if out_of is not None and show_total else fmt.number(value)
    share = note or (fmt.percent(100 * value / out_of) if out_of else None)
    col.metric(label, shown, share, delta_color="off", delta_arrow="off", border=True, help=help)


def status_grid(shown: pd.DataFrame, states: pd.DataFrame, help: dict[str, str]) -> None:
    """Units × targets (``tables.unit_matrix_wide``), each cell a label in its status colour.

    The labels are Streamlit's own coloured options of a read-only multiselect column: one option
    per distinct cell text of a column, coloured by that text's status (a text starts with its
    status mark, so it has one status). A pandas Styler tinted the cells the same way but cost a
    Python call per cell on every rerun (about 30 ms for a province's hundred xã/phường)."""
    grid = shown.copy()
    config = {}
    for k in states.columns:
        texts = shown[k].to_numpy()
        status_of = {t: s for t, s in zip(texts, states[k].to_numpy(), strict=True) if isinstance(t, str)}
        grid[k] = [[t] if isinstance(t, str) else [] for t in texts]  # a unit without this target: empty
        short = catalog.indicators()[k].short if k in catalog.indicators() else k  # «Quán triệt», never CT01
        config[k] = st.column_config.MultiselectColumn(
            short, help=help.get(k), options=list(status_of), color=[status_colour(s) for s in status_of.values()]
        )
    st.dataframe(grid, hide_index=True, height=min(600, 38 + 35 * len(shown)), column_config=config, placeholder=EMPTY)


def unit_tiles(rows: pd.DataFrame) -> None:
    """One unit's targets as tiles, four to a row: its value and status (rows of ``queries.unit_matrix``)."""
    cols = st.columns(min(4, len(rows)) or 1)
    for i, r in enumerate(rows.itertuples()):
        cols[i % len(cols)].metric(
            r.indicator_name, value_text(r.value, r.measure, r.kind, unit_row=True),
            status_label(r.status), delta_color="off", delta_arrow="off", border=True,
        )  # fmt: skip


def refresh_status(get_job) -> None:
    """The Google refresh running in the background (``ui.actions.RefreshJob``): its progress per
    sheet, looked at again every second while it runs (a fragment: the rest of the page is not
    redrawn and stays usable), then its outcome; once it ends, the whole page is drawn again so the
    sources table shows what it left."""
    job = get_job()
    if job is None:
        return

    @st.fragment(run_every=None if job.finished else 1.0)
    def panel() -> None:
        j = get_job()
        if j is None:
            return
        started = f"bắt đầu {j.started:%H:%M:%S} ngày {j.started:%d/%m/%Y}, do {j.who}"
        if not j.finished:
            n = j.total
            text = f"Đang đọc {j.done + 1}/{n}: {j.current}" if n and j.done < n else "Đang công bố số liệu…"
            st.progress(j.done / n if n else 0.0, text=text if n else "Đang bắt đầu…")
            st.caption(f"Đang làm mới ({started}). Trang vẫn dùng được trong lúc đọc.")
            return
        if st.session_state.get("refresh_drawn") != id(j):  # the first run after it ended: redraw the page
            st.session_state["refresh_drawn"] = id(j)
            st.rerun(scope="app")
        failed, headline, detail = j.outcome
        (st.warning if failed else st.success)(f"{headline} (lần làm mới {started})")
        with st.expander("Tóm tắt lần làm mới"):
            st.code(detail, language=None)

    panel()


def unit_choices(units: pd.DataFrame, candidates) -> tuple[list[str], dict[str, str]]:
    """Units to map a written name to: the closest names first (``a | b | c``), then xã/phường,
    then schools, each by name; and code -> name."""
    names = dict(zip(units.code, units.name, strict=True))
    by_name = {n: c for c, n in names.items()}
    hints = [h for h in str(candidates or "").split(" | ") if h]
    first = [by_name[h] for h in hints if h in by_name]
    rest = units.sort_values(["level", "name"], ascending=[False, True]).code
    return first + [c for c in rest if c not in first], names


SCOPE_WORD = catalog.term("tat_ca_don_vi")  # every unit the viewer sees, as one (catalog/thuat_ngu.csv)
CHANGE_WORDS = {"trang_thai": "đổi trạng thái", "moi": "mới báo cáo", "giam": "giảm", "tang": "tăng"}


def change_lines(ch: pd.DataFrame, limit: int = 8) -> list[str]:
    """Short Vietnamese lines: who, which target, from what to what (``queries.changes`` rows)."""
    lines = []
    for r in ch.head(limit).itertuples():
        who = SCOPE_WORD if r.unit_code == "*" else r.unit_name
        after = f"{value_text(r.value, r.measure, r.kind, r.unit_code != '*')} ({status_label(r.status)})"
        if r.change == "moi":
            lines.append(f"**{who}** · {r.indicator_name}: {CHANGE_WORDS[r.change]}, {after}")
        else:
            before = value_text(r.value_before, r.measure, r.kind, r.unit_code != "*")
            lines.append(f"**{who}** · {r.indicator_name}: {before} → {after}")
    return lines


def _shown(kind: str, v) -> str:
    """One cell drawn in Vietnamese style (core.fmt): 1.234 ; 67,1% ; 04/12/2026 ; 04/12/2026 09:30."""
    if kind == "phan_tram":
        return fmt.percent(v)
    if kind == "so":
        return fmt.number(v)
    if kind == "so_le":
        return fmt.number(v, 0 if float(v).is_integer() else 1)
    if kind == "ngay":
        return fmt.date(v)
    return fmt.datetime(v)


STYLED_ROWS = 1000  # a Styler costs about 0,1 s per 1.000 rows on each run; a larger table uses «localized»


def show(df: pd.DataFrame, config: dict | None = None, **kw) -> None:
    """``st.dataframe`` of a table of ``ui.tables``: numeric and date columns stay numbers and dates
    (a click on the header sorts 5 before 142), drawn in Vietnamese style.

    Dates and times: Streamlit's own format («DD/MM/YYYY», «DD/MM/YYYY HH:mm»). Numbers: Streamlit's
    number formats cannot write 1.234,5 whatever the browser's language («localized» follows the
    browser; printf-style has only «,» or «_» for thousands), so up to ``STYLED_ROWS`` rows the text
    shown comes from a pandas Styler, which Streamlit draws over the unchanged values; a larger table
    (a national list) uses «localized», the browser's own style, and stays within the page's time."""
    kinds, empty = formats(df), df.attrs.get("empty", {})
    view = df.reset_index(drop=True)
    # whole numbers below 1.000 with no empty cell read the same in every style: printf «%d», no Styler (a
    # Styler of a province's hundred rows cost about a third of Tình hình báo cáo's submissions table)
    whole = {c for c, k in kinds.items() if k in ("so", "so_le") and _small_whole(view[c])}
    numbers = {c: k for c, k in kinds.items() if k not in ("ngay", "luc") and c not in whole}
    styled = bool(numbers) and len(view) <= STYLED_ROWS
    data = view
    if styled:
        data = view.style
        for c, kind in numbers.items():
            na = empty.get(c, "")
            if kind.startswith("theo:"):
                for each in ("phan_tram", "so_le"):
                    rows = [i for i in range(len(view)) if kind_at(view, c, i) == each]
                    if rows:
                        data = data.format(lambda v, k=each: _shown(k, v), subset=(rows, [c]), na_rep=na)
            else:
                data = data.format(lambda v, k=kind: _shown(k, v), subset=[c], na_rep=na)
    cfg = {}
    for c, k in kinds.items():
        why = f"Ô «{EMPTY}»: {empty[c]}" if empty.get(c) else None  # Streamlit draws every empty cell alike
        if k in ("ngay", "luc"):
            shape = "DD/MM/YYYY" if k == "ngay" else "DD/MM/YYYY HH:mm"
            cfg[c] = st.column_config.DatetimeColumn(c, help=why, format=shape)
        else:
            shape = "%d" if c in whole else None if styled else "localized"
            cfg[c] = st.column_config.NumberColumn(c, help=why, format=shape)
    cfg.update(config or {})
    kw.setdefault("hide_index", True)
    st.dataframe(data, column_config=cfg, placeholder=EMPTY, **kw)


def _small_whole(col: pd.Series) -> bool:
    """Every cell a whole number between -999 and 999 (no empty cell)."""
    v = pd.to_numeric(col, errors="coerce")
    return bool(len(v)) and bool(v.notna().all()) and bool(((v % 1 == 0) & (v.abs() < 1000)).all())


def opened(label: str, key: str, **kw):
    """An expander whose content is drawn only while it is open: the expander to draw into, or None while it
    is closed. Its state is kept (``on_change="rerun"``: opening it reruns the page, which then draws the
    content), so a page whose tables sit in a closed expander does not build them, style them and write
    their CSV on every filter change nobody opened them for (on Tổng quan that was a fifth of a rerun)."""
    box = st.expander(label, key=key, on_change="rerun", **kw)
    return box if st.session_state.get(key) else None


EMPTY = "—"  # what an empty cell reads (Streamlit's own default is the word «None»)


_FORMATS = (
    ("⬇ Tải CSV", csv_bytes, "csv", "text/csv"),
    ("⬇ Tải Excel", xlsx_bytes, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


EAGER_ROWS = 2000  # a table up to this size has its CSV built with the page (a few ms)


def downloads(df: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Excel of exactly this table (already limited to the viewer's scope); a whole-province
    download is recorded in the audit log.

    The CSV of a page-sized table is built with the page and held for this session. The Excel file,
    and the CSV of a national table, are built only when clicked (``actions.export_file``), without
    rerunning the page. Streamlit keeps a file built on click for no session in particular: each
    session's finished script run marks such files, then deletes them, so with many people at once
    the file could go before the browser fetched it (bench/LOADTEST.md); the CSV people download most
    is therefore never built that way when it is small."""
    from ui.actions import export_file, exports_recorded, record_export

    recorded = exports_recorded()  # a click reruns the page only when it has something to record
    for col, (label, build, ext, mime) in zip(st.columns(2), _FORMATS, strict=True):
        file, common = f"{name}.{ext}", {"mime": mime, "key": f"{key}_{ext}", "width": "stretch"}
        if ext == "csv" and len(df) <= EAGER_ROWS:
            click = {"on_click": record_export, "args": (file, len(df))} if recorded else {"on_click": "ignore"}
            col.download_button(label, build(df), file, **click, **common)
        else:
            col.download_button(label, export_file(build, df, file), file, on_click="ignore", **common)


def target_list(df: pd.DataFrame) -> str:
    """One bar per target as responsive HTML: name, state word and colour, value against target,
    and a tick where the pace line stands today. Reads the same on a phone and a laptop."""
    rows = []
    for r in df.itertuples():
        colour, mark, word = status_colour(r.status), STATUSES[r.status].symbol, STATUSES[r.status].label
        has_target = pd.notna(r.target) and r.target
        width = 0.0 if pd.isna(r.value) or not has_target else max(0.0, min(100.0, 100.0 * r.value / r.target))
        target_txt = value_text(r.target, r.measure) if has_target else "kế hoạch không quy định số"
        foot = f"{value_text(r.value, r.measure)} / chỉ tiêu {target_txt}"
        if pd.notna(r.deadline):
            foot += f" · hạn {fmt.date(r.deadline)}"
        tick = ""
        if has_target and pd.notna(r.pace_line) and r.status != "dat":
            left = max(0.0, min(100.0, 100.0 * r.pace_line / r.target))
            tick = f'<div class="nq-pace" style="left:{left:.1f}%" title="Đường tiến độ: {fmt.percent(r.pace_line)}"></div>'
            foot += f" · đường tiến độ cuối kỳ {fmt.percent(r.pace_line)}"
        rows.append(
            f"""<div class="nq-t"><div class="nq-h"><span class="nq-n">{html.escape(r.indicator_name)}</span>
<span class="nq-s" style="color:{colour}">{mark} {html.escape(word)}</span></div>
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
