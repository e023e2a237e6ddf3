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

Other units (chi bộ, cơ quan, phòng ban: ``catalog/don_vi.csv``) match through
the same levels, their kind written in front (``Chi bộ``, ``CB``) playing the
part of xã/phường, and their usual abbreviations (``KP`` for ``Khu phố``) read
as the full word: ``Chi bộ KP 1`` is ``Chi bộ Khu phố 1``. An unknown name is
listed with the closest registry names, never guessed.
"""

from __future__ import annotations

import copy
import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from .text import has_marks, nfc, norm, strip_marks

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


# A unit's code written with its name, as Forms dropdowns built from a unit list carry it:
# «26566 - Phường Long Hương», «[26566] Phường Long Hương», «Phường Long Hương (26566)», «… - 26566».
_CODE_FIRST = re.compile(r"^\s*[\[(]?\s*(\d{5})\s*[\])]?\s*(?:[-–—:|.]\s*|\s+)(\S.*)$")
_CODE_LAST = re.compile(r"^(.*?\S)\s*(?:[\[(]\s*(\d{5})\s*[\])]|[-–—:|]\s*(\d{5}))\s*$")
_ONLY_CODE = re.compile(r"^\s*[\[(]?\s*(\d{5})\s*[\])]?\s*$")
# any code in parentheses at the end (schools and registry units: «Chi bộ Khu phố 1 (24133-CB01)»)
_PAREN_CODE = re.compile(r"^(.*?\S)\s*\(\s*([^()\s]+)\s*\)\s*$")


_FIVE_DIGITS = re.compile(r"\d{5}").search


def split_code(label: str) -> tuple[str | None, str]:
    """(the 5-digit code written with the name, the name without it), or (None, label)."""
    if not _FIVE_DIGITS(label):  # nearly every label: no code in it
        return None, label
    if m := _ONLY_CODE.match(label):
        return m.group(1), ""
    if m := _CODE_LAST.match(label):
        return m.group(2) or m.group(3), m.group(1)
    if m := _CODE_FIRST.match(label):
        return m.group(1), m.group(2)
    return None, label


def ward_elsewhere(code: str) -> str | None:
    """«Phường Long Hương, Thành phố Hồ Chí Minh» for an official code of any province, else None."""
    from vietnam_provinces import Province, Ward

    try:
        w = Ward.from_code(int(code))
    except (ValueError, KeyError):
        return None
    return f"{' '.join(w.name.split())}, {Province.from_code(w.province_code).name}"


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
    level: str  # xa | truong | a kind of the unit registry (chi_bo, co_quan, phong…)
    type: str | None  # xa | phuong | dac_khu for wards, cap_hoc for schools, the kind for registry units
    parent_code: str = ""


@dataclass(slots=True)
class Match:
    status: str  # matched | ambiguous | unmatched
    code: str | None = None
    candidates: list[str] = field(default_factory=list)
    reason: str = ""


class _Index:
    """Keys at each matching level -> codes."""

    def __init__(self, units: list[Unit], with_type: bool, split=None):
        """``split(name) -> (written type or None, bare name)``: ``split_name`` for xã/phường,
        :class:`RegistryNames` for registry units (``with_type``: a written type must agree),
        ``_school_bare`` for schools (no type)."""
        self.units = {u.code: u for u in units}
        self.with_type = with_type
        self.split = split or (split_name if with_type else (lambda n: (None, _school_bare(n))))
        splits = [self.split(u.name) for u in units]
        # a name written exactly as listed (the form kit writes the registry's names) is split once
        self._known = {u.name: sp for u, sp in zip(units, splits, strict=True)}
        self._bare = [(u.code, bare, u.type) for u, (_, bare) in zip(units, splits, strict=True)]
        # level 0 (the name with dấu) now; the folded levels only when a name first misses it
        self.levels: list[dict[str, set[str]] | None] = [self._level(0), None, None]
        self.display = {u.code: u.name for u in units}
        self._fold_names: dict[str, str] | None = None
        self._closest: dict[tuple, list[str]] = {}
        self.budget = [2000, 0]  # [suggestions left, names left without one]: shared by a matcher's indexes

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

    def candidates(self, name: str) -> set[str]:
        """The codes a name could be: those of the strictest level that has any (the same levels as
        :meth:`find`, unrestricted)."""
        t, bare = self._known.get(name) or self.split(name)
        for lvl, key in enumerate(_keys(t, bare) if bare else ()):
            if lvl < (0 if has_marks(_without_where(name)) else 1):
                continue
            if codes := self._at(lvl).get(key):
                return set(codes)
        return set()

    def find(self, name: str, restrict: set[str] | None = None) -> Match:
        t, bare = self._known.get(name) or self.split(name)
        if not bare:
            return Match("unmatched", reason="tên đơn vị trống")
        # a label written without any diacritic cannot tell twins apart (Thanh An / Thạnh An): it is read
        # from the folded level on, where both are candidates, even when it equals one letter for letter
        start = 0 if has_marks(_without_where(name)) else 1  # «Xa Thanh An (cũ)», «…, TP Hồ Chí Minh»: still none
        for lvl, key in enumerate(_keys(t, bare)):
            if lvl < start:
                continue
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
        """The ``n`` most similar names (rapidfuzz's normalised Indel similarity, ties by name), once per distinct
        written name, and for at most ``budget`` distinct names per import: a file of made-up names costs
        microseconds per row, not a comparison with every unit each time."""
        target = strip_marks(norm(name))
        key = (target, None if restrict is None else frozenset(restrict))
        if (hit := self._closest.get(key)) is not None:
            return hit
        if self.budget[0] <= 0:
            self.budget[1] += 1
            return []
        self.budget[0] -= 1
        pool = {c: f for c, f in self.fold_names.items() if restrict is None or c in restrict}
        found = process.extract(target, pool, scorer=fuzz.ratio, limit=n + 8)
        scored = sorted(found, key=lambda hit: (-hit[1], self.display[hit[2]]))
        out = self._closest[key] = [self.display[code] for _, _, code in scored[:n]]
        return out


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


# words inside a registry unit's name written in full or abbreviated: one (short) form for matching,
# with and without dấu (``Chi bộ Khu phố 1``, ``Chi bộ KP 1``, ``chi bo khu pho 01`` are one unit)
_WORDS = [
    ("tổ dân phố", "tdp"),
    ("khu phố", "kp"),
    ("văn phòng", "vp"),
    ("ủy ban nhân dân", "ubnd"),
    ("uỷ ban nhân dân", "ubnd"),
    ("hội đồng nhân dân", "hđnd"),
    ("mặt trận tổ quốc", "mttq"),
    ("trung tâm", "tt"),
]
_WORD_FORMS = {full: short for full, short in _WORDS} | {strip_marks(full): short for full, short in _WORDS}
_WORD_FORMS["hdnd"] = "hđnd"
_WORD_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _WORD_FORMS), key=len, reverse=True)) + r")\b")
_NUMBER_RE = re.compile(r"\b(?:số|so)\s+(?=\d)|\b0+(?=\d)")
_FILLER_RE = re.compile(r"\s+(?:và|va)\s+")


class RegistryNames:
    """Splits a registry unit's name as written into (kind, bare name): the kind's words in front
    (``catalog/loai_don_vi.csv`` column ``tien_to``: ``Chi bộ``, ``CB``) say which kind, like ``Phường``
    for a ward, and are never dropped: ``Phòng Kinh tế`` does not match ``Chi bộ Phòng Kinh tế``.
    The bare name has its usual abbreviations (``KP``, ``TDP``, ``VP``, ``HĐND``…), numbers without
    leading zeros or ``số``, and no ``và``."""

    def __init__(self, prefixes: dict[str, tuple[str, ...]]):
        forms = []
        for kind, words in prefixes.items():
            for w in words:
                n = norm(w)
                forms += [(n, kind), (strip_marks(n), kind)]
        self.prefixes = sorted(set(forms), key=lambda x: -len(x[0]))

    def kind(self, name: str) -> str | None:
        return self(name)[0]

    def __call__(self, name: str) -> tuple[str | None, str]:
        n = norm(_without_where(name))
        kind = None
        for p, k in self.prefixes:  # with and without dấu, longest first
            if n.startswith(p + " "):
                kind, n = k, n[len(p) + 1 :]
                break
        n = _WORD_RE.sub(lambda m: _WORD_FORMS[m.group(1)], n)
        n = _FILLER_RE.sub(" ", _NUMBER_RE.sub("", n))
        return kind, " ".join(n.split())


class UnitMatcher:
    """Matches written names to wards of one province, then to registry schools, then to the unit
    registry (chi bộ, cơ quan, phòng ban)."""

    def __init__(
        self,
        wards: list[Unit],
        schools: list[Unit] | None = None,
        mappings: dict[str, str] | None = None,
        registry: list[Unit] | None = None,
        prefixes: dict[str, tuple[str, ...]] | None = None,
    ):
        """``registry``: units of the unit registry (chi bộ, cơ quan, phòng ban: level = their kind,
        parent_code = cap_tren); ``prefixes``: each kind's words written before a name."""
        self.wards = _Index(wards, with_type=True)
        self.schools = _Index(schools or [], with_type=False)
        self.registry_names = RegistryNames(prefixes or {})
        self.registry = _Index(registry or [], with_type=True, split=self.registry_names)
        self.units = {**self.wards.units, **self.schools.units, **self.registry.units}
        self.mappings = dict(mappings or {})
        self._parents: dict[str, Match] = {}  # a ward's name repeats on every one of its schools' rows
        self._schools_by_ward: dict[str, set[str]] = {}
        for s in schools or []:
            self._schools_by_ward.setdefault(s.parent_code, set()).add(s.code)
        for r in registry or []:
            self._schools_by_ward.setdefault(r.parent_code, set()).add(r.code)

    def limit_suggestions(self, n: int) -> None:
        """At most ``n`` distinct unmatched names get closest-name suggestions from now on (one import);
        ``suggestions_skipped`` then counts the names left without one."""
        budget = [n, 0]
        for index in (self.wards, self.schools, self.registry):
            index.budget = budget
            index._closest = {}

    @property
    def suggestions_skipped(self) -> int:
        return self.wards.budget[1]

    def with_mappings(self, mappings: dict[str, str]) -> UnitMatcher:
        """The same indexes (the costly part, read-only once built) with other remembered mappings."""
        m = copy.copy(self)
        m.mappings = dict(mappings)
        m._parents = {}
        return m

    def match(self, name: str, parent: str = "") -> Match:
        if self.mappings:  # an administrator's confirmation decides any label, one with a code included
            mapped = self.mappings.get(unit_key(name, parent))
            if mapped and mapped in self.units:
                return Match("matched", mapped)
        code, rest = split_code(name)
        if code is None and name.rstrip().endswith(")") and (m := _PAREN_CODE.match(name)) and m.group(2) in self.units:
            code, rest = m.group(2), m.group(1)
        if code is not None:
            return self._with_code(code, rest, parent)
        return self._by_name(name, parent)

    def _with_code(self, code: str, rest: str, parent: str) -> Match:
        """The code decides; a name that does not fit it (another unit's name, a code of another
        province, a code that does not exist) is flagged with both readings and counts for neither."""
        index = next((i for i in (self.wards, self.schools, self.registry) if code in i.units), None)
        # the name fits its code when the code is one of the units the name could be (twins written
        # without diacritics: the code tells them apart); a name that is another unit does not fit
        if index is not None and (not rest.strip() or code in index.candidates(rest)):
            return Match("matched", code)
        by_name = self._by_name(rest, parent) if rest.strip() else Match("unmatched", reason="không có tên")
        if by_name.status == "matched" and by_name.code == code:
            return Match("matched", code)
        if by_name.status == "matched":
            name_reading = f"tên «{rest}» là {self.units[by_name.code].name} (mã {by_name.code})"
        else:
            name_reading = f"tên «{rest}» {by_name.reason}"
        if index is not None:
            code_reading = f"mã {code} là {self.units[code].name}"
            cands = [self.units[code].name]
        else:
            elsewhere = ward_elsewhere(code)
            code_reading = (
                f"mã {code} là {elsewhere}, không thuộc danh sách đơn vị của bảng điều khiển"
                if elsewhere
                else f"mã {code} không có trong danh mục đơn vị"
            )
            cands = []
        if by_name.status == "matched":
            cands.append(self.units[by_name.code].name)
        return Match(
            "ambiguous",
            candidates=cands[:3],
            reason=f"mã và tên không khớp nhau: {code_reading}; {name_reading}. Không tính cho đơn vị nào: "
            "sửa mã hoặc tên trong bảng, hoặc xác nhận đơn vị đúng ở trang Chất lượng dữ liệu",
        )

    def _by_name(self, name: str, parent: str = "") -> Match:
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
            under = self._schools_by_ward.get(pm.code, set())
            m = self.schools.find(name, restrict=under)
            if m.status == "unmatched" and self.registry.units:
                r = self.registry.find(name, restrict=under)
                if r.status != "unmatched" or self.registry_names.kind(name):
                    return r
            if m.status == "unmatched":
                m.reason = f"không có trường nào tên này thuộc {self.units[pm.code].name} trong danh mục trường"
            return m
        m = self.wards.find(name)
        if m.status == "matched" or not (self.schools.units or self.registry.units):
            return m
        if self.schools.units:
            s = self.schools.find(name)
            if s.status != "unmatched":
                return s
        if self.registry.units:
            r = self.registry.find(name)
            # a name written with a registry kind in front (Chi bộ…) is that kind's or nobody's: its
            # closest names are the registry's, never a xã/phường
            kind = self.registry_names.kind(name)
            if r.status != "unmatched":
                return r
            if kind:
                same = {c for c, u in self.registry.units.items() if u.level == kind}
                return Match("unmatched", candidates=self.registry.closest(name, same), reason=r.reason)
            if not self.schools.units:
                return m
        return Match("unmatched", candidates=m.candidates, reason=m.reason)


def official_wards(province_code: int) -> list[Unit]:
    from vietnam_provinces import Ward

    out = []
    for w in Ward.iter_by_province(province_code):
        out.append(Unit(f"{int(w.code):05d}", " ".join(w.name.split()), "xa", w.division_type.name.lower()))
    if not out:
        raise ValueError(f"Không có xã/phường nào cho mã tỉnh {province_code} trong danh mục chính thức")
    return sorted(out, key=lambda u: u.code)


def official_ward(code: str) -> tuple[Unit, str] | None:
    """The official xã/phường of a 5-digit code and its province as a document names it («tỉnh Đắk Lắk»,
    «thành phố Hà Nội»); None for a code the official list does not have."""
    from vietnam_provinces import Province, Ward

    try:
        w = Ward.from_code(int(code))
    except (ValueError, TypeError):
        return None
    p = Province.from_code(w.province_code)
    province = "t" + p.name[1:] if p.name.casefold().startswith("thành phố") else f"tỉnh {p.name}"
    name = " ".join(w.name.split())
    return Unit(f"{int(w.code):05d}", name, "xa", w.division_type.name.lower()), province


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
