"""A province's server from its own configuration file (``NQ71_CONFIG``; ``make serve CONFIG=…``).

    python -m deploy check    one ✓/⚠/✗ line per item, with the fix; exit 2 when anything would break
    python -m deploy serve    the same check, then the dashboard: one Streamlit process on ``port``, or
                              haproxy in front (HTTPS with ``tls_cert``; ``workers`` > 1: a cluster)
    python -m deploy ship --to rsync://HOST/MODULE [--watch]
                              the published version to another host (deploy/ship.py: two hosts, one writer)

Template of the configuration: deploy/templates/tinh.toml; systemd units: deploy/systemd/.
"""

from __future__ import annotations

import argparse
import os
import sys

from core import catalog

from .check import failed, report, run_checks

CHECKED = "NQ71_CHECKED"  # set for the processes started here: the check already passed for this file


def check() -> int:
    checks = run_checks()
    print(report(checks), flush=True)
    return 2 if failed(checks) else 0


def serve(workers: int | None, port: int | None) -> int:
    checks = run_checks()
    print(report(checks), flush=True)
    if failed(checks):
        return 2
    s = catalog.settings()
    workers = workers or int(s.get("workers") or 1)
    port = port or int(s.get("port") or 8501)
    tls = str(s.get("tls_cert") or "")
    # two hosts (README «Hai máy chủ»): the front's haproxy also balances the other host's workers (servers);
    # the other host runs workers only (front = false), listening where the front reaches them
    remote = [str(x) for x in s.get("servers") or []]
    front = bool(s.get("front", True))
    os.environ[CHECKED] = str(catalog.config_path() or "")
    if workers == 1 and not tls and not remote and front:
        args = [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.headless", "true"]
        if s.get("secrets"):
            args += ["--secrets.files", str(s["secrets"])]
        if s.get("bind"):
            args += ["--server.address", str(s["bind"])]
        os.chdir(catalog.ROOT)
        os.execv(sys.executable, args)  # the server becomes this process: systemd watches it directly
    from .cluster import main as cluster_main

    argv = ["--workers", str(workers), "--port", str(port)]
    if s.get("bind"):
        argv += ["--bind", str(s["bind"])]
    for server in remote:
        argv += ["--server", server]
    if not front:
        argv += ["--no-front", "--worker-address", str(s.get("worker_address") or "127.0.0.1")]
    if s.get("run_dir"):  # haproxy's configuration and the logs (default deploy/run/)
        argv += ["--run-dir", str(catalog.resolve(s["run_dir"]))]
    if s.get("first_worker_port"):
        argv += ["--first-worker-port", str(int(s["first_worker_port"]))]
    return cluster_main(argv)


def main(argv: list[str] | None = None) -> int:
    from core.cli import vietnamese

    vietnamese()
    ap = argparse.ArgumentParser(prog="python -m deploy", description="Chạy bảng điều khiển NQ71 cho một tỉnh")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check", help="kiểm tra cấu hình trước khi chạy (một dòng ✓/⚠/✗ cho mỗi mục)")
    sv = sub.add_parser("serve", help="kiểm tra rồi chạy máy chủ theo cấu hình")
    sv.add_argument("--workers", type=int, help="số tiến trình (mặc định: workers trong cấu hình, hoặc 1)")
    sv.add_argument("--port", type=int, help="cổng (mặc định: port trong cấu hình, hoặc 8501)")
    sh = sub.add_parser("ship", help="gửi phiên bản đã công bố sang máy chủ khác (rsync; máy ghi là máy này)")
    sh.add_argument("--db", help="cơ sở dữ liệu đã công bố (mặc định: database trong cấu hình, NQ71_CONFIG)")
    sh.add_argument("--to", action="append", help="nơi nhận: rsync://MÁY[:CỔNG]/MODULE (lặp lại cho nhiều máy; "
                    "mặc định: ship_to trong cấu hình)")  # fmt: skip
    sh.add_argument("--watch", action="store_true", help="gửi ngay, rồi gửi lại mỗi khi có phiên bản mới")
    sh.add_argument("--force", action="store_true",
                    help="gửi cả khi máy kia có phiên bản tự ghi (sau khi đã lấy lại phần đó): phiên bản đó bị thay")  # fmt: skip
    sh.add_argument("--interval", type=float, default=2.0, help="với --watch: số giây giữa hai lần xem (mặc định 2)")
    args = ap.parse_args(argv)
    if args.cmd == "check":
        return check()
    if args.cmd == "ship":
        from .ship import command

        return command(args)
    return serve(args.workers, args.port)


if __name__ == "__main__":
    sys.exit(main())
