"""What each person does in a load test, as data: the same choices for a Chromium user
(bench/load/users.py) and a protocol user (bench/load/protocol.py), so the two can be compared
(tests/test_protocol_user.py) and mixed in one run.

One round: change the province (a national database only), pick a xã/phường, change the quarter,
open «Theo xã/phường», open «Theo chỉ tiêu», download its CSV, back to «Tổng quan».
"""

from __future__ import annotations

FILTER_ACTIONS = ("filter_province", "filter_unit", "filter_quarter")
# the pages of a round, by address (url_pathname; "" is the overview) and the action's name
PAGES = (("theo-xa-phuong", "page_theo_xa_phuong"), ("theo-chi-tieu", "page_theo_chi_tieu"))
OVERVIEW = ("", "page_tong_quan")
PROVINCE_LABEL = "Tỉnh, thành phố"
UNIT_LABEL = "Đơn vị (để trống: tất cả)"
QUARTER_LABEL = "Kỳ báo cáo"
UNIT_SHOWS = "đơn vị đã chọn"  # the caption's words once units are picked
CSV_LABEL = "Tải CSV"


def province_for(i: int, rnd: int, provinces: list[str]) -> str:
    """Person i's province in round rnd: one not yet seen by most people, so most changes miss the cache."""
    return provinces[(i * 7 + rnd * 13) % len(provinces)]


def unit_index(i: int, rnd: int) -> int:
    """Which of the first five units offered (those not already picked) person i picks in round rnd."""
    return (i + rnd * 3) % 5


def pick_offered(offered: list[str], i: int, rnd: int) -> str:
    """The unit a person picks among the offered ones (a virtual list: one of the first five)."""
    return offered[unit_index(i, rnd) % max(min(len(offered), 5), 1)]


def quarter_for(i: int, rnd: int, quarters: list[str], caption: str) -> str | None:
    """A quarter other than the one the page shows (its caption names it); None with a single quarter."""
    if len(quarters) < 2:
        return None
    others = [q for q in quarters if q not in caption] or quarters
    return others[(i + rnd) % len(others)]
