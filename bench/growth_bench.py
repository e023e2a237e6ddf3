"""As the data grows: a national year (four quarters imported one on top of the other) and one
unit's history (the read behind «Theo đơn vị» → chi tiết) after 1 and after 20 imports."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import queries
from bench.generate import api_answers, import_answers
from core.db import connect_read

from .ingest_bench import _fresh


def national_year(out: Path, codes: list[int], registry: Path) -> dict:
    """Q1, Q2, Q3, Q4 of every province, imported in turn into a fresh database (the unit indexes
    of the first import reused by the next, as in service). Seconds per quarter and in all."""
    db = out / "year.duckdb"
    _fresh(db)
    per_quarter = []
    for q in (1, 2, 3, 4):
        answers = api_answers(codes, registry, quarter=q)
        t = time.perf_counter()
        import_answers(answers, db, codes, registry)
        per_quarter.append(time.perf_counter() - t)
    _fresh(db)
    return {"year_s": sum(per_quarter), "per_quarter_s": per_quarter}


def _history_ms(db: Path, units: list[str], repeat: int = 3) -> float:
    con = connect_read(db)
    try:
        times = []
        for _ in range(repeat):
            for u in units:
                t = time.perf_counter()
                queries.unit_history(con, queries.Scope.everything(), u)
                times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)
    finally:
        con.close()


def history_after_imports(out: Path, codes: list[int], registry: Path, imports: int = 20) -> dict:
    """One unit's history read (median ms over 10 units × 3) after one national import and after
    ``imports`` in all: the later ones re-read four provinces' sheets, Q1 and Q2 in turn (a refresh
    re-reads the sheets edited since the last one), so every import adds staged rows."""
    db = out / "history.duckdb"
    _fresh(db)
    import_answers(api_answers(codes, registry), db, codes, registry)
    con = connect_read(db)
    try:
        units = sorted(queries.units(con, queries.Scope.everything()).query("level == 'xa'").code)
    finally:
        con.close()
    sample = random.Random(71).sample(units, 10)
    first = _history_ms(db, sample)
    some = codes[:4]
    for i in range(imports - 1):
        answers = api_answers(some, registry, quarter=1 + i % 2)
        import_answers(answers, db, codes, registry, refresh=True)
    last = _history_ms(db, sample)
    _fresh(db)
    return {"first_ms": first, "last_ms": last, "imports": imports, "ratio": last / first}
