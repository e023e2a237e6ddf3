"""Several Streamlit processes of the dashboard behind haproxy: ``make serve-cluster``.

    python -m deploy.cluster [--db data/demo.duckdb] [--workers 2] [--port 8500]

Each worker is ``python -m ui.serve`` (= ``streamlit run app.py``) on its own loopback port,
all reading the same published DuckDB snapshot (``NQ71_DB``: every read resolves the link to
the newest published version, core/db.py, so an import published by any writer is seen by every
worker on its next rerun). haproxy (Debian's package, ``make cluster-deps``) listens on the public
port, keeps each browser on one worker with the ``SERVERID`` cookie, checks ``/_stcore/health``
and passes Streamlit's websocket through. The configuration is written from
``deploy/haproxy.cfg.tmpl`` into ``deploy/run/`` (logs there too). Ctrl-C stops everything;
a worker that exits is started again on its port.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "haproxy.cfg.tmpl"
WRITER_DOWN = HERE / "errors" / "503-may-ghi.http"
# pages that write (a unit's «Nộp báo cáo», the sources' imports, the users): opened at these addresses, they are
# sent to the writer host's workers when there are two hosts (README «Hai máy chủ»)
WRITE_PATHS = ("/nop-bao-cao", "/nguon-du-lieu", "/nguoi-dung")
RUN_DIR = HERE / "run"
DEFAULT_PORT = 8500
DEFAULT_WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def haproxy_bin() -> str | None:
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)), None
    )


def healthy(port: int, timeout: float = 2.0, tls: bool = False, host: str = "127.0.0.1") -> bool:
    """Streamlit's health answer on a port of ``host`` (loopback unless a worker listens elsewhere; over
    HTTPS, certificate unchecked, for haproxy's TLS front: the certificate names the public host)."""
    import ssl

    context = ssl._create_unverified_context() if tls else None
    url = f"{'https' if tls else 'http'}://{host}:{port}/_stcore/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as r:
            return r.status == 200
    except OSError:
        return False


def render_config(
    port: int, worker_ports: list[int | str], pidfile: Path, bind: str = "*", balance: str = "leastconn",
    tls_cert: str = "", http_port: int = 0, writer: list[int | str] = (),
) -> str:  # fmt: skip
    """haproxy's configuration; ``tls_cert`` (a PEM holding the certificate and its key): the front
    speaks HTTPS only and tells the workers so (X-Forwarded-Proto), as one server or a cluster.
    ``worker_ports``: a port (a worker on this machine's loopback) or ``HOST:PORT`` (a worker of another
    host, README «Hai máy chủ»); each is checked on /_stcore/health and named w1, w2… in this order.
    ``writer``: those of ``worker_ports`` that run on the writer host: the pages that write (WRITE_PATHS) go to
    them only, under the same names, so the cookie their answer sets keeps the page's websocket there."""

    def address(p: int | str) -> str:
        return p if isinstance(p, str) else f"127.0.0.1:{p}"

    named = [(f"w{i}", address(p)) for i, p in enumerate(worker_ports, 1)]
    servers = "\n".join(f"    server {n} {a} check cookie {n}" for n, a in named)
    mine = {address(p) for p in writer}
    unknown = mine - {a for _, a in named}
    if unknown:
        raise ValueError(f"máy ghi {sorted(unknown)} không có trong danh sách tiến trình")
    routes = writer_backend = ""
    if mine:
        exact, under = " ".join(WRITE_PATHS), " ".join(f"{p}/" for p in WRITE_PATHS)
        routes = f"    use_backend writer if {{ path {exact} }} || {{ path_beg {under} }}\n"
        writer_backend = (
            "\n# two hosts: the pages that write, opened at their address, on the writer host's workers only (the same\n"
            "# names: the SERVERID their answer sets keeps the page's websocket there); none up: a page in Vietnamese\n"
            f"backend writer\n    balance {balance}\n    cookie SERVERID insert indirect nocache\n"
            "    option httpchk GET /_stcore/health\n    http-check expect status 200\n"
            f"    default-server inter 2s fall 3 rise 2\n    retries 3\n    option redispatch\n    errorfile 503 {WRITER_DOWN}\n"
            + "\n".join(f"    server {n} {a} check cookie {n}" for n, a in named if a in mine)
            + "\n"
        )
    ssl = f" ssl crt {tls_cert}" if tls_cert else ""
    proto = "https" if tls_cert else "http"
    hsts = '    http-response set-header Strict-Transport-Security "max-age=31536000"\n' if tls_cert else ""
    redirect = (
        f"\n# plain HTTP on {http_port}: sent to HTTPS, nothing served\nfrontend to_https\n"
        f"    bind {bind}:{http_port}\n    http-request redirect scheme https code 301\n"
        if tls_cert and http_port
        else ""
    )
    return string.Template(TEMPLATE.read_text()).substitute(
        port=port, bind=bind, pidfile=pidfile, servers=servers, balance=balance, ssl=ssl, proto=proto,
        hsts=hsts, redirect=redirect, routes=routes, writer_backend=writer_backend,
    )  # fmt: skip


@dataclass
class Cluster:
    db: Path
    port: int
    worker_ports: list[int]
    run_dir: Path
    workers: list[subprocess.Popen] = field(default_factory=list)
    haproxy: subprocess.Popen | None = None
    env: dict = field(default_factory=dict)
    restarts: int = 0
    root: Path = ROOT  # the checkout whose app.py the workers run
    tls_cert: str = ""  # PEM (certificate + key): haproxy's front speaks HTTPS
    http_port: int = 0  # with tls_cert: plain HTTP here is redirected to HTTPS (0: none)
    worker_args: tuple[str, ...] = ()  # more options for each worker (--secrets.files …)
    address: str = "127.0.0.1"  # where the workers listen (another host's haproxy reaches them there)
    prefix: tuple[str, ...] = ()  # run each worker under this command (e.g. ip netns exec NAME)
    remote: tuple[str, ...] = ()  # HOST:PORT of other hosts' workers, in haproxy's rotation after these
    front: bool = True  # False: workers only (a second host, whose workers another host's haproxy balances)
    # the writer host's workers (HOST:PORT), which alone take the pages that write; None: with other hosts'
    # workers in the rotation, this host's own (haproxy runs on the writer, README «Hai máy chủ»)
    writer: tuple[str, ...] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    def _start_worker(self, i: int) -> subprocess.Popen:
        port = self.worker_ports[i]
        log = open(self.run_dir / f"worker-{i + 1}-{port}.log", "a")
        return subprocess.Popen(
            [*self.prefix, sys.executable, "-m", "ui.serve", "--server.port", str(port),
             "--server.address", self.address, "--server.headless", "true", *self.worker_args],
            cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def start(self, timeout: float = 120.0, bind: str = "*") -> None:
        exe = haproxy_bin()
        if exe is None and self.front:
            raise RuntimeError(
                "Thiếu haproxy: chạy 'make cluster-deps' (root) hoặc 'apt-get install haproxy' rồi chạy lại."
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "NQ71_DB": str(self.db), **self.env}
        if Path(self.db).name.startswith("demo"):
            self.env.setdefault("NQ71_SCHOOLS", str(self.root / "catalog/demo/truong_hoc.csv"))
        self.workers = [self._start_worker(i) for i in range(len(self.worker_ports))]
        cfg = self.run_dir / f"haproxy-{self.port}.cfg"
        if self.front:
            pidfile = self.run_dir / f"haproxy-{self.port}.pid"
            writer = self.writer if self.writer is not None else self.worker_ports if self.remote else []
            cfg.write_text(
                render_config(self.port, [*self.worker_ports, *self.remote], pidfile, bind, tls_cert=self.tls_cert,
                              http_port=self.http_port, writer=list(writer))
            )  # fmt: skip
            check = subprocess.run([exe, "-c", "-q", "-f", str(cfg)], capture_output=True, text=True)
            if check.returncode != 0:
                self.stop()
                raise RuntimeError(f"cấu hình haproxy sai ({cfg}):\n{check.stdout}{check.stderr}")
        deadline = time.monotonic() + timeout
        pending = set(range(len(self.workers)))
        while pending:
            for i in list(pending):
                if healthy(self.worker_ports[i], 1, host=self.address):
                    pending.discard(i)
                elif self.workers[i].poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"tiến trình {i + 1} dừng khi khởi động; xem {self.run_dir}/worker-{i + 1}-*.log"
                    )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"các tiến trình Streamlit không trả lời sau {timeout:.0f} s; xem {self.run_dir}")
            time.sleep(0.3)
        if not self.front:
            return
        hlog = open(self.run_dir / f"haproxy-{self.port}.log", "a")
        self.haproxy = subprocess.Popen([exe, "-db", "-f", str(cfg)], stdout=hlog, stderr=subprocess.STDOUT)
        while not healthy(self.port, 1, tls=bool(self.tls_cert)):
            if self.haproxy.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"haproxy không trả lời trên cổng {self.port}; xem {hlog.name}")
            time.sleep(0.2)

    def supervise_once(self) -> None:
        """Start again any worker that exited (same port; haproxy's health check brings it back)."""
        for i, w in enumerate(self.workers):
            if w.poll() is not None:
                print(f"Tiến trình {i + 1} (cổng {self.worker_ports[i]}) đã dừng (mã {w.returncode}): khởi động lại.")
                self.workers[i] = self._start_worker(i)
                self.restarts += 1

    def stop(self) -> None:
        procs = [p for p in [self.haproxy, *self.workers] if p is not None]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


@contextlib.contextmanager
def cluster(db: str | Path, workers: int = DEFAULT_WORKERS, port: int | None = None,
            run_dir: Path = RUN_DIR, env: dict | None = None, timeout: float = 120.0, bind: str = "*",
            root: Path = ROOT, tls_cert: str = "", worker_args: tuple[str, ...] = (), http_port: int = 0,
            address: str = "127.0.0.1", prefix: tuple[str, ...] = (), remote: tuple[str, ...] = (),
            front: bool = True, worker_ports: list[int] | None = None,
            writer: tuple[str, ...] | None = None):  # fmt: skip
    """A running cluster (workers on free loopback ports, haproxy on ``port`` or a free one).
    ``remote``: other hosts' workers (HOST:PORT) haproxy balances too; ``front=False``: workers only, listening
    on ``address`` (a second host); ``prefix``: the command each worker runs under."""
    ports = worker_ports or [free_port() for _ in range(workers)]
    c = Cluster(Path(db).absolute(), port or free_port(), ports, Path(run_dir), env=env or {}, root=Path(root),
                tls_cert=tls_cert, worker_args=worker_args, http_port=http_port, address=address, prefix=prefix,
                remote=tuple(remote), front=front, writer=writer)  # fmt: skip
    try:
        c.start(timeout, bind)
        yield c
    finally:
        c.stop()


def main(argv: list[str] | None = None) -> int:
    from core import catalog

    ap = argparse.ArgumentParser(description="Nhiều tiến trình Streamlit sau haproxy (make serve-cluster)")
    ap.add_argument("--db", default=os.environ.get("NQ71_DB") or None,
                    help="cơ sở dữ liệu đã công bố (mặc định: database trong cấu hình, NQ71_CONFIG)")  # fmt: skip
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or DEFAULT_WORKERS),
                    help="số tiến trình Streamlit trên máy này (0: chỉ haproxy, trước các máy --server)")  # fmt: skip
    ap.add_argument("--server", action="append", default=[], metavar="MÁY:CỔNG",
                    help="một tiến trình của máy chủ khác, haproxy chia tải và kiểm tra sức khỏe cả nó (lặp lại)")  # fmt: skip
    ap.add_argument("--writer", action="append", default=None, metavar="MÁY:CỔNG",
                    help="tiến trình của máy ghi (lặp lại): chỉ chúng nhận các trang ghi số liệu; mặc định, khi có "
                         "--server: các tiến trình của máy này")  # fmt: skip
    ap.add_argument("--worker-address", default="127.0.0.1",
                    help="địa chỉ các tiến trình lắng nghe (máy thứ hai: địa chỉ mà haproxy của máy kia gọi tới)")  # fmt: skip
    ap.add_argument("--first-worker-port", type=int, default=0,
                    help="các tiến trình dùng cổng này, cổng kế tiếp… (mặc định: cổng trống bất kỳ)")  # fmt: skip
    ap.add_argument("--no-front", action="store_true",
                    help="không chạy haproxy ở máy này: chỉ các tiến trình (máy thứ hai, sau haproxy của máy kia)")  # fmt: skip
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT), help="cổng công khai")
    ap.add_argument("--bind", default="*", help="địa chỉ haproxy lắng nghe (mặc định mọi địa chỉ)")
    ap.add_argument("--run-dir", type=Path, default=RUN_DIR, help="nơi ghi cấu hình haproxy và nhật ký")
    ap.add_argument(
        "--tls-cert", default=None, help="PEM (chứng chỉ + khóa) cho HTTPS; mặc định: tls_cert trong cấu hình"
    )
    ap.add_argument(
        "--http-port",
        type=int,
        default=None,
        help="với HTTPS: cổng HTTP chuyển sang HTTPS (mặc định: http_port trong cấu hình, 80; 0: không)",
    )
    args = ap.parse_args(argv)
    try:
        s = catalog.settings()
    except ValueError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    db = args.db or str(catalog.resolve(s["database"]))
    tls = args.tls_cert if args.tls_cert is not None else str(s.get("tls_cert") or "")
    http_port = args.http_port if args.http_port is not None else int(s.get("http_port", 80) or 0)
    secrets = s.get("secrets")
    worker_args = ("--secrets.files", str(secrets)) if secrets else ()
    if not Path(db).exists() and not Path(db).is_symlink():
        if Path(db).name.startswith("demo"):
            print(f"Không thấy cơ sở dữ liệu «{db}» (make demo dựng dữ liệu mẫu).", file=sys.stderr)
            return 2
        print(f"Chưa có số liệu ở «{db}»: trang web báo chưa có số liệu cho tới lần nhập đầu tiên.", flush=True)
    stop = {"now": False}

    def _stop(*_):
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    scheme = "https" if tls else "http"
    front = not args.no_front
    if args.workers < (1 if not front else 0) or (front and args.workers + len(args.server) == 0):
        print(
            "Lỗi: không có tiến trình nào để chạy: --workers ≥ 1, hoặc --server MÁY:CỔNG cho haproxy.", file=sys.stderr
        )
        return 2
    if front:
        print(f"Khởi động {args.workers} tiến trình Streamlit và haproxy trên cổng {args.port}…", flush=True)
    else:
        print(
            f"Khởi động {args.workers} tiến trình Streamlit trên {args.worker_address} (không có haproxy)…", flush=True
        )
    first = args.first_worker_port
    try:
        with cluster(db, args.workers, args.port, args.run_dir, bind=args.bind, tls_cert=tls,
                     worker_args=worker_args, http_port=http_port if tls else 0, address=args.worker_address,
                     remote=tuple(args.server), front=front, writer=tuple(args.writer) if args.writer else None,
                     worker_ports=[first + i for i in range(args.workers)] if first else None) as c:  # fmt: skip
            ports = ", ".join(str(p) for p in c.worker_ports)
            public = s.get("public_url") or f"{scheme}://localhost:{c.port}"
            if front:
                others = f"; máy khác: {', '.join(c.remote)}" if c.remote else ""
                print(f"Sẵn sàng: {public}  (tiến trình trên cổng {ports}{others}; nhật ký {args.run_dir})")
            else:
                print(f"Sẵn sàng: {args.worker_address}, cổng {ports} (nhật ký {args.run_dir})")
            print("Ctrl-C để dừng tất cả.", flush=True)
            while not stop["now"]:
                time.sleep(2)
                if stop["now"]:  # systemd (or a process group) stops the workers with us: not a crash to restart
                    break
                c.supervise_once()
                if c.haproxy is not None and c.haproxy.poll() is not None:
                    print("haproxy đã dừng: dừng cả cụm.", file=sys.stderr)
                    return 1
    except KeyboardInterrupt:
        pass
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    print("Đã dừng.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
