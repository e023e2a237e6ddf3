"""Data tests on the published marts, in the dbt style: every check is a query that lists the rows
breaking a rule, and passes when it lists none. Table-driven; run on three real databases built
through the real ingest:

* ``demo``: the bundled demo (``conftest.demo_db``);
* ``bench``: bench/generate.py's seeded data at its smallest size (one province, Q1 and Q2 as the
  Sheets API returns them) through ``ingest_tabs``, as ``make bench`` loads it;
* ``fixtures``: every sheet of tests/fixtures through ``ingest_paths`` (months, a half-year, every
  kind of reject, unmatched and ambiguous names, a broken ≤ pair, text answers).

Grains from data_sources/sql/schema.sql and build_marts.sql."""

from __future__ import annotations

import pytest

from core.db import connect_read
from tests.conftest import FIXTURES

DATABASES = ["demo", "bench", "fixtures"]


@pytest.fixture(scope="session")
def bench_db(tmp_path_factory):
    from bench.generate import api_answers, provinces, school_registry, tabs_from_answers
    from data_sources.load.ingest import ingest_tabs

    out = tmp_path_factory.mktemp("bench")
    codes = provinces(1)
    registry = out / "truong.csv"
    school_registry(registry, codes)
    db = out / "bench.duckdb"
    for quarter in (1, 2):
        ingest_tabs(tabs_from_answers(api_answers(codes, registry, quarter)), db, province=codes, schools=str(registry))
    return db


@pytest.fixture(scope="session")
def fixtures_db(tmp_path_factory):
    from data_sources.load.ingest import ingest_paths

    sheets = sorted(
        p
        for p in FIXTURES.iterdir()
        if p.suffix in (".csv", ".xlsx")
        and not p.name.endswith((".expected.csv", ".rejects.csv"))
        and p.name not in ("school_registry.csv", "don_vi_empty.csv")  # registries: don_vi_empty is header-only
    )
    db = tmp_path_factory.mktemp("fixtures") / "fixtures.duckdb"
    ingest_paths(sheets, db, schools=FIXTURES / "school_registry.csv")
    return db


@pytest.fixture(scope="session", params=DATABASES)
def con(request):
    db = request.getfixturevalue(f"{request.param}_db")
    c = connect_read(db)
    yield c
    c.close()


def offenders(con, sql: str) -> list[tuple]:
    return con.execute(sql + " LIMIT 5").fetchall()


# table: (unique key, columns of the key that may be NULL)
KEYS = {
    "mart.current_cells": (["unit_code", "period", "field"], []),
    "mart.observations": (["unit_code", "period", "field"], []),
    "mart.quarterly": (["unit_code", "quarter", "field"], []),
    "mart.texts": (["unit_code", "period", "field"], []),
    "mart.submissions": (["unit_code", "period"], []),
    "mart.validation": (["unit_code", "period", "num_field"], []),
    "mart.flags": (["unit_code", "period", "field"], []),
    # one problem per cell, or per row for the unit and the period ("column" is empty for a period)
    "mart.rejects": (["kind", "source", "sheet", "row", "col", "field"], ["col"]),
    "mart.unmatched": (["unit_key", "unit_text", "parent_text"], ["parent_text"]),
    "ref.units": (["code"], []),
    "ref.fields": (["code"], []),
    "ref.indicators": (["code"], []),
    "ref.plans": (["plan"], []),
    "ref.targets": (["plan", "indicator"], []),
    "ref.deadlines": (["plan", "period"], []),
    "ref.provinces": (["province"], []),
    "ref.unit_mappings": (["unit_key"], []),
    "ref.sources": (["source_id"], []),
}


def _q(col: str) -> str:
    return f'"{col}"'


@pytest.mark.parametrize(("table", "keys", "nullable"), [(t, k, n) for t, (k, n) in KEYS.items()], ids=list(KEYS))
def test_unique_key(con, table, keys, nullable):
    cols = ", ".join(map(_q, keys))
    assert offenders(con, f"SELECT {cols}, count(*) AS n FROM {table} GROUP BY ALL HAVING count(*) > 1") == []


@pytest.mark.parametrize(("table", "keys", "nullable"), [(t, k, n) for t, (k, n) in KEYS.items()], ids=list(KEYS))
def test_key_not_null(con, table, keys, nullable):
    cond = " OR ".join(f"{_q(k)} IS NULL" for k in keys if k not in nullable)
    assert offenders(con, f"SELECT * FROM {table} WHERE {cond}") == []


# (table, column, the rows it applies to)
UNIT_CODES = [
    ("mart.current_cells", "unit_code", "TRUE"),
    ("mart.quarterly", "unit_code", "TRUE"),
    ("mart.texts", "unit_code", "TRUE"),
    ("mart.submissions", "unit_code", "TRUE"),  # a confirmed mapping's code too, not only a matched one
    ("mart.validation", "unit_code", "TRUE"),
    ("mart.flags", "unit_code", "TRUE"),
    ("ref.unit_mappings", "unit_code", "TRUE"),
    ("ref.units", "parent_code", "parent_code IS NOT NULL"),  # a school's xã/phường
]


@pytest.mark.parametrize(("table", "column", "where"), UNIT_CODES, ids=[f"{t}.{c}" for t, c, _ in UNIT_CODES])
def test_every_unit_code_is_in_ref_units(con, table, column, where):
    sql = (
        f"SELECT DISTINCT t.{column} FROM {table} AS t WHERE {where} AND t.{column} NOT IN (SELECT code FROM ref.units)"
    )
    assert offenders(con, sql) == []


FIELDS = [
    ("mart.current_cells", "field", "TRUE"),
    ("mart.quarterly", "field", "TRUE"),
    ("mart.observations", "field", "TRUE"),
    ("mart.texts", "field", "TRUE"),
    ("mart.flags", "field", "TRUE"),
    ("mart.validation", "num_field", "TRUE"),
    ("mart.validation", "den_field", "TRUE"),
    # the other kinds name the row's unit ("don_vi"), its period ("ky_bao_cao") or a ratio ("ty_le")
    ("mart.rejects", "field", "kind IN ('gia_tri', 'kiem_tra', 'thay_the')"),
    ("ref.fields", "denominator", "denominator <> ''"),
]


@pytest.mark.parametrize(("table", "column", "where"), FIELDS, ids=[f"{t}.{c}" for t, c, _ in FIELDS])
def test_every_field_is_in_ref_fields(con, table, column, where):
    sql = f"SELECT DISTINCT t.{column} FROM {table} AS t WHERE {where} AND t.{column} NOT IN (SELECT code FROM ref.fields)"
    assert offenders(con, sql) == []


def test_every_target_names_a_known_indicator_and_plan(con):
    assert offenders(con, "SELECT * FROM ref.targets WHERE indicator NOT IN (SELECT code FROM ref.indicators)") == []
    assert offenders(con, "SELECT * FROM ref.targets WHERE plan NOT IN (SELECT plan FROM ref.plans)") == []
    assert offenders(con, "SELECT * FROM ref.deadlines WHERE plan NOT IN (SELECT plan FROM ref.plans)") == []


# native period codes: 2026, 2026-H1, 2026-Q1, 2026-04
NATIVE = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
PERIODS = ["mart.current_cells", "mart.observations", "mart.texts", "mart.submissions", "mart.validation",
           "mart.flags", "ref.deadlines"]  # fmt: skip


@pytest.mark.parametrize("table", PERIODS)
def test_every_period_is_a_native_code(con, table):
    assert offenders(con, f"SELECT DISTINCT period FROM {table} WHERE NOT regexp_matches(period, '{NATIVE}')") == []


# the quarter a native period counts in, written out by hand: a quarter is its own, a month is in
# the quarter of its number, a half-year or a year has none (mart.quarterly places those)
QUARTER_OF = """
    (VALUES ('Q1', 'Q1'), ('Q2', 'Q2'), ('Q3', 'Q3'), ('Q4', 'Q4'),
            ('01', 'Q1'), ('02', 'Q1'), ('03', 'Q1'), ('04', 'Q2'), ('05', 'Q2'), ('06', 'Q2'),
            ('07', 'Q3'), ('08', 'Q3'), ('09', 'Q3'), ('10', 'Q4'), ('11', 'Q4'), ('12', 'Q4'))
    AS q(part, quarter)"""


@pytest.mark.parametrize("table", ["mart.current_cells", "mart.observations", "mart.texts", "mart.submissions"])
def test_quarter_column_is_the_quarter_of_the_period(con, table):
    sql = f"""
        SELECT DISTINCT t.period, t.quarter, substr(t.period, 1, 5) || q.quarter AS want
        FROM {table} AS t LEFT JOIN {QUARTER_OF} ON q.part = substr(t.period, 6)
        WHERE t.quarter IS DISTINCT FROM substr(t.period, 1, 5) || q.quarter"""
    assert offenders(con, sql) == []


def test_quarterly_quarter_agrees_with_year_and_qn(con):
    sql = """
        SELECT DISTINCT quarter, year, qn FROM mart.quarterly
        WHERE NOT regexp_matches(quarter, '^\\d{4}-Q[1-4]$') OR qn NOT BETWEEN 1 AND 4
           OR quarter IS DISTINCT FROM CAST(year AS VARCHAR) || '-Q' || CAST(qn AS VARCHAR)"""
    assert offenders(con, sql) == []


def test_quarterly_only_quarters_that_were_reported(con):
    """Every unit × quarter × field in mart.quarterly comes from a current cell in that quarter
    (a quarter or a month of it) or from a half-year / year that ends in it."""
    sql = f"""
        SELECT DISTINCT y.unit_code, y.quarter, y.field FROM mart.quarterly AS y
        WHERE NOT EXISTS (
            SELECT 1 FROM mart.current_cells AS c LEFT JOIN {QUARTER_OF} ON q.part = substr(c.period, 6)
            WHERE c.unit_code = y.unit_code AND c.field = y.field AND substr(c.period, 1, 4) = CAST(y.year AS VARCHAR)
              AND (q.quarter = 'Q' || y.qn OR (c.period LIKE '%-H1' AND y.qn = 2)
                   OR ((c.period LIKE '%-H2' OR length(c.period) = 4) AND y.qn = 4)))"""
    assert offenders(con, sql) == []


# what each database must hold, so that no check above passes for want of rows
NOT_EMPTY = {
    "demo": ["mart.current_cells", "mart.observations", "mart.quarterly", "mart.texts", "mart.submissions",
             "mart.validation", "mart.flags", "mart.rejects", "mart.unmatched", "ref.units", "ref.fields",
             "ref.indicators", "ref.plans", "ref.targets", "ref.deadlines"],
    "bench": ["mart.current_cells", "mart.observations", "mart.quarterly", "mart.submissions", "ref.units"],
    "fixtures": ["mart.current_cells", "mart.observations", "mart.quarterly", "mart.texts", "mart.submissions",
                 "mart.validation", "mart.flags", "mart.rejects", "mart.unmatched", "ref.units"],
}  # fmt: skip


@pytest.mark.parametrize("name", DATABASES)
def test_the_checks_have_rows_to_check(request, name):
    c = connect_read(request.getfixturevalue(f"{name}_db"))
    try:
        empty = [t for t in NOT_EMPTY[name] if c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0]
        periods = {p for (p,) in c.execute("SELECT DISTINCT period FROM mart.current_cells").fetchall()}
    finally:
        c.close()
    assert empty == []
    if name == "fixtures":  # months, a half-year and quarters all reach the marts
        assert {"2026-04", "2026-05", "2026-H1", "2026-Q1", "2026-Q2"} <= periods
    if name == "bench":  # one province, two quarters
        assert periods == {"2026-Q1", "2026-Q2"}


STATUSES = {"dat", "dung_tien_do", "cham", "chua_co_so_lieu", "theo_doi"}


def test_status_vocabulary_is_published(con):
    """ref.statuses (catalog/statuses.csv, loaded by refresh_ref) holds the five status codes."""
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ref' AND table_name = 'statuses'"
    ).fetchone()[0]
    assert has == 1, "ref.statuses is not published"
    assert {c for (c,) in con.execute("SELECT code FROM ref.statuses").fetchall()} == STATUSES
    assert offenders(con, "SELECT code, count(*) FROM ref.statuses GROUP BY ALL HAVING count(*) > 1") == []
