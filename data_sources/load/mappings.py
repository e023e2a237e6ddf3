"""Unit names an administrator maps by hand, remembered for every later import."""

from __future__ import annotations

import datetime as dt

from ..publish.store import publishing
from ..sql import load
from .ingest import build_marts


def confirm(db, unit_key: str, written_name: str, unit_code: str) -> None:
    """Store «written name» -> unit and republish the marts with it applied."""
    with publishing(db) as con:
        known = con.execute(load("unit_exists"), {"c": unit_code}).fetchall()[0][0]
        if not known:
            raise ValueError(f"Mã đơn vị «{unit_code}» không có trong danh mục")
        con.execute(
            load("insert_mapping"),
            {"k": unit_key, "w": written_name, "c": unit_code, "t": dt.datetime.now().replace(microsecond=0)},
        )
        build_marts(con)  # a full build: the mapping applies to rows of every import
        con.execute(load("drop_prev_cells"))
