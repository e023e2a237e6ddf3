"""The command line in Vietnamese: argparse's own words («usage:», «options», «show this help message
and exit», its error messages) through one table. argparse asks gettext for each of them at the moment
it prints; this gives it the Vietnamese instead. The commands' own help is written in Vietnamese."""

from __future__ import annotations

import argparse
import sys

WORDS = {
    "usage: ": "cách dùng: ",
    "options": "tùy chọn",
    "positional arguments": "tham số",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected at most one argument": "chỉ nhận tối đa một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s không rõ: có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng tham số %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "can't open '%(filename)s': %(error)s": "không mở được «%(filename)s»: %(error)s",
}


def vietnamese() -> None:
    """Make argparse speak Vietnamese (call before building a parser)."""
    argparse._ = lambda text: WORDS.get(text, text)  # argparse looks the name up each time it prints


def connect_published(db: str):
    """The published database read-only for a command, or None after saying why on stderr (no database there
    yet); a note when the newest version did not check out and an older one is read."""
    import duckdb

    from core.db import readable

    try:
        path, note = readable(db, check=True)
    except FileNotFoundError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return None
    if note:
        print(f"Lưu ý: {note}", file=sys.stderr)
    return duckdb.connect(str(path), read_only=True)
