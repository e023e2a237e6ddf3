"""`make loadtest`, one module per job (bench/loadtest.py is the command line):

- scenario.py: what each person does, as data (the same for both kinds of user);
- users.py: a person in a real headless Chromium (the drawn page);
- protocol.py: a person who speaks Streamlit's websocket protocol (milliseconds of CPU per action);
- locustfile.py: the protocol person as a Locust user, and the process that runs N of them;
- driver.py: the database, one server or the haproxy cluster, N people and the probes, what the
  servers logged;
- report.py: the figures, the budget lines and bench/LOADTEST.md.
"""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
OUT = BENCH / "out" / "loadtest"
RESULTS_MD = BENCH / "LOADTEST.md"
RAMP_S = 90.0  # the people open the overview one after another over 90 s (one every 3 s for 30)
THINK_S = 10.0  # reading time between two actions: leadership understands a page in ten seconds (the brief)
