"""One form definition (core/form.py over catalog/fields.csv): a field added to a copy of the catalog appears in
every face — the web form's fields and help, the form kit (its column, header group, validation, input message)
and the reader (a sheet with that header is read as that field, its maximum enforced).

The catalog's functions are cached for the process, so each case runs in its own Python process with
``NQ71_CATALOG`` pointing at the copy; the kit and the reader are the real ones, nothing is mocked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from core import catalog
from tests.conftest import ROOT

NEW = "so_tai_lieu,Số tài liệu được phát hành,count,sum,tài liệu,,500,Sản phẩm truyền thông trong kỳ"

SCRIPT = r"""
import datetime as dt, json, sys
import openpyxl
import queries
from core import form
from core.db import connect_read
from data_sources.load.ingest import ingest_paths
from outputs.kit import build_form
from queries import Scope

out = sys.argv[1]
kit = build_form("000", "2026-Q3", out + "/kit.xlsx")
wb = openpyxl.load_workbook(kit.path)
ws = wb.worksheets[0]
col = kit.columns.get("so_tai_lieu")
dv = next(d for d in ws.data_validations.dataValidation if f"{col}9" in d.sqref)
group = next(str(m) for m in ws.merged_cells.ranges if m.min_row == 6 and m.min_col <= ws[f"{col}6"].column <= m.max_col)
web = next(f for f in form.fields() if f.code == "so_tai_lieu")
ws[f"{col}9"], ws[f"{col}10"] = 12, 501
wb.save(out + "/filled.xlsx")
ingest_paths([out + "/filled.xlsx"], out + "/db.duckdb", province=66, seen_at=dt.datetime(2026, 10, 5, 9, 0))
con = connect_read(out + "/db.duckdb")
obs = queries.observations(con, Scope.everything(), period="2026-Q3")
rej = queries.rejects(con, Scope.everything())
con.close()
names = {r.unit_code: r.unit_name for r in obs.itertuples()}

# the web form: the «Nộp báo cáo» page opened by a unit's personal link, for the quarter of today
import os
from core import links
from core.periods import quarter_of
from streamlit.testing.v1 import AppTest

os.environ.update(NQ71_DB=out + "/db.duckdb", NQ71_ALLOW_NO_LOGIN="1", NQ71_RAISE_ERRORS="1")
unit = next(u for u, v in ((r.unit_code, r.value) for r in obs.itertuples() if r.field == "so_tai_lieu") if v == 12)
token = links.token(out + "/db.duckdb", unit, "000", quarter_of(f"{dt.date.today():%Y-%m}"))
at = AppTest.from_file(os.path.abspath("app.py"), default_timeout=60)
at.query_params["t"] = token
at.run()
at.switch_page("pages/nop_bao_cao.py").run()
box = at.text_input(key="ans_so_tai_lieu")
label, web_box_help = box.label, box.help
box.input("501").run()
web_error = [e.value.replace("\\", "") for e in at.error]

print(json.dumps({
    "web_label": label, "web_box_help": web_box_help, "web_error": web_error,
    "column": col, "leaf": ws[f"{col}7"].value, "group": group, "group_title": ws[group.split(":")[0]].value,
    "rule": dv.formula1, "prompt": dv.prompt, "web_help": web.help, "web_group": web.group,
    "read": [[names[r.unit_code], r.value] for r in obs.itertuples() if r.field == "so_tai_lieu"],
    "first_units": [ws["B9"].value, ws["B10"].value],
    "rejected": [[int(r.row), r.field, r.reason] for r in rej.itertuples() if r.field == "so_tai_lieu"],
}, ensure_ascii=False))
"""


def test_a_field_added_to_the_catalog_is_in_the_web_form_the_kit_and_the_reader(tmp_path):
    cat = tmp_path / "catalog"
    shutil.copytree(catalog.CATALOG_DIR, cat, ignore=shutil.ignore_patterns("demo"))
    lines = (cat / "fields.csv").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("kho_khan,"))
    (cat / "fields.csv").write_text("\n".join([*lines[:at], NEW, *lines[at:]]) + "\n", encoding="utf-8")
    env = {**os.environ, "NQ71_CATALOG": str(cat)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    # the kit: after «Số cuộc thi, diễn đàn, hội thi tìm hiểu» (column R), inside its group N6:S6
    assert got["column"] == "S" and got["leaf"] == "Số tài liệu được phát hành"
    assert got["group"] == "N6:S6" and got["group_title"] == "Sản phẩm truyền thông trong kỳ"
    assert "S9<=500" in got["rule"]
    help_text = "Số nguyên ≥ 0 (tài liệu). Tối đa 500."
    assert got["web_help"] == help_text and got["web_group"] == "Sản phẩm truyền thông trong kỳ"
    assert got["prompt"].startswith(help_text + " Ghi - nếu bằng 0")
    # the web form: its box, its help, the reader's maximum at entry
    assert got["web_label"] == "Số tài liệu được phát hành" and got["web_box_help"] == help_text
    assert got["web_error"] == ["«501» lớn hơn mức hợp lý tối đa 500 cho một đơn vị trong một kỳ: kiểm tra lại."]
    # the reader: row 9's 12 read as the new field; row 10's 501 above its maximum, rejected with a reason
    assert got["read"] == [[got["first_units"][0], 12.0]]
    assert [r[:2] for r in got["rejected"]] == [[10, "so_tai_lieu"]] and "500" in got["rejected"][0][2]
