"""``form-kit`` on the command line: ``python -m outputs form-kit`` and its documented front door
``python -m data_sources form-kit`` (the same parser and the same run)."""

from __future__ import annotations

import re
import sys

from core import catalog

from .form import build_form, write_qr


def add_parser(sub) -> None:
    fk = sub.add_parser("form-kit", help="biểu mẫu .xlsx có kiểm tra ô cho một kỳ, và mã QR của đường dẫn")
    fk.add_argument("--plan", help="mã kế hoạch (catalog/plans.csv); mặc định theo cấu hình")
    fk.add_argument("--period", required=True, help="kỳ báo cáo: 2026-Q3, 2026-04, 2026-H1 hoặc 2026")
    fk.add_argument("--out", required=True, help="tệp .xlsx")
    fk.add_argument(
        "--level",
        choices=list(catalog.unit_kinds()),
        help="cấp đơn vị của các dòng: xa, truong, chi_bo… (mặc định: cấp đầu tiên của kế hoạch, plans.csv)",
    )
    fk.add_argument("--province", type=int, help="mã tỉnh (mặc định: tỉnh của kế hoạch, hoặc theo cấu hình)")
    fk.add_argument("--link", default="", help="đường dẫn Google Sheets sẽ gửi cho các đơn vị")
    fk.add_argument("--qr", help="tệp .png của mã QR (kèm tệp .svg cùng tên); cần --link")
    fk.add_argument(
        "--links",
        action="store_true",
        help="thêm trang «Đường dẫn riêng»: đường dẫn báo cáo trực tuyến và mã QR của từng đơn vị (cần --db)",
    )
    fk.add_argument("--db", help="cơ sở dữ liệu mà đường dẫn riêng dùng (mặc định: database trong cấu hình)")


def run(args) -> int:
    if not re.fullmatch(r"\d{4}(-Q[1-4]|-H[12]|-(0[1-9]|1[0-2]))?", args.period):
        print(f"Lỗi: kỳ «{args.period}» không hợp lệ; dùng dạng 2026-Q3, 2026-04, 2026-H1 hoặc 2026.", file=sys.stderr)
        return 2
    if args.qr and not args.link.strip():
        print("Lỗi: --qr cần --link (đường dẫn để mã hóa).", file=sys.stderr)
        return 2
    plan = args.plan or catalog.settings()["plan"]
    links_db = None
    if args.links:
        links_db = args.db or str(catalog.resolve(catalog.settings()["database"]))
    try:
        kit = build_form(
            plan, args.period, args.out, province=args.province, link=args.link, level=args.level, links_db=links_db
        )
    except (ValueError, KeyError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    print(f"Đã ghi biểu mẫu {kit.path}: trang «{kit.sheet}», {kit.units} đơn vị, hạn gửi {kit.deadline:%d/%m/%Y}"
          + (" (kèm trang «Đường dẫn riêng»)" if links_db else ""))  # fmt: skip
    if args.qr:
        png, svg = write_qr(args.link, args.qr)
        print(f"Đã ghi mã QR {png} và {svg}")
    return 0
