"""Review of the answers prepared at publish and of the marts kept up to date key by key
(tests/test_answers.py): cases its databases and its sequence did not reach."""

from __future__ import annotations

import datetime as dt

import queries
from core.db import connect_read
from core.periods import PeriodSel
from data_sources.load import ingest as ingest_mod
from data_sources.load.ingest import ingest_paths
from data_sources.publish.store import publishing
from queries import Scope
from tests.test_answers import _quarter, _same, _unprepared


def test_prepared_equals_unprepared_when_a_formula_reads_a_field_of_the_other_kind(tmp_path):
    """A catalog whose ratio reads a flow (agg sum) and whose yearly count reads a stock (agg last): the
    reads from the quarterly values take a ratio's fields at the end of the period only when they are stocks
    and sum only flows; the prepared answers must say the same, not another number after the next publish."""
    db = tmp_path / "db" / "nq71.duckdb"
    db.parent.mkdir()
    ingest_paths([_quarter(tmp_path, 2026, q) for q in (1, 2)], db, province=66, seen_at=dt.datetime(2026, 7, 5, 8))
    with publishing(db) as con:  # as an import writes ref.indicator_inputs from such a catalog
        con.execute(
            "UPDATE ref.indicator_inputs SET field = 'so_chuyen_de' WHERE indicator = 'CT01' AND role = 'tu_so'"
        )
        con.execute("UPDATE ref.indicator_inputs SET field = 'cb_tong' WHERE indicator = 'CT04'")
        ingest_mod.build_marts(con)
        con.execute("DROP TABLE IF EXISTS mart.prev_cells")
    con = connect_read(db)
    try:
        assert queries._prepared(con)
        periods = [PeriodSel(p) for p in ("2026-Q1", "2026-Q2", "2026-H1", "2026")]
        sel = [
            {"period": p.code, "year": p.year, "q_from": p.quarters[0], "q_to": p.quarters[1], "as_of": p.as_of}
            for p in periods
        ]
        got = queries.progress_periods(con, "000", periods, Scope.everything())
        want = _unprepared(
            con, "progress", {"plan": "000", "periods": sel, "level": "xa", "scope": None, "units": None}
        )
        _same(got, want, "CT01 đọc một trường cộng dồn, CT04 một trường cuối kỳ")
    finally:
        con.close()
