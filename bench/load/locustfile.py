"""N protocol people as Locust users (bench/load/protocol.py), in a process of their own.

    python -m bench.load.locustfile CONFIG.json      # what bench/load/driver.py runs
    locust -f bench/load/locustfile.py --host URL    # Locust's own console, one person's script per user

Locust runs each user in a gevent greenlet and patches the standard library on import (sockets,
``time.sleep``): this module is never imported by the driver or the tests, which run it as a
process. CONFIG (JSON): ``url``, ``users``, ``first`` (the first person's number: the browsers take
the others), ``spacing`` (seconds between two people's opening), ``rounds_at`` (the ramp's end, on the
machine's monotonic clock, which every process shares), ``rounds``, ``think``, ``facts`` (provinces
and quarters), ``out`` (where the results go: every action's time or error, and the CPU this process
used).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time

import gevent
from locust import User, task
from locust.env import Environment
from locust.exception import StopUser

from bench.load.protocol import StreamlitSession, run_person

CONFIG: dict = {}
RECORDS: list[dict] = []
DONE: list[int] = []
_numbers = itertools.count()


def _config() -> dict:
    if not CONFIG and os.environ.get("NQ71_LOAD_CONFIG"):  # `locust -f` with a configuration file
        CONFIG.update(json.loads(open(os.environ["NQ71_LOAD_CONFIG"]).read()))
    return CONFIG


class StreamlitUser(User):
    """One person of bench/load/scenario.py over Streamlit's websocket protocol: opens the overview,
    changes the province, a xã/phường and the quarter, opens two pages, downloads a CSV, goes back."""

    def on_start(self) -> None:
        self.k = next(_numbers)
        cfg = _config()
        self.person = cfg.get("first", 0) + self.k
        self.session = StreamlitSession(cfg.get("url") or self.host)

    def on_stop(self) -> None:
        self.session.close()

    def record(self, action: str, seconds: float | None, error: str | None = None) -> None:
        RECORDS.append({"person": self.person, "action": action, "s": seconds, "error": error})
        self.environment.events.request.fire(
            request_type="streamlit", name=action, response_time=(seconds or 0) * 1000, response_length=0,
            exception=RuntimeError(error) if error else None, context={},
        )  # fmt: skip

    @task
    def person(self) -> None:
        cfg = _config()
        time.sleep(self.k * cfg.get("spacing", 0.0))  # the people open one after another (the ramp)
        try:
            run_person(self.session, self.person, cfg.get("facts") or {"provinces": [], "quarters": []},
                       cfg.get("rounds", 1), cfg.get("think", 0.0), self.record, cfg.get("rounds_at", 0.0))  # fmt: skip
        except Exception as e:  # anything unexpected in the script itself is an error too
            self.record("session", None, f"{type(e).__name__}: {e}")
        finally:
            DONE.append(self.person)
        raise StopUser()


def main(argv: list[str]) -> int:
    CONFIG.update(json.loads(open(argv[0]).read()))
    users = CONFIG["users"]
    env = Environment(user_classes=[StreamlitUser], host=CONFIG["url"])
    runner = env.create_local_runner()
    cpu, t = time.process_time(), time.perf_counter()
    runner.start(users, spawn_rate=max(users, 1), wait=False)  # each user waits its turn (spacing) itself
    deadline = time.monotonic() + CONFIG.get("timeout", 3600)
    while len(DONE) < users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    runner.quit()
    out = {
        "records": RECORDS,
        "people_done": len(DONE),
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - t,
    }
    with open(CONFIG["out"], "w") as f:
        json.dump(out, f, ensure_ascii=False)
    return 0 if len(DONE) == users else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
