"""Atomic publish: a reader in another process keeps answering during imports
and sees the new data after them (DuckDB: one writer or many readers)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

from data_sources.load.ingest import ingest_paths
from tests.conftest import FIXTURES, ROOT

READER = textwrap.dedent(
    """
    import json, sys, time
    from core.db import connect_read
    db, seconds = sys.argv[1], float(sys.argv[2])
    held = connect_read(db)                        # a dashboard session that stays open
    held_first = held.execute("SELECT count(*) FROM mart.observations").fetchall()[0][0]
    seen, errors, end = set(), [], time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            con = connect_read(db)
            seen.add(con.execute("SELECT count(*) FROM mart.observations").fetchall()[0][0])
            con.close()
        except Exception as e:
            errors.append(repr(e))
        time.sleep(0.01)
    held_last = held.execute("SELECT count(*) FROM mart.observations").fetchall()[0][0]
    print(json.dumps({"seen": sorted(seen), "errors": errors[:3], "held_stable": held_first == held_last}))
    """
)


def test_reader_in_other_process_keeps_answering(db):
    ingest_paths([FIXTURES / "monthly_semicolon.csv"], db)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), "6"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    ingest_paths([FIXTURES / "office_csv_export.csv"], db)
    ingest_paths([FIXTURES / "forms_nfd_resubmit.csv"], db)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    result = json.loads(out)
    assert result["errors"] == []
    counts = result["seen"]
    assert counts[0] == 6 and counts[-1] == 6 + 25 + 8, counts  # before, and after both imports
    assert result["held_stable"]  # the session that stayed open kept a consistent view
