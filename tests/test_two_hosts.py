"""Two hosts (issue 27, README «Hai máy chủ»), for real on one machine: each host is a network namespace of its
own (``ip netns``), reached over veth pairs, with its own folder, its own copy of the published database and
its own Streamlit workers started inside it. Host A is the writer: it imports with the product's command
(``python -m data_sources ingest``) and ships each published version to host B with ``python -m deploy ship``
(rsync, pushed to an rsync daemon running inside B's namespace over the A–B link). haproxy in the root
namespace (the front) balances across both hosts' workers with health checks (deploy/cluster.py's
configuration, remote servers). The test sees the new numbers from B, then stops A's workers: a page that
a real Chromium opened through haproxy on A keeps showing the dashboard, served by B after it reconnects,
and new requests through haproxy succeed.

Runs as root (CI does) with iproute2, rsync and haproxy, which ``make cluster-deps`` installs."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from deploy.cluster import cluster, healthy
from tests.browser import ARTIFACTS, chromium, wait_app
from tests.conftest import FIXTURES, ROOT, require_browser
from tests.test_cluster import require_haproxy

pytestmark = pytest.mark.browser

TAG = str(os.getpid() % 100000)
NS_A, NS_B = f"nq71-a-{TAG}", f"nq71-b-{TAG}"
A_FRONT, B_FRONT, A_LAN, B_LAN = "10.71.1.2", "10.71.2.2", "10.71.3.1", "10.71.3.2"
PERIOD = "2026-Q2"
BEFORE, AFTER = "3/102 xã, phường, đặc khu đã báo cáo", "4/102 xã, phường, đặc khu đã báo cáo"
NEW_UNIT = (  # one more commune reports for Quý II: the writer's second import
    "Tên đơn vị,Kỳ báo cáo,Tổng số CBQL GV NV,Số CBQL GV NV được quán triệt,Số người được khảo sát,"
    "Số người hiểu rõ vai trò trách nhiệm,Đã ban hành kế hoạch tuyên truyền,Số chuyên đề tuyên truyền,"
    "Số mô hình sáng kiến cách làm hiệu quả\nXã Ea Knốp,Quý II/2026,80,40,20,18,Có,1,0\n"
)
# run by B's rsync daemon after every transfer: what a reader on B would find at that moment
POST_XFER = """#!/bin/sh
L="$1/nq71.duckdb"
if [ -L "$L" ] && [ ! -e "$L" ]; then state=dangling; elif [ -e "$L" ]; then state=ok; else state=none; fi
echo "$RSYNC_EXIT_STATUS $(readlink "$L") $state" >> "$2"
"""


def require_tools() -> None:
    missing = [t for t in ("ip", "rsync") if not shutil.which(t)]
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (CI runs as root): sudo make test")
    if missing:
        pytest.fail(f"missing {missing}: run `make cluster-deps` (apt-get install rsync iproute2)")
    require_haproxy()
    require_browser()


def run(*args: str, ns: str | None = None, check: bool = True, env: dict | None = None):
    cmd = ["ip", "netns", "exec", ns, *args] if ns else list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def _veth(name: str, ns_a: str | None, addr_a: str, ns_b: str, addr_b: str) -> None:
    """A veth pair ``name`` (in ns_a, or the root namespace) – ``name``p (in ns_b), /24 addresses."""
    run("ip", "link", "add", name, "type", "veth", "peer", "name", f"{name}p", "netns", ns_b, ns=ns_a)
    run("ip", "addr", "add", f"{addr_a}/24", "dev", name, ns=ns_a)
    run("ip", "link", "set", name, "up", ns=ns_a)
    run("ip", "addr", "add", f"{addr_b}/24", "dev", f"{name}p", ns=ns_b)
    run("ip", "link", "set", f"{name}p", "up", ns=ns_b)


@contextlib.contextmanager
def two_hosts():
    """Namespaces A and B: root–A on 10.71.1.0/24, root–B on 10.71.2.0/24 (the front reaches the workers),
    A–B on 10.71.3.0/24 (the hosts' own network, over which A ships to B). Removed even on failure."""
    taken = run("ip", "-o", "addr", "show", "to", "10.71.0.0/16").stdout.strip()
    stale = [n.split()[0] for n in run("ip", "netns", "list").stdout.splitlines() if n.startswith("nq71-")]
    assert not taken, (
        f"10.71.0.0/16 is already in use on this machine:\n{taken}\n(a killed run of this test leaves namespaces "
        f"{stale}: stop what runs in them, then ip netns del NAME)"
    )
    try:
        for ns in (NS_A, NS_B):
            run("ip", "netns", "add", ns)
            run("ip", "link", "set", "lo", "up", ns=ns)
        # the root namespace is the front: its ends are named n71a…/n71b…, the hosts' ends …p
        move = ("ip", "link", "set")
        _veth(f"n71a{TAG}", None, "10.71.1.1", NS_A, A_FRONT)
        _veth(f"n71b{TAG}", None, "10.71.2.1", NS_B, B_FRONT)
        run("ip", "link", "add", f"n71x{TAG}", "type", "veth", "peer", "name", f"n71x{TAG}p")
        run(*move, f"n71x{TAG}", "netns", NS_A)
        run(*move, f"n71x{TAG}p", "netns", NS_B)
        run("ip", "addr", "add", f"{A_LAN}/24", "dev", f"n71x{TAG}", ns=NS_A)
        run("ip", "link", "set", f"n71x{TAG}", "up", ns=NS_A)
        run("ip", "addr", "add", f"{B_LAN}/24", "dev", f"n71x{TAG}p", ns=NS_B)
        run("ip", "link", "set", f"n71x{TAG}p", "up", ns=NS_B)
        yield
    finally:
        for ns in (NS_A, NS_B):  # deleting a namespace deletes the veth ends in it, and so their peers
            run("ip", "netns", "del", ns, check=False)
        for name in (f"n71a{TAG}", f"n71b{TAG}", f"n71x{TAG}"):
            run("ip", "link", "del", name, check=False)


@contextlib.contextmanager
def rsync_daemon(folder: Path, log: Path, address: str = B_LAN, allow: str = A_LAN, port: int = 873,
                 ns: str | None = NS_B, client_ns: str | None = NS_A):  # fmt: skip
    """B's rsync daemon (in B's namespace, on the A–B link) from deploy/templates/rsyncd.conf: its module ``nq71``
    is B's data folder; only A may push; links are kept as links (munge symlinks = no: the writer is trusted,
    hosts allow says which one). After every transfer it writes what a reader on B would find to ``log``."""
    conf = folder.parent / "rsyncd.conf"
    hook = folder.parent / "post-xfer.sh"
    hook.write_text(POST_XFER)
    hook.chmod(0o755)
    text = (ROOT / "deploy/templates/rsyncd.conf").read_text(encoding="utf-8")
    for old, new in (
        ("address = 10.0.0.2", f"address = {address}"),
        ("path = /var/lib/nq71", f"path = {folder}"),
        ("uid = nq71", "uid = root"),
        ("gid = nq71", "gid = root"),
        ("hosts allow = 10.0.0.1", f"hosts allow = {allow}"),
    ):
        assert old in text, old  # the template still reads as the README says
        text = text.replace(old, new)
    conf.write_text(f"{text}post-xfer exec = {hook} {folder} {log}\n", encoding="utf-8")
    inside = ("ip", "netns", "exec", ns) if ns else ()
    daemon = subprocess.Popen(
        [*inside, "rsync", "--daemon", "--no-detach", f"--config={conf}", f"--port={port}",
         f"--log-file={folder.parent / 'rsyncd.log'}"],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while run("rsync", f"rsync://{address}:{port}/", ns=client_ns, check=False).returncode != 0:
            assert daemon.poll() is None and time.monotonic() < deadline, "B's rsync daemon did not start"
            time.sleep(0.2)
        yield f"rsync://{address}:{port}/nq71"
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()


@contextlib.contextmanager
def second_host(folder: Path, db: Path, ports: list[int], env: dict):
    """Host B as a province runs it: ``python -m deploy serve`` (what nq71.service starts) inside B's namespace,
    under its own tinh.toml from the template: two workers on B's address and fixed ports, no haproxy there
    (front = false). The check runs first and must pass."""
    etc = folder / "etc"
    etc.mkdir()
    shutil.copy(ROOT / "deploy/templates/nguoi_dung.csv", etc / "nguoi_dung.csv")
    shutil.copy(ROOT / "deploy/templates/danh_sach_bao_cao.csv", etc / "danh_sach_bao_cao.csv")
    text = (ROOT / "deploy/templates/tinh.toml").read_text(encoding="utf-8")
    for old, new in (
        ('tls_cert = "nq71.pem"', 'tls_cert = ""'),
        ("workers = 1", "workers = 2"),
        ('# front = false\n# worker_address = "10.0.0.2"\n# first_worker_port = 8601',
         f'front = false\nworker_address = "{B_FRONT}"\nfirst_worker_port = {ports[0]}'),
        ('secrets = "secrets.toml"', 'secrets = ""'),
        ('database = "/var/lib/nq71/nq71.duckdb"', f'database = "{db}"'),
        ('backup_dir = "/var/backups/nq71"', f'backup_dir = "{folder / "backups"}"'),
    ):  # fmt: skip
        assert old in text, old  # the template still reads as the README says
        text = text.replace(old, new)
    (etc / "tinh.toml").write_text(f'{text}run_dir = "{folder / "run"}"\n', encoding="utf-8")
    log = open(folder / "deploy-serve.log", "w")
    proc = subprocess.Popen(
        ["ip", "netns", "exec", NS_B, sys.executable, "-m", "deploy", "serve"], cwd=ROOT,
        env={**env, "NQ71_CONFIG": str(etc / "tinh.toml")}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not all(healthy(p, 1, host=B_FRONT) for p in ports):
            assert proc.poll() is None, (
                f"deploy serve on B exited {proc.returncode}: {_tail(folder / 'deploy-serve.log')}"
            )
            assert time.monotonic() < deadline, f"B's workers did not answer: {_tail(folder / 'deploy-serve.log')}"
            time.sleep(0.5)
        yield proc
    finally:
        proc.terminate()  # deploy serve stops its workers
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its session: the workers it started
            proc.wait(5)
        log.close()


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-3000:]


class DanglingWatch:
    """Looks at B's link as fast as it can while a shipment runs: a reader on B must never find the link
    naming a file that is not there (or not whole, against its publish marker)."""

    def __init__(self, link: Path):
        self.link, self.seen, self.bad, self.looks = link, set(), [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.looks += 1
            if self.link.is_symlink():
                target = self.link.resolve()
                self.seen.add(target.name)
                if not target.exists():
                    self.bad.append(f"{target.name} missing")
                else:
                    marker = Path(f"{target}.published")
                    with contextlib.suppress(OSError, ValueError):
                        import json

                        size = json.loads(marker.read_text()).get("bytes") if marker.exists() else None
                        if size is not None and target.stat().st_size != size:
                            self.bad.append(f"{target.name} cut")

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


def _shown(page, url: str, text: str, timeout: float = 60) -> str:
    """Open ``url`` and wait until the main area shows ``text`` (a rerun may be needed); the main text."""
    page.goto(url)
    wait_app(page, timeout=60000)
    page.get_by_text(text).first.wait_for(timeout=timeout * 1000)
    assert page.locator("[data-testid='stException']").count() == 0
    return page.locator("[data-testid='stMain']").inner_text()


def _server_id(ctx) -> str:
    return next(c["value"] for c in ctx.cookies() if c["name"] == "SERVERID")


def test_a_version_published_on_the_writer_is_shipped_and_served_by_the_other_host_which_carries_on_alone(
    tmp_path,
):
    require_tools()
    a_data, b_data = tmp_path / "a" / "data", tmp_path / "b" / "data"
    a_data.mkdir(parents=True)
    b_data.mkdir(parents=True)
    a_db, b_db = a_data / "nq71.duckdb", b_data / "nq71.duckdb"
    xfer_log = tmp_path / "b" / "post-xfer.log"
    # both hosts sign the personal links with the same key (deploy check refuses two hosts without one)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NQ71_")} | {
        "NQ71_ALLOW_NO_LOGIN": "1",
        "NQ71_LINK_SECRET": secrets.token_urlsafe(48),
    }
    ns_cmd = ("ip", "netns", "exec")
    with two_hosts(), rsync_daemon(b_data, xfer_log) as dest:
        ship = [sys.executable, "-m", "deploy", "ship", "--db", str(a_db), "--to", dest]
        # the writer's first import, shipped: B starts with its own copy of version 1
        run(sys.executable, "-m", "data_sources", "ingest", str(FIXTURES / "progress_small.csv"), "--db", str(a_db),
            "--province", "66", ns=NS_A, env=env)  # fmt: skip
        first = run(*ship, ns=NS_A, env=env)
        assert "Đã gửi phiên bản 000001.duckdb" in first.stdout, first.stdout + first.stderr
        assert os.readlink(b_db) == "nq71.duckdb.versions/000001.duckdb"
        a_ports = b_ports = [8601, 8602]  # each host its own namespace: the same ports, as on two machines
        remote = tuple(f"{A_FRONT}:{p}" for p in a_ports) + tuple(f"{B_FRONT}:{p}" for p in b_ports)
        run_dir = tmp_path / "run"
        host_a = cluster(a_db, 2, run_dir=run_dir / "a", env=env, timeout=120, address=A_FRONT,
                         prefix=(*ns_cmd, NS_A), front=False, worker_ports=a_ports)  # fmt: skip
        with host_a as host_a, second_host(tmp_path / "b", b_db, b_ports, env) as host_b, chromium() as browser:
            # the front: haproxy in the root namespace, the four workers of both hosts as its servers w1…w4
            with cluster(a_db, 0, run_dir=run_dir / "front", timeout=60, remote=remote, bind="127.0.0.1",
                         writer=remote[:2]) as front:  # fmt: skip
                cfg = (run_dir / "front" / f"haproxy-{front.port}.cfg").read_text()
                for i, server in enumerate(remote, 1):
                    assert f"server w{i} {server} check cookie w{i}" in cfg
                assert "option httpchk GET /_stcore/health" in cfg and "option redispatch" in cfg
                # a page that writes, opened at its address by a browser that was on B, goes to A, the writer
                assert _get(front.url + "/nop-bao-cao?t=abc", "w3")[:2] in ((200, "w1"), (200, "w2"))
                assert _get(front.url + "/nguon-du-lieu", "w4")[:2] in ((200, "w1"), (200, "w2"))
                assert _get(front.url + "/theo-chi-tieu", "w3")[:2] == (200, None)  # a reading page stays on B
                q = f"/?ky={PERIOD}"

                # a person on host A (haproxy's cookie names A's first worker)
                person = browser.new_context(viewport={"width": 1366, "height": 900})
                person.add_cookies([{"name": "SERVERID", "value": "w1", "url": front.url}])
                page = person.new_page()
                assert BEFORE in _shown(page, front.url + q, BEFORE)
                assert _server_id(person) == "w1"

                # the writer's shipping service (nq71-ship.service: deploy ship --watch) starts: it ships what is
                # published now (B has it already), then each new version as soon as the writer publishes it
                v1, v2 = "nq71.duckdb.versions/000001.duckdb", "nq71.duckdb.versions/000002.duckdb"
                shipper_log = tmp_path / "a" / "ship-watch.log"
                with open(shipper_log, "w") as out:
                    shipper = subprocess.Popen([*ns_cmd, NS_A, *ship, "--watch", "--interval", "0.5"], cwd=ROOT,
                                               env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
                try:
                    assert len(_post_xfer(xfer_log, 10, wait=60)) == 10, _tail(shipper_log)
                    assert os.readlink(b_db) == v1
                    with DanglingWatch(b_db) as watch:
                        # the writer publishes a new version with the product's import
                        run(sys.executable, "-m", "data_sources", "ingest", str(_new_unit(tmp_path)), "--db",
                            str(a_db), "--province", "66", ns=NS_A, env=env)  # fmt: skip
                        assert os.readlink(a_db) == v2
                        deadline = time.monotonic() + 60
                        while os.readlink(b_db) != v2 or len(_post_xfer(xfer_log, 15, wait=0)) < 15:
                            assert time.monotonic() < deadline, f"B never received 000002: {_tail(shipper_log)}"
                            time.sleep(0.1)
                        time.sleep(0.2)
                finally:
                    shipper.terminate()
                    shipper.wait(10)
                assert "Đã gửi phiên bản 000002.duckdb" in _tail(shipper_log), _tail(shipper_log)
                assert watch.bad == [] and watch.looks > 10, (watch.bad, watch.looks)
                assert watch.seen == {"000001.duckdb", "000002.duckdb"}, watch.seen
                # after every transfer, B's daemon found the link naming a file that was there, or (before the first
                # link) no link: the file first, the link last
                states = [line.split()[1:] for line in _post_xfer(xfer_log, 15)]
                # five transfers a shipment (B's markers read back, the file, its marker, the link, the fallbacks):
                # the first: none × 3, v1 × 2; the service's first: v1 × 5; the new version: v1 × 3, v2 × 2
                assert states == [["none"]] * 3 + [[v1, "ok"]] * 10 + [[v2, "ok"]] * 2, states

                # B's own worker, asked directly over its veth, serves the new numbers (it was not restarted)
                direct = browser.new_context(viewport={"width": 1366, "height": 900})
                assert AFTER in _shown(direct.new_page(), f"http://{B_FRONT}:{b_ports[0]}{q}", AFTER)
                direct.close()
                # and through haproxy, a visitor on B's second worker
                on_b = browser.new_context(viewport={"width": 1366, "height": 900})
                on_b.add_cookies([{"name": "SERVERID", "value": "w4", "url": front.url}])
                assert AFTER in _shown(on_b.new_page(), front.url + q, AFTER)
                assert _server_id(on_b) == "w4"
                on_b.close()

                # host A's workers stop (a crash, a reboot): the person's page stays, the same document (never
                # reloaded), reconnects through haproxy to B, and their next click is answered by B, with the version
                # B received
                page.evaluate("window.__same_page = true")
                host_a.stop()
                assert all(w.poll() is not None for w in host_a.workers)
                deadline = time.monotonic() + 60
                while _server_id(person) not in ("w3", "w4"):
                    assert time.monotonic() < deadline, f"the page never reconnected to B: {person.cookies()}"
                    page.wait_for_timeout(250)
                assert BEFORE in page.locator("[data-testid='stMain']").inner_text()  # still on screen meanwhile
                _answered_by_b(page, deadline)
                assert page.evaluate("window.__same_page === true"), "the page was reloaded"
                main = page.locator("[data-testid='stMain']").inner_text()
                assert "Tổng quan" in main and AFTER in main and _server_id(person) in ("w3", "w4")
                assert page.locator("[data-testid='stException']").count() == 0
                page.screenshot(path=str(ARTIFACTS / "two-hosts-after-failover.png"))
                person.close()

                # new requests through haproxy succeed, all on B
                seen = set()
                for _ in range(12):
                    jar = CookieJar()
                    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
                    for path in ("/_stcore/health", q):
                        with opener.open(front.url + path, timeout=15) as r:
                            assert r.status == 200
                    seen |= {c.value for c in jar if c.name == "SERVERID"}
                assert seen and seen <= {"w3", "w4"}, seen
                # the pages that write wait for the writer, saying so in Vietnamese, never taken by B
                status, _, body = _get(front.url + "/nop-bao-cao?t=abc", "w1")
                assert status == 503 and "Máy chủ nhận báo cáo đang tạm dừng" in body, (status, body)
                newcomer = browser.new_context(viewport={"width": 1366, "height": 900})
                assert AFTER in _shown(newcomer.new_page(), front.url + q, AFTER)
                assert _server_id(newcomer) in ("w3", "w4")
                newcomer.close()
                assert host_b.poll() is None and front.haproxy.poll() is None
            # B's log: the check passed, its workers served without haproxy there
            served = _tail(tmp_path / "b" / "deploy-serve.log")
            assert "Sẵn sàng chạy" in served and f"Sẵn sàng: {B_FRONT}" in served, served


def _answered_by_b(page, deadline: float) -> None:
    """The person goes to «Theo chỉ tiêu» and back to «Tổng quan» in the sidebar (each a rerun over the page's
    websocket), until the overview shows the new version (the websocket may still be reconnecting at first)."""
    nav = page.locator("[data-testid='stSidebarNav']")
    while True:
        nav.get_by_text("Theo chỉ tiêu", exact=True).click()
        page.wait_for_timeout(1000)
        nav.get_by_text("Tổng quan", exact=True).click()
        with contextlib.suppress(Exception):
            page.get_by_text(AFTER).first.wait_for(timeout=5000)
            return
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / "two-hosts-failover-failed.png"))
            raise AssertionError("after A stopped, the page's clicks were never answered by B")


def _get(url: str, server: str) -> tuple[int, str | None, str]:
    """One request through haproxy from a browser whose SERVERID names ``server``: the status, the worker
    haproxy's answer moves it to (None: it stays), the body."""
    request = urllib.request.Request(url, headers={"Cookie": f"SERVERID={server}"})
    try:
        with urllib.request.urlopen(request, timeout=15) as r:
            status, headers, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    moved = [c.split(";")[0].split("=", 1)[1] for c in headers.get_all("Set-Cookie", []) if c.startswith("SERVERID=")]
    return status, (moved[0] if moved else None), body.decode("utf-8", "replace")


def _new_unit(tmp_path: Path, unit: str = "Xã Ea Knốp") -> Path:
    path = tmp_path / f"them_{len(unit)}_{abs(hash(unit))}.csv"
    path.write_text(NEW_UNIT.replace("Xã Ea Knốp", unit), encoding="utf-8")
    return path


def _post_xfer(log: Path, count: int, wait: float = 10) -> list[str]:
    """The daemon's post-transfer lines (it may write the last one just after the client returned)."""
    deadline = time.monotonic() + wait
    while True:
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_the_check_reads_the_two_hosts_settings(tmp_path):
    """``python -m deploy check`` on each host's file (README «Hai máy chủ»): the writer's receivers and the other
    host's workers are named; a wrong one is a ✗ with what to write; the second host needs its fixed ports."""
    from tests.test_deploy import _check, _line, _province

    def config(where: str, old: str, new: str):
        folder = tmp_path / where
        folder.mkdir()
        path = _province(folder)
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    both = 'servers = ["10.0.0.2:8601", "10.0.0.2:8602"]\nship_to = ["rsync://10.0.0.2/nq71"]'
    writer = _check(config("ghi", "servers = []\nship_to = []", both), {"NQ71_LINK_SECRET": "k" * 48})
    assert writer.returncode == 0, writer.stdout + writer.stderr
    assert _line(writer.stdout, "Gửi sang máy khác") == "✓ Gửi sang máy khác: rsync://10.0.0.2/nq71"
    assert _line(writer.stdout, "Tiến trình máy khác").startswith("✓ Tiến trình máy khác: haproxy chia tải cùng")
    assert _line(writer.stdout, "haproxy").startswith("✓")  # one process here, but haproxy in front of both hosts
    wrong = _check(config("sai", "servers = []\nship_to = []", 'servers = ["10.0.0.2"]\nship_to = ["/mnt/b"]'))
    assert wrong.returncode == 2
    assert "rsync://MÁY/MODULE" in _line(wrong.stdout, "Gửi sang máy khác")
    assert "MÁY:CỔNG" in _line(wrong.stdout, "Tiến trình máy khác")
    second = _check(config("thu_hai", "# front = false", "front = false"), {"NQ71_LINK_SECRET": "k" * 48})
    assert second.returncode == 2 and "first_worker_port" in _line(second.stdout, "Máy thứ hai")
    # each host making its own key: a link one host shows would not open on the other
    own_keys = _check(config("khoa", "servers = []\nship_to = []", both))
    assert own_keys.returncode == 2
    assert "[lien_ket] secret (cùng giá trị)" in _line(own_keys.stdout, "Khóa đường dẫn: hai máy")


def test_a_version_the_other_host_wrote_itself_is_never_overwritten_silently(tmp_path):
    """Someone imports (or a unit's report is sent) on B itself: A's next shipment would replace that version
    and lose it, so ``deploy ship`` reads B's publish markers first and refuses (exit 3, in Vietnamese; B keeps
    serving what it has) until an administrator ships with --force. Versions A published and pruned since are
    not taken for B's own. Loopback only: B's rsync daemon on 127.0.0.1."""
    if not shutil.which("rsync"):
        if os.geteuid() == 0:
            pytest.fail("rsync is missing: run `make cluster-deps` (apt-get install rsync)")
        pytest.skip("rsync is not installed and this is not root: apt-get install rsync")
    if os.geteuid() != 0:
        pytest.skip("the template's daemon runs its module as root here (uid = root): run as root (CI does)")
    from tests.browser import free_port

    a_db, b_db = tmp_path / "a" / "data" / "nq71.duckdb", tmp_path / "b" / "data" / "nq71.duckdb"
    a_db.parent.mkdir(parents=True)
    b_db.parent.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NQ71_")} | {"NQ71_VERSIONS_KEPT": "2"}

    def ingest(path: Path, db: Path) -> None:
        run(sys.executable, "-m", "data_sources", "ingest", str(path), "--db", str(db), "--province", "66", env=env)

    def sha(db: Path) -> str:
        import json

        return json.loads(Path(f"{db.resolve()}.published").read_text())["sha256"]

    with rsync_daemon(b_db.parent, tmp_path / "b" / "post-xfer.log", "127.0.0.1", "127.0.0.1", free_port(),
                      ns=None, client_ns=None) as dest:  # fmt: skip
        ship = [sys.executable, "-m", "deploy", "ship", "--db", str(a_db), "--to", dest]
        for n, path in enumerate((FIXTURES / "progress_small.csv", _new_unit(tmp_path), FIXTURES / "cycle" /
                                  "progress_small.csv"), 1):  # fmt: skip
            if n == 3:  # the office revokes a unit's link on A: the generations go with the next shipment
                run(sys.executable, "-c", f"from core import links; links.revoke({str(a_db)!r}, '24406', 'test')",
                    env=env)  # fmt: skip
            ingest(path, a_db)
            out = run(*ship, env=env)
            assert f"Đã gửi phiên bản {n:06d}.duckdb" in out.stdout, out.stdout + out.stderr
        generations = Path(f"{a_db}.links.json")
        assert generations.exists() and Path(f"{b_db}.links.json").read_bytes() == generations.read_bytes()
        # A keeps two versions; B follows: 000001, pruned on A, is gone from B too, and was not taken for B's own
        names = sorted(p.name for p in (b_db.parent / "nq71.duckdb.versions").iterdir())
        assert names == ["000002.duckdb", "000002.duckdb.published", "000003.duckdb", "000003.duckdb.published"]

        ingest(_new_unit(tmp_path, "Xã Ea Kar"), b_db)  # someone imports on B: B's own 000004
        theirs = sha(b_db)
        assert os.readlink(b_db) == "nq71.duckdb.versions/000004.duckdb"
        ingest(FIXTURES / "monthly_semicolon.csv", a_db)  # A's own 000004, other numbers
        assert os.readlink(a_db) == "nq71.duckdb.versions/000004.duckdb" and sha(a_db) != theirs
        refused = run(*ship, env=env, check=False)
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert "000004.duckdb, khác phiên bản cùng số ở máy này" in refused.stderr, refused.stderr
        # A publishes on, and prunes its own 000004: B's is still not taken for one of A's
        ingest(FIXTURES / "office_csv_export.csv", a_db)
        ingest(FIXTURES / "forms_nfd_resubmit.csv", a_db)
        assert os.readlink(a_db) == "nq71.duckdb.versions/000006.duckdb"
        assert not (a_db.parent / "nq71.duckdb.versions" / "000004.duckdb").exists()
        refused = run(*ship, env=env, check=False)
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert "000004.duckdb, không phải phiên bản máy này đã công bố hay đã gửi" in refused.stderr, refused.stderr
        assert "có người đã nhập số liệu hay gửi báo cáo ngay trên máy đó. Chưa gửi gì" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert sha(b_db) == theirs  # B still serves its own version, untouched
        watched = run(*ship, "--watch", env=env, check=False)  # the shipping service stops on it too
        assert watched.returncode == 3 and "Chưa gửi gì" in watched.stderr and sha(b_db) == theirs

        forced = run(*ship, "--force", env=env)  # the administrator recovered it and decides
        assert "Đã gửi phiên bản 000006.duckdb" in forced.stdout
        assert sha(b_db) == sha(a_db)
        names = sorted(p.name for p in (b_db.parent / "nq71.duckdb.versions").iterdir())
        assert names == ["000005.duckdb", "000005.duckdb.published", "000006.duckdb", "000006.duckdb.published"]
        again = run(*ship, env=env)  # from then on, shipping as usual
        assert "Đã gửi phiên bản 000006.duckdb" in again.stdout
