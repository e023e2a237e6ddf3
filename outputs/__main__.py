"""Command line of the documents and messages (for cron and administrators).

    python -m outputs remind --period 2026-Q3 [--days-before 3] [--plan 000] [--db DB] [--by NAME]
                             [--dry-run] [--today dd/mm/yyyy]

``python -m data_sources remind …`` is the same command (the name cron uses, issue 26).
Exit 0 when the run did what it could (also: not due yet, nothing missing, some units without an
address or refused by the server), 2 when nothing could be sent (the mail server not configured or
refusing the connection or the login; a wrong argument).
"""

from __future__ import annotations

import argparse
import sys

from .remind import add_arguments, command


def main(argv: list[str] | None = None) -> int:
    from core.cli import vietnamese

    vietnamese()
    p = argparse.ArgumentParser(prog="python -m outputs", description="Thư nhắc và tài liệu gửi cho các đơn vị")
    sub = p.add_subparsers(dest="cmd", required=True)
    add_arguments(sub.add_parser("remind", help="gửi thư nhắc các đơn vị chưa báo cáo hoặc bị trả lại"))
    args = p.parse_args(argv)
    return command(args)


if __name__ == "__main__":
    sys.exit(main())
