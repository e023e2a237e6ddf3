"""Command line of the documents the product writes.

    python -m outputs report --db DB --plan 000 --period 2026-Q2 [--unit CODE] [--level xa|truong|chi_bo]
                             --out bao_cao.docx [--pdf]
    python -m outputs form-kit --plan 000 --period 2026-Q3 --out phu_luc.xlsx [--link URL --qr qr.png]
                               [--level xa|truong|chi_bo] [--links [--db DB]]
    python -m outputs phieu --plan 000 --period 2026-Q3 [--unit CODE ...] [--level xa|truong|chi_bo]
                            [--db DB] --out phieu.pdf
    python -m outputs remind --period 2026-Q3 [--days-before 3] [--plan 000] [--db DB] [--by NAME]
                             [--dry-run] [--today dd/mm/yyyy]

Exit 0 when the document was written, 2 when it could not be (the reason in Vietnamese on stderr).
``python -m data_sources remind …`` is the same reminder command (the name cron uses, issue 26): exit 0
when the run did what it could (also: not due yet, nothing missing, some units without an address or
refused by the server), 2 when nothing could be sent (the mail server not configured or refusing the
connection or the login; a wrong argument).
"""

from __future__ import annotations

import argparse
import re
import sys

from core import catalog

from .kit import add_form_kit_parser, run_form_kit
from .remind import add_arguments, command


def _report_parser(sub) -> None:
    rp = sub.add_parser("report", help="báo cáo định kỳ (.docx, và PDF nếu có --pdf)")
    rp.add_argument("--db", required=True)
    rp.add_argument("--plan", help="mã kế hoạch (catalog/plans.csv); mặc định theo cấu hình")
    rp.add_argument("--period", required=True, help="kỳ: 2026-Q2, 2026-H1 hoặc 2026")
    rp.add_argument("--unit", action="append", help="mã đơn vị (lặp lại để chọn nhiều); mặc định: mọi đơn vị")
    rp.add_argument(
        "--level",
        default="xa",
        choices=list(catalog.unit_kinds()),
        help="cấp đơn vị: xa (mặc định), truong, chi_bo… (catalog/loai_don_vi.csv)",
    )
    rp.add_argument("--out", required=True, help="tệp .docx")
    rp.add_argument("--pdf", action="store_true", help="xuất thêm PDF cạnh tệp .docx (cần LibreOffice)")


def _report(args) -> int:
    if not re.fullmatch(r"\d{4}(-Q[1-4]|-H[12])?", args.period):
        print(f"Lỗi: kỳ «{args.period}» không hợp lệ; báo cáo theo quý, 6 tháng hoặc năm (2026-Q2, 2026-H1, 2026).",
              file=sys.stderr)  # fmt: skip
        return 2
    from core.cli import connect_published
    from queries import PeriodSel, Scope, settings

    from .report import ReportError, committee, make

    con = connect_published(args.db)
    if con is None:
        return 2
    try:
        plan = args.plan or settings(con).default_plan.iloc[0]
        docx, pdf = make(
            con, plan, PeriodSel(args.period), Scope.everything(), args.out, args.level, args.unit, pdf=args.pdf
        )
    except (ValueError, ReportError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    finally:
        con.close()
    print(f"Đã ghi báo cáo {docx}" + (f" và {pdf}" if pdf else ""))
    body = next((r.get("co_quan") or "" for r in catalog.read_csv("plans.csv") if r["plan"] == plan), "")
    if note := committee(plan, body).note:
        print(f"Lưu ý: {note}", file=sys.stderr)
    return 0


def _phieu_parser(sub) -> None:
    ph = sub.add_parser("phieu", help="phiếu in đường dẫn báo cáo trực tuyến và mã QR, mỗi đơn vị một trang (PDF)")
    ph.add_argument("--plan", help="mã kế hoạch (catalog/plans.csv); mặc định theo cấu hình")
    ph.add_argument("--period", required=True, help="kỳ báo cáo: 2026-Q3, 2026-04, 2026-H1 hoặc 2026")
    ph.add_argument("--unit", action="append", help="mã đơn vị (lặp lại để chọn nhiều); mặc định: mọi đơn vị")
    ph.add_argument("--level", choices=list(catalog.unit_kinds()), help="cấp đơn vị (mặc định: cấp của kế hoạch)")
    ph.add_argument("--province", type=int, help="mã tỉnh (mặc định: tỉnh của kế hoạch, hoặc theo cấu hình)")
    ph.add_argument("--db", help="cơ sở dữ liệu mà đường dẫn dùng (mặc định: database trong cấu hình)")
    ph.add_argument("--out", required=True, help="tệp .pdf")


def _phieu(args) -> int:
    if not re.fullmatch(r"\d{4}(-Q[1-4]|-H[12]|-(0[1-9]|1[0-2]))?", args.period):
        print(f"Lỗi: kỳ «{args.period}» không hợp lệ; dùng dạng 2026-Q3, 2026-04, 2026-H1 hoặc 2026.", file=sys.stderr)
        return 2
    from .phieu import make
    from .report import ReportError

    plan = args.plan or catalog.settings()["plan"]
    db = args.db or str(catalog.resolve(catalog.settings()["database"]))
    try:
        pdf, n = make(db, plan, args.period, args.out, args.unit, args.level, args.province)
    except (ValueError, KeyError, ReportError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    print(f"Đã ghi {pdf}: phiếu của {n} đơn vị, mỗi đơn vị một trang")
    return 0


def main(argv: list[str] | None = None) -> int:
    from core.cli import vietnamese

    vietnamese()
    p = argparse.ArgumentParser(
        prog="python -m outputs", description="Văn bản, biểu mẫu, thư nhắc NQ71 cho cơ quan và đơn vị"
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    _report_parser(sub)
    add_form_kit_parser(sub)
    _phieu_parser(sub)
    add_arguments(sub.add_parser("remind", help="gửi thư nhắc các đơn vị chưa báo cáo hoặc bị trả lại"))
    args = p.parse_args(argv)
    if args.cmd == "report":
        return _report(args)
    if args.cmd == "form-kit":
        return run_form_kit(args)
    if args.cmd == "phieu":
        return _phieu(args)
    if args.cmd == "remind":
        return command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
