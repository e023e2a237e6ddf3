"""The dashboard's Vega-Lite specs (ui/charts.py), built from the demo database's real read results:
each is valid against the Vega-Lite JSON schema Streamlit's Vega draws (the check Altair used to run
on every rerun), names only fields its data has, and carries the numbers and words people read."""

from __future__ import annotations

import datetime as dt
import re

import jsonschema
import pandas as pd
import pytest
from altair.vegalite.v6.schema import core as vega_lite

import queries
from core.db import connect_read
from core.periods import PeriodSel
from ui import charts

SCHEMA = vega_lite.load_schema()


def _check(spec: dict) -> dict[str, pd.DataFrame]:
    """Validate ``spec`` as Streamlit sends it (datasets as rows) and check every encoded field is a
    column of the dataset its layer reads; return the datasets."""
    data = spec["datasets"]
    jsonschema.validate({**spec, "datasets": {k: v.to_dict("records") for k, v in data.items()}}, SCHEMA)
    for layer in spec.get("layer", [spec]):
        columns = set(data[layer["data"]["name"]].columns)
        for channel in layer["encoding"].values():
            for enc in channel if isinstance(channel, list) else [channel]:
                assert "field" not in enc or enc["field"] in columns, (enc, columns)
    return data


def test_a_spec_that_breaks_the_schema_is_caught():
    spec = charts.on_time_chart(pd.DataFrame({"quarter": ["2026-Q1"], "on_time_rate": [50.0], "target": [None]}))
    _check(spec)
    spec["layer"][0]["mark"] = {"type": "lines"}  # no such mark
    with pytest.raises(jsonschema.ValidationError):
        _check(spec)


def test_trend_lines_per_target_with_vietnamese_labels(demo_db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(demo_db))
    from ui import data, filters

    f = filters.defaults()
    trend = data.overview(f).trend
    assert queries.has_trend(trend)
    spec = charts.trend_chart(trend)
    rows = _check(spec)["trend"]
    assert len(rows) == len(trend)
    assert set(rows.quarter) == {"Quý I/2026", "Quý II/2026"}  # the demo's two quarters
    assert spec["encoding"]["x"]["sort"] == ["Quý I/2026", "Quý II/2026"]
    for text, value in zip(rows.text, trend.value, strict=True):  # «47,5%»: a decimal comma, rounded
        assert re.fullmatch(r"\d+(,\d+)?%", text), text
        assert float(text[:-1].replace(",", ".")) == pytest.approx(value, abs=0.05)


def test_indicator_bars_follow_the_units_and_the_target(demo_db):
    con = connect_read(demo_db)
    try:
        prog = queries.progress(con, "000", PeriodSel("2026-Q2"), queries.Scope.everything(), level="xa")
    finally:
        con.close()
    overall, rows, _ = queries.indicator_view(prog, "CT01")
    spec = charts.indicator_bars(rows, overall)
    data = _check(spec)
    bars = data["units"]
    assert len(rows) > charts.BARS_MAX  # the demo's 100-odd xã/phường: the chart draws the first ones
    first = rows.head(charts.BARS_MAX)
    assert list(bars.unit) == list(first.unit_name)  # worst first, as the read API ordered them
    assert bars.value.tolist() == pytest.approx(first.value.astype(float).tolist(), nan_ok=True)
    assert all(t.endswith(("Đạt", "Chậm", "Đúng tiến độ", "Chưa có số liệu")) for t in bars.text)
    assert spec["height"] == charts.BAR * charts.BARS_MAX
    few = charts.indicator_bars(rows.head(3), overall)
    assert list(_check(few)["units"].unit) == list(rows.unit_name.head(3)) and few["height"] == 120
    assert data["target"].target.tolist() == [float(overall.target)]
    assert data["target"].label.iloc[0] == f"Chỉ tiêu {overall.target:g}%"

    no_target = overall.copy()
    no_target["target"] = None
    plain = charts.indicator_bars(rows, no_target)
    assert "target" not in _check(plain) and len(plain["layer"]) == 2  # no rule, no label


def test_bars_note_says_how_many_units_the_chart_leaves_out():
    assert charts.bars_note(charts.BARS_MAX) is None
    note = charts.bars_note(3321)
    assert f"vẽ {charts.BARS_MAX} đơn vị" in note and "3.321 đơn vị có số liệu" in note and "Tất cả đơn vị" in note


def test_on_time_chart_from_the_reporting_view(demo_db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(demo_db))
    from ui import data, filters

    f = filters.defaults()
    _, summary = data.reporting_view(f, dt.date(2026, 11, 23))
    spec = charts.on_time_chart(summary)
    got = _check(spec)
    assert got["on_time"].on_time_rate.tolist() == pytest.approx(summary.on_time_rate.astype(float).tolist())
    has_target = summary.target.notna().any()
    assert ("target" in got) == has_target and len(spec["layer"]) == 1 + has_target
