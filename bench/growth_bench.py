"""As the data grows: a national year (four quarters imported one on top of the other) and one
unit's history (the read behind «Theo đơn vị» → chi tiết) after 1 and after 20 imports."""

from __future__ import annotations

import random
import shutil
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


YEARS = (2026, 2027, 2028)


def _copy_published(src: Path, dst: Path) -> None:
    """``dst``: a database whose published version is a copy of ``src``'s (the store's layout: a link
    into ``<name>.versions``, the version marked published), for an import to publish on top of it."""
    from core.db import mark_published
    from data_sources.publish import store

    _fresh(dst)
    versions = store.versions_dir(dst)
    versions.mkdir(parents=True)
    version = versions / "000001.duckdb"
    shutil.copyfile(src.resolve(), version)
    mark_published(version)
    dst.symlink_to(Path(versions.name) / version.name)


def three_years(out: Path, codes: list[int], registry: Path, one_quarter_db: Path, reruns: int, alternations: int = 3):
    """Years of history (issue 31): the national sheets of 2026, 2027 and 2028, quarter by quarter (the
    generator's sheets relabelled), imported one on top of the other; then, alternately in one run:
    every page on one quarter and on three years (the same filter changes), and one more quarter
    imported into the three years and into an empty database."""
    from bench import pages_bench

    db = out / "three_years.duckdb"
    _fresh(db)
    per_import = []
    for year in YEARS:
        for q in (1, 2, 3, 4):
            t = time.perf_counter()
            import_answers(api_answers(codes, registry, quarter=q, year=year), db, codes, registry)
            per_import.append(time.perf_counter() - t)
    size_mb = db.resolve().stat().st_size / 1e6
    pages = pages_bench.growth(one_quarter_db, db, reruns=reruns)
    # one more quarter (2029-Q1) into the three years and into an empty database, alternately
    answers = api_answers(codes, registry, quarter=1, year=2029)
    into_history, into_empty = [], []
    for _ in range(alternations):
        target = out / "into_history.duckdb"
        _copy_published(db, target)
        t = time.perf_counter()
        import_answers(answers, target, codes, registry)
        into_history.append(time.perf_counter() - t)
        _fresh(target)
        target = out / "into_empty.duckdb"
        _fresh(target)
        t = time.perf_counter()
        import_answers(answers, target, codes, registry)
        into_empty.append(time.perf_counter() - t)
        _fresh(target)
    pairs = sorted(h / e for h, e in zip(into_history, into_empty, strict=True))
    return {
        "db": db,
        "size_mb": size_mb,
        "per_import_s": per_import,
        "pages": pages,
        "into_history_s": into_history,
        "into_empty_s": into_empty,
        "import_ratio": statistics.median(pairs),
    }
