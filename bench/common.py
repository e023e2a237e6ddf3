"""What every benchmark prints beside its figures: the machine it ran on and its budget lines.

Shared by bench/run.py (`make bench`) and bench/load/ (`make loadtest`), which import this and
never each other.
"""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import duckdb
    import pandas
    import streamlit

    return (
        f"{os.cpu_count()} lõi ({cpu}), {mem} RAM, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pandas.__version__}, Streamlit {streamlit.__version__}"
    )


def budget(name: str, measured: float, limit: float, unit: str, fmt: str = "{:.2f}") -> tuple[str, bool]:
    """``budget NAME: MEASURED UNIT (limit LIMIT UNIT) ok|OVER`` and whether it is met (a NaN is OVER)."""
    ok = measured <= limit
    return (
        f"budget {name}: {fmt.format(measured)} {unit} (limit {fmt.format(limit)} {unit}) {'ok' if ok else 'OVER'}",
        ok,
    )


def pct(xs: list[float], q: int) -> float:
    """The q-th percentile (inclusive method); NaN for no value."""
    if not xs:
        return float("nan")
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1]
