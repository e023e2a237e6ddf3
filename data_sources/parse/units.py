"""Unit names as people write them, matched to official codes without guessing.

``Phường Việt Yên``, ``P. Việt Yên``, ``UBND phường Việt Yên``, ``VIỆT YÊN`` and
``Viet Yen`` are all ward ``07777``. Matching runs from strict to loose and
stops at the first level that has any candidate: one candidate is a match,
several are ``ambiguous`` (never a coin toss), none at any level is
``unmatched``. Both go to data quality with the three closest names.

Levels: (1) the name with dấu, (2) without dấu, (3) without dấu and without
spaces (``EaKar``); each with the written type (xã/phường/đặc khu) when the
writer gave one, so ``Xã Việt Yên`` never becomes ``Phường Việt Yên``.

Schools come from a registry CSV (``ma_truong,ten_truong,cap_hoc,ma_xa``)
and match the same way inside their xã/phường when the sheet says which.
"""

from __future__ import annotations

import copy
import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .text import nfc, norm, strip_marks

# Words in front of a name that say who, not which. Longest first.
_ORG_PREFIXES = [
    "uy ban nhan dan",
    "ủy ban nhân dân",
    "ubnd",
    "dang uy",
    "đảng ủy",
    "đảng uỷ",
    "dang bo",
    "đảng bộ",
]
_TYPES = {
    "xã": "xa",
    "xa": "xa",
    "x": "xa",
    "phường": "phuong",
    "phuong": "phuong",
    "p": "phuong",
    "đặc khu": "dac_khu",
    "dac khu": "dac_khu",
}
_TYPE_RE = re.compile(r"^(đặc khu|dac khu|phường|phuong|xã|xa|p|x)\s+(.+)$")

_TOTAL_NORM = ("tổng cộng", "tổng số", "tổng", "cộng", "toàn tỉnh", "toàn ngành", "tổng hợp", "toàn xã", "toàn phường")
_TOTAL_FOLD = ("tong cong", "tong so", "toan tinh", "toan nganh", "tong hop")


_TOTAL_START = ("tổng", "tong", "cộng", "cong", "toàn", "toan")


def is_total(name: str) -> bool:
    # fast path: every total word starts with one of these (checked on the NFC, lower-cased text)
    if not unicodedata.normalize("NFC", name).lower().lstrip(" \t\n.-*(").startswith(_TOTAL_START):
        return False
    n = norm(name)
    if not n:
        return False
    f = strip_marks(n)
    return any(n == t or n.startswith(t + " ") for t in _TOTAL_NORM) or any(
        f == t or f.startswith(t + " ") for t in _TOTAL_FOLD
    )


_PAREN = re.compile(r"\([^()]*\)")
# ", tỉnh Bắc Ninh" / " - huyện Ea Kar (cũ)": where the unit is, not which unit it is
_WHERE_SUFFIX = re.compile(r"\s*[,–—-]\s*(?:tỉnh|tp|thành phố|huyện|quận|thị xã)\b.*$", re.IGNORECASE)


def _without_where(name: str) -> str:
    """Drop parentheticals and a trailing ", tỉnh …" (checked cheaply first: most names have neither)."""
    s = nfc(str(name))
    if "(" in s:
        s = _PAREN.sub(" ", s)
    if "," in s or "-" in s or "–" in s or "—" in s:
        s = _WHERE_SUFFIX.sub("", s)
    return s


def split_name(name: str) -> tuple[str | None, str]:
    """(type, bare name with dấu) from a written unit name."""
    n = norm(_without_where(name))
    for p in _ORG_PREFIXES:
        if n.startswith(p + " "):
            n = n[len(p) + 1 :]
            break
    m = _TYPE_RE.match(n)
    if m:
        return _TYPES[m.group(1)], m.group(2)
    return None, n


def unit_key(name: str, parent: str = "") -> str:
    """A stable key for a written name (and its parent), used for remembered mappings."""
    t, bare = split_name(name)
    key = strip_marks(f"{t or ''}|{bare}")
    if parent:
        pt, pbare = split_name(parent)
        key += "@" + strip_marks(f"{pt or ''}|{pbare}")
    return key


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str  # xa | truong
    type: str | None  # xa | phuong | dac_khu for wards, cap_hoc for schools
    parent_code: str = ""


@dataclass
class Match:
    status: str  # matched | ambiguous | unmatched
    code: str | None = None
    candidates: list[str] = field(default_factory=list)
    reason: str = ""


class _Index:
    """Keys at each matching level -> codes."""

    def __init__(self, units: list[Unit], with_type: bool):
        self.units = {u.code: u for u in units}
        self.with_type = with_type
        self._bare = [(u.code, split_name(u.name)[1] if with_type else _school_bare(u.name), u.type) for u in units]
        # level 0 (the name with dấu) now; the folded levels only when a name first misses it
        self.levels: list[dict[str, set[str]] | None] = [self._level(0), None, None]
        self.display = {u.code: u.name for u in units}
        self._fold_names: dict[str, str] | None = None

    def _level(self, lvl: int) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for code, bare, typ in self._bare:
            for t in (None, typ) if self.with_type else (None,):
                for i, key in enumerate(_keys(t, bare)):
                    if i == lvl:
                        index.setdefault(key, set()).add(code)
                        break
        return index

    def _at(self, lvl: int) -> dict[str, set[str]]:
        if self.levels[lvl] is None:
            self.levels[lvl] = self._level(lvl)
        return self.levels[lvl]

    @property
    def fold_names(self) -> dict[str, str]:
        """Folded names for suggesting candidates; built only when a name fails to match."""
        if self._fold_names is None:
            self._fold_names = {c: strip_marks(norm(n)) for c, n in self.display.items()}
        return self._fold_names

    def find(self, name: str, restrict: set[str] | None = None) -> Match:
        if self.with_type:
            t, bare = split_name(name)
        else:
            t, bare = None, _school_bare(name)
        if not bare:
            return Match("unmatched", reason="tên đơn vị trống")
        for lvl, key in enumerate(_keys(t, bare)):
            codes = self._at(lvl).get(key, set())
            if restrict is not None:
                codes = codes & restrict
            if len(codes) == 1:
                return Match("matched", next(iter(codes)))
            if len(codes) > 1:
                names = sorted(self.display[c] for c in codes)
                return Match(
                    "ambiguous",
                    candidates=names[:3],
                    reason=f"khớp với {len(codes)} đơn vị: {', '.join(names[:3])}",
                )
        return Match("unmatched", candidates=self.closest(name, restrict), reason="không khớp đơn vị nào")

    def closest(self, name: str, restrict: set[str] | None = None, n: int = 3) -> list[str]:
        target = strip_marks(norm(name))
        pool = {c: f for c, f in self.fold_names.items() if restrict is None or c in restrict}
        scored = sorted(pool, key=lambda c: (-difflib.SequenceMatcher(None, target, pool[c]).ratio(), self.display[c]))
        return [self.display[c] for c in scored[:n]]


# school levels written in full or abbreviated: one form for matching
_LEVELS = [
    ("trung học phổ thông", "thpt"),
    ("trung học cơ sở", "thcs"),
    ("tiểu học", "th"),
    ("mầm non", "mn"),
    ("mẫu giáo", "mg"),
    ("phổ thông dân tộc bán trú", "ptdtbt"),
    ("phổ thông dân tộc nội trú", "ptdtnt"),
]


def _school_bare(name: str) -> str:
    n = norm(_without_where(name))
    n = n[len("trường ") :] if n.startswith("trường ") else n
    for full, short in _LEVELS:
        if n.startswith(full + " "):
            return short + n[len(full) :]
    return n


def _keys(t: str | None, bare: str):
    """Keys from strict to loose, computed only as far as needed. A written type
    (xã/phường) is never dropped: ``Xã Việt Yên`` does not match ``Phường Việt Yên``."""
    p = f"{t}|" if t else ""
    yield p + bare
    f = strip_marks(bare)
    yield p + f
    yield p + f.replace(" ", "")


class UnitMatcher:
    """Matches written names to wards of one province, then to registry schools."""

    def __init__(self, wards: list[Unit], schools: list[Unit] | None = None, mappings: dict[str, str] | None = None):
        self.wards = _Index(wards, with_type=True)
        self.schools = _Index(schools or [], with_type=False)
        self.units = {**self.wards.units, **self.schools.units}
        self.mappings = dict(mappings or {})
        self._parents: dict[str, Match] = {}  # a ward's name repeats on every one of its schools' rows
        self._schools_by_ward: dict[str, set[str]] = {}
        for s in schools or []:
            self._schools_by_ward.setdefault(s.parent_code, set()).add(s.code)

    def with_mappings(self, mappings: dict[str, str]) -> UnitMatcher:
        """The same indexes (the costly part, read-only once built) with other remembered mappings."""
        m = copy.copy(self)
        m.mappings = dict(mappings)
        m._parents = {}
        return m

    def match(self, name: str, parent: str = "") -> Match:
        if self.mappings:
            mapped = self.mappings.get(unit_key(name, parent))
            if mapped and mapped in self.units:
                return Match("matched", mapped)
        if parent:
            pm = self._parents.get(parent)
            if pm is None:
                pm = self._parents[parent] = self.wards.find(parent)
            if pm.status != "matched":
                return Match(
                    pm.status,
                    candidates=pm.candidates,
                    reason=f"xã/phường «{parent}» {pm.reason}",
                )
            m = self.schools.find(name, restrict=self._schools_by_ward.get(pm.code, set()))
            if m.status == "unmatched":
                m.reason = f"không có trường nào tên này thuộc {self.units[pm.code].name} trong danh mục trường"
            return m
        m = self.wards.find(name)
        if m.status == "matched" or not self.schools.units:
            return m
        s = self.schools.find(name)
        if s.status != "unmatched":
            return s
        return Match("unmatched", candidates=m.candidates, reason=m.reason)


def official_wards(province_code: int) -> list[Unit]:
    from vietnam_provinces import Ward

    out = []
    for w in Ward.iter_by_province(province_code):
        out.append(Unit(f"{int(w.code):05d}", " ".join(w.name.split()), "xa", w.division_type.name.lower()))
    if not out:
        raise ValueError(f"Không có xã/phường nào cho mã tỉnh {province_code} trong danh mục chính thức")
    return sorted(out, key=lambda u: u.code)


def province_name(province_code: int) -> str:
    from vietnam_provinces import Province

    return Province.from_code(province_code).name


SCHOOL_COLUMNS = ("ma_truong", "ten_truong", "cap_hoc", "ma_xa")


def read_schools(path: str | Path, ward_codes: set[str] | None = None) -> list[Unit]:
    """The school registry: CSV with columns ma_truong, ten_truong, cap_hoc, ma_xa (official
    5-digit code). Schools whose xã/phường is outside ``ward_codes`` are left out."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        missing = sorted(set(SCHOOL_COLUMNS) - set(header))
        if missing:
            raise ValueError(f"Danh mục trường {path}: thiếu cột {', '.join(missing)}")
        i_code, i_name, i_level, i_ward = (header.index(c) for c in SCHOOL_COLUMNS)
        out = []
        for r in reader:
            if len(r) < len(header):
                continue
            code = r[i_ward].strip().zfill(5)
            if ward_codes is not None and code not in ward_codes:
                continue  # a national registry: schools of other provinces are not this deployment's
            out.append(Unit(r[i_code].strip(), " ".join(r[i_name].split()), "truong", r[i_level].strip(), code))
    return out
