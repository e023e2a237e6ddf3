"""Command line for cron and administrators.

    python -m data_sources ingest PATH [PATH ...] --db DB [--province CODE] [--schools FILE]
    python -m data_sources form-kit …   (= python -m outputs form-kit: the form kit is in outputs/kit)
    python -m data_sources remind --period 2026-Q3 --days-before 3      (the reminder e-mails, for cron)

Exit 0 when the files were read (even with rejected values), 2 when a file
cannot be read at all (nothing is published then).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys

from core import catalog

from .publish.store import StoreError
from .read.readers import ReadError


def _cycle_parser(sub) -> None:
    cy = sub.add_parser("cycle", help="chu trình báo cáo: duyệt, trả lại, mở khóa, thay đổi chờ duyệt, nhắc")
    cs = cy.add_subparsers(dest="action", required=True)
    a = cs.add_parser("approve", help="duyệt (và khóa) báo cáo một kỳ của một hay nhiều đơn vị")
    r = cs.add_parser("return", help="trả lại báo cáo một kỳ của một đơn vị, kèm lý do")
    u = cs.add_parser("unlock", help="mở khóa một kỳ đã duyệt, kèm lý do")
    m = cs.add_parser("remind", help="ghi nhận đã nhắc một hay nhiều đơn vị")
    for x in (a, r, u, m):
        x.add_argument("--db", required=True)
        x.add_argument("--period", required=True, help="quý, ví dụ 2026-Q1")
        x.add_argument("--by", required=True, help="người thực hiện (ghi vào lịch sử)")
    for x in (a, m):
        x.add_argument("--unit", action="append", required=True, help="mã đơn vị (lặp lại cho nhiều đơn vị)")
    for x in (r, u):
        x.add_argument("--unit", required=True, help="mã đơn vị")
        x.add_argument("--reason", required=True, help="lý do (đơn vị đọc được)")
    pe = cs.add_parser("pending", help="liệt kê các thay đổi đang chờ duyệt")
    pe.add_argument("--db", required=True)
    for name, text in (("accept", "chấp nhận"), ("reject", "từ chối")):
        x = cs.add_parser(name, help=f"{text} một thay đổi chờ duyệt")
        x.add_argument("--db", required=True)
        x.add_argument("--change", type=int, required=True, help="số của thay đổi (xem: cycle pending)")
        x.add_argument("--by", required=True)


def _cycle(args) -> int:
    from .load import cycle

    try:
        if args.action == "approve":
            lines = cycle.approve(args.db, args.period, args.unit, args.by)
        elif args.action == "return":
            lines = [cycle.return_report(args.db, args.period, args.unit, args.reason, args.by)]
        elif args.action == "unlock":
            lines = [cycle.unlock(args.db, args.period, args.unit, args.reason, args.by)]
        elif args.action == "remind":
            lines = [f"Đã ghi nhận nhắc {cycle.remind(args.db, args.period, args.unit, args.by)} đơn vị."]
        elif args.action == "accept":
            lines = [cycle.accept(args.db, args.change, args.by)]
        elif args.action == "reject":
            lines = [cycle.reject(args.db, args.change, args.by)]
        else:
            df = cycle.pending(args.db)
            if df.empty:
                print("Không có thay đổi nào chờ duyệt.")
                return 0
            print(df.to_csv(sep="\t", index=False), end="")
            return 0
    except cycle.CycleError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def _remind_parser(sub) -> None:
    from outputs.remind import add_arguments

    add_arguments(sub.add_parser("remind", help="gửi thư nhắc các đơn vị chưa báo cáo hoặc bị trả lại (cho cron)"))


def _remind(args) -> int:
    """The front door of ``python -m outputs remind``: the command the issue (26) and the cron lines name.
    The only import of ``outputs`` in this package (an ``ignore_imports`` of the layers contract in
    pyproject.toml); the pipeline itself never imports it. (``cycle remind`` only records a reminder.)"""
    from outputs.remind import command

    return command(args)


DB_HELP = "tệp cơ sở dữ liệu DuckDB (mặc định: database trong cấu hình, NQ71_CONFIG)"


def _default_db(args) -> int | None:
    """``--db`` left out: the configured database (systemd units and cron name the configuration
    only). A configuration that cannot be read, or a --db that does not exist where one must: exit 2."""
    from pathlib import Path

    if getattr(args, "db", "unset") is None:
        try:
            args.db = str(catalog.resolve(catalog.settings()["database"]))
        except ValueError as e:
            print(f"Lỗi: {e}", file=sys.stderr)
            return 2
    if args.cmd in ("refresh", "backup") and not Path(args.db).exists():
        print(
            f"Lỗi: không thấy cơ sở dữ liệu «{args.db}». Kiểm tra --db hoặc database trong cấu hình; "
            "cơ sở dữ liệu được tạo ở lần nhập đầu tiên (python -m data_sources ingest …).",
            file=sys.stderr,
        )
        return 2
    return None


def main(argv: list[str] | None = None) -> int:
    from core.cli import vietnamese

    vietnamese()
    p = argparse.ArgumentParser(prog="python -m data_sources", description="Nhập số liệu biểu mẫu NQ71 vào DuckDB")
    sub = p.add_subparsers(dest="cmd", required=True)
    ing = sub.add_parser("ingest", help="nhập tệp .xlsx / .csv")
    ing.add_argument("paths", nargs="+", metavar="PATH")
    ing.add_argument("--db", required=True, help="tệp cơ sở dữ liệu DuckDB")
    ing.add_argument("--province", type=int, help="mã tỉnh chính thức (66 Đắk Lắk, 24 Bắc Ninh)")
    ing.add_argument("--schools", help="danh mục trường (CSV: ma_truong,ten_truong,cap_hoc,ma_xa)")
    ing.add_argument(
        "--seen-at",
        help="thời điểm nhận báo cáo (dd/mm/yyyy HH:MM) khi nhập bù tệp nhận từ trước; mặc định: bây giờ",
    )
    rf = sub.add_parser("refresh", help="đọc lại các bảng Google Sheets đã đăng ký (cho cron)")
    rf.add_argument("--db", help=DB_HELP)
    rf.add_argument("--sources", help="tệp CSV url,tabs,label: đăng ký thêm trước khi đọc")
    rf.add_argument("--deadline", type=float, default=600, help="giới hạn thời gian cả lần làm mới (giây)")
    src = sub.add_parser("sources", help="đăng ký / liệt kê / bỏ bảng Google Sheets")
    src.add_argument("action", choices=["add", "list", "remove"])
    src.add_argument("link", nargs="?", help="đường dẫn Google Sheets hoặc mã bảng")
    src.add_argument("--db", required=True)
    src.add_argument("--tabs", default="", help="tên các trang cần đọc, cách nhau bởi dấu phẩy (mặc định: tất cả)")
    src.add_argument("--label", default="", help="tên hiển thị")
    sub.add_parser("demo", help="tạo lại các tệp số liệu mẫu trong catalog/demo/")
    bk = sub.add_parser(
        "backup", help="sao lưu toàn bộ trạng thái (số liệu, người dùng, nhật ký, cấu hình) ra một tệp .tar"
    )
    bk.add_argument("--db", help=DB_HELP)
    bk.add_argument("--out", help="tệp .tar hoặc thư mục (mặc định: backup_dir trong cấu hình, tên theo ngày giờ)")
    rs = sub.add_parser("restore", help="khôi phục một bản sao lưu (kiểm tra mã kiểm tra trước khi ghi)")
    rs.add_argument("--db", help=DB_HELP)
    rs.add_argument("--from", dest="source", required=True, help="tệp sao lưu (.tar; hoặc .duckdb cũ)")
    rs.add_argument("--config-to", help="thư mục nhận các tệp cấu hình trong bản sao lưu (để xem lại)")
    bd = sub.add_parser("build-demo", help="nhập số liệu mẫu vào cơ sở dữ liệu demo")
    bd.add_argument("--db", default="data/demo.duckdb")
    bd.add_argument("--if-missing", action="store_true", help="chỉ tạo khi chưa có")
    # the form kit lives in outputs/kit (a document the product writes); this command stays its front door
    from outputs.kit import add_form_kit_parser

    add_form_kit_parser(sub)
    _cycle_parser(sub)
    _remind_parser(sub)
    args = p.parse_args(argv)
    if (code := _default_db(args)) is not None:
        return code
    if args.cmd == "cycle":
        return _cycle(args)
    if args.cmd == "remind":
        return _remind(args)
    if args.cmd == "form-kit":
        from outputs.kit import run_form_kit

        return run_form_kit(args)
    if args.cmd in ("backup", "restore"):
        from .publish.backup import BackupError, backup, restore

        try:
            if args.cmd == "backup":
                print(f"Đã sao lưu {args.db} vào {backup(args.db, args.out)}")
            else:
                print("\n".join(restore(args.db, args.source, args.config_to).lines))
        except BackupError as e:
            print(f"Lỗi: {e}", file=sys.stderr)
            return 2
        return 0
    if args.cmd in ("refresh", "sources"):
        from .load.refresh import (
            add_source,
            add_sources_file,
            list_sources,
            load_service_account,
            refresh,
            remove_source,
        )
        from .read.google import GoogleError

        try:
            if args.cmd == "sources":
                if args.action == "list":
                    for r in list_sources(args.db):
                        ok = r["last_ok_at"].strftime("%d/%m/%Y %H:%M") if r["last_ok_at"] else "chưa"
                        print(f"{r['source_id']}\t{r['label'] or ''}\tđọc tốt lần cuối: {ok}\t{r['last_error'] or ''}")
                    return 0
                if not args.link:
                    print("Lỗi: cần đường dẫn hoặc mã bảng.", file=sys.stderr)
                    return 2
                if args.action == "add":
                    print(f"Đã đăng ký bảng {add_source(args.db, args.link, args.tabs, args.label)}")
                else:
                    from .read.google import parse_sheet_link

                    remove_source(args.db, parse_sheet_link(args.link).spreadsheet_id)
                    print("Đã bỏ bảng (số liệu đã nhập vẫn giữ).")
                return 0
            if args.sources:
                add_sources_file(args.db, args.sources)
            result = refresh(args.db, load_service_account(), deadline_s=args.deadline)
        except (GoogleError, StoreError) as e:  # StoreError: the new version could not be written
            message = e.message if isinstance(e, GoogleError) else str(e)
            if args.cmd == "refresh":
                from core import audit

                with contextlib.suppress(OSError):  # the audit log is on the same (full) disk
                    audit.record(
                        args.db, "dòng lệnh (làm mới theo lịch)", None, "lam_moi", failed="tất cả", error=message
                    )
            print(f"{dt.datetime.now().isoformat(timespec='seconds')} Lỗi: {message}", file=sys.stderr)
            return 2
        from core import audit

        audit.record(args.db, "dòng lệnh (làm mới theo lịch)", None, "lam_moi", read=len(result.read),
                     unchanged=len(result.unchanged), failed=len(result.failed))  # fmt: skip
        stamp = dt.datetime.now().isoformat(timespec="seconds")  # cron/systemd logs: when, and which sheet
        print("\n".join(f"{stamp} {line}" for line in result.text().splitlines()))
        return 0 if not result.failed else 1
    if args.cmd == "demo":
        from .load.demo import generate

        generate()
        print("Đã tạo lại số liệu mẫu trong catalog/demo/")
        return 0
    if args.cmd == "build-demo":
        from pathlib import Path

        from .load.demo import build

        if args.if_missing and Path(args.db).exists():
            return 0
        Path(args.db).unlink(missing_ok=True)
        for s in build(args.db):
            print(s.text())
        print(f"Đã tạo cơ sở dữ liệu demo: {args.db}")
        return 0
    if args.cmd == "ingest":
        from .load.ingest import ingest_paths
        from .parse.units import official_wards

        seen = None
        if args.seen_at:
            try:
                seen = dt.datetime.strptime(args.seen_at, "%d/%m/%Y %H:%M")
            except ValueError:
                print(f"Lỗi: --seen-at «{args.seen_at}» phải có dạng dd/mm/yyyy HH:MM", file=sys.stderr)
                return 2
        province = args.province or catalog.settings()["province"]
        try:
            official_wards(province)
        except (ValueError, KeyError):
            print(f"Lỗi: mã tỉnh «{province}» không có trong danh mục 34 tỉnh, thành phố.", file=sys.stderr)
            return 2
        try:
            summary = ingest_paths(args.paths, args.db, province=province, schools=args.schools, seen_at=seen)
        # FileNotFoundError: no good version left to build on; StoreError: the new version could not be written
        except (ReadError, StoreError, FileNotFoundError) as e:
            print(f"Lỗi: {e}\nChưa nhập gì; dữ liệu đã công bố giữ nguyên.", file=sys.stderr)
            return 2
        print(summary.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
