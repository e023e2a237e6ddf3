"""The catalog: data files an administrator can edit, read without pandas.

``catalog/`` holds the field list, the header aliases, the plans with their
targets and reporting deadlines, and the deployment settings. Code never
carries these lists; it reads them here.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository (core/ is one level down)
CATALOG_DIR = Path(os.environ.get("NQ71_CATALOG", ROOT / "catalog"))

VALUE_KINDS = ("count", "yesno", "text")


@dataclass(frozen=True)
class Field:
    code: str
    name: str
    kind: str  # unit | unit_parent | period | timestamp | ignore | count | yesno | text | derived
    agg: str  # last | sum | key | ""
    measure: str
    denominator: str  # for "≤" pairs: the field this one may not exceed
    maximum: float | None = None  # toi_da: the largest plausible value for one unit and period (counts)


def read_csv(name: str, directory: Path | None = None) -> list[dict[str, str]]:
    path = (directory or CATALOG_DIR) / name
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [dict(row) for row in csv.DictReader(f)]


@functools.cache
def fields() -> dict[str, Field]:
    out = {}
    for r in read_csv("fields.csv"):
        top = (r.get("toi_da") or "").strip()
        out[r["code"]] = Field(
            r["code"], r["ten"], r["kind"], r["agg"], r["don_vi_tinh"], r["mau_so"], float(top) if top else None
        )
    return out


@functools.cache
def aliases() -> list[tuple[str, str]]:
    """(field code, alias text), canonical headers first."""
    f = fields()
    out = [(code, fld.name) for code, fld in f.items()]
    out += [(r["field"], r["alias"]) for r in read_csv("aliases.csv")]
    unknown = {code for code, _ in out} - set(f)
    if unknown:
        raise ValueError(f"catalog/aliases.csv: mã trường không có trong fields.csv: {sorted(unknown)}")
    return out


def field_of_kind(kind: str) -> str:
    """The one field of a key kind (``unit``, ``unit_parent``, ``period``, ``timestamp``): code never
    names a field code, it asks the catalog which field plays that part."""
    found = [c for c, f in fields().items() if f.kind == kind]
    if len(found) != 1:
        raise ValueError(f"catalog/fields.csv: cần đúng một trường loại «{kind}», có {found}")
    return found[0]


def form_fields() -> list[str]:
    """The count and yes/no fields in the order of the form (fields.csv order)."""
    return [c for c, f in fields().items() if f.kind in ("count", "yesno")]


@functools.cache
def yes_no_words() -> tuple[tuple[str, int], ...]:
    """The answers to a yes/no question as people write them (``catalog/co_khong.csv``): (written, 1 or 0),
    in the order the form kit offers them. The reader accepts each one folded (no diacritics, any case:
    ``data_sources/parse/values.py``); the kit's list and the web form offer them as written."""
    out = []
    for i, r in enumerate(read_csv("co_khong.csv"), start=2):
        word, value = (r.get("cach_viet") or "").strip(), (r.get("gia_tri") or "").strip()
        if not word or value not in ("0", "1"):
            raise ValueError(f"catalog/co_khong.csv, dòng {i}: cần cách viết và giá trị 1 (có) hoặc 0 (không)")
        out.append((word, int(value)))
    return tuple(out)


def pairs() -> list[tuple[str, str]]:
    """(numerator, denominator) pairs that must satisfy numerator ≤ denominator."""
    return [(c, f.denominator) for c, f in fields().items() if f.denominator]


# Keys of a deployment's own configuration file whose values are paths: written relative to that
# file's folder (so /etc/nq71/tinh.toml can say users = "nguoi_dung.csv"), made absolute when read.
PATH_KEYS = ("database", "users", "schools", "don_vi", "roster", "secrets", "tls_cert", "backup_dir")


def config_path() -> Path | None:
    """The province's own configuration file (``NQ71_CONFIG``; template deploy/templates/tinh.toml), or
    None: catalog/deployment.toml alone (the demo, the tests)."""
    path = os.environ.get("NQ71_CONFIG", "").strip()
    return Path(path).absolute() if path else None


def read_config(path: Path) -> dict:
    """One configuration file, its relative paths made absolute against its own folder. Raises
    ValueError in Vietnamese when it is missing or not TOML (the server and ``deploy check`` say so)."""
    try:
        with open(path, "rb") as f:
            s = tomllib.load(f)
    except FileNotFoundError:
        raise ValueError(f"không thấy tệp cấu hình «{path}»") from None
    except tomllib.TOMLDecodeError as e:  # its English («Invalid value (at line 1, column 11)») stays out
        import re

        where = re.search(r"line (\d+), column (\d+)", str(e))
        at = f" ở dòng {where.group(1)}, cột {where.group(2)}" if where else ""
        raise ValueError(
            f"tệp cấu hình «{path}» sai cú pháp TOML{at}: kiểm tra dấu ngoặc kép, dấu = và tên mục [ ] (so với "
            "mẫu deploy/templates/tinh.toml)"
        ) from None
    for key in PATH_KEYS:
        if isinstance(s.get(key), str) and s[key] and not Path(s[key]).is_absolute():
            s[key] = str(path.parent / s[key])
    return s


@functools.cache
def settings() -> dict:
    """catalog/deployment.toml, then the province's file (``NQ71_CONFIG``) over it, then the
    environment (NQ71_PROVINCE, NQ71_PLAN, NQ71_SCHOOLS) over both."""
    with open(CATALOG_DIR / "deployment.toml", "rb") as f:
        s = tomllib.load(f)
    if (own := config_path()) is not None:
        s.update(read_config(own))
    env = os.environ
    if env.get("NQ71_PROVINCE"):
        s["province"] = int(env["NQ71_PROVINCE"])
    if env.get("NQ71_PLAN"):
        s["plan"] = env["NQ71_PLAN"]
    if env.get("NQ71_SCHOOLS"):
        s["schools"] = env["NQ71_SCHOOLS"]
    return s


def roster_path() -> Path:
    """The roster file: NQ71_ROSTER, else deployment.toml ``roster``, else catalog/roster.csv. Read on
    every call (not cached): the demo build points it at catalog/demo/roster.csv for its imports only."""
    path = os.environ.get("NQ71_ROSTER") or settings().get("roster") or ""
    return resolve(path) if path else CATALOG_DIR / "roster.csv"


def users_path() -> Path:
    """The users file: NQ71_USERS, else ``users`` in the configuration, else data/nguoi_dung.csv."""
    env = os.environ.get("NQ71_USERS")
    if env:
        return Path(env)
    return resolve(settings().get("users") or "data/nguoi_dung.csv")


def resolve(path: str) -> Path:
    """A catalog-relative path (as written in deployment.toml) made absolute."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


@dataclass(frozen=True)
class Status:
    """One word of the status vocabulary (``catalog/statuses.csv``): SQL writes the code, people read the label."""

    code: str
    label: str
    colour: str
    symbol: str
    order: int  # 1 = shown first (the worst)
    help: str


@functools.cache
def statuses() -> dict[str, Status]:
    rows = read_csv("statuses.csv")
    out = {r["code"]: Status(r["code"], r["ten"], r["mau"], r["ky_hieu"], int(r["thu_tu"]), r["mo_ta"]) for r in rows}
    return dict(sorted(out.items(), key=lambda kv: kv[1].order))


INDICATOR_KINDS = ("ratio", "share_yes", "year_sum", "quarter_sum", "reporting")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    kind: str  # one of INDICATOR_KINDS
    numerator: tuple[str, ...]  # field codes added up (``a+b+c`` in indicators.csv)
    denominator: tuple[str, ...]
    measure: str  # % or a word (chuyên đề, sản phẩm…)
    description: str
    short: str = ""  # ten_ngan: a grid's column head («Quán triệt»); people never read the code (CT01)


def _field_list(text: str, where: str) -> tuple[str, ...]:
    codes = tuple(c.strip() for c in (text or "").split("+") if c.strip())
    unknown = [c for c in codes if c not in fields()]
    if unknown:
        raise ValueError(f"catalog/indicators.csv, {where}: mã trường không có trong fields.csv: {unknown}")
    return codes


@functools.cache
def indicators() -> dict[str, Indicator]:
    out = {}
    for r in read_csv("indicators.csv"):
        if r["loai"] not in INDICATOR_KINDS:
            raise ValueError(f"catalog/indicators.csv, {r['code']}: loại «{r['loai']}» không thuộc {INDICATOR_KINDS}")
        out[r["code"]] = Indicator(
            r["code"],
            r["ten"],
            r["loai"],
            _field_list(r["tu_so"], f"{r['code']} tu_so"),
            _field_list(r["mau_so"], f"{r['code']} mau_so"),
            r["don_vi"],
            r["mo_ta"],
            (r.get("ten_ngan") or "").strip() or r["ten"],
        )
    return out


def indicator_inputs() -> list[dict]:
    """``ref.indicator_inputs``: (indicator, role, field), role ``tu_so`` or ``mau_so``. SQL sums each
    role's fields, so an indicator's formula is the catalog's, never written in a query."""
    return [
        {"indicator": i.code, "role": role, "field": f}
        for i in indicators().values()
        for role, fs in (("tu_so", i.numerator), ("mau_so", i.denominator))
        for f in fs
    ]


@dataclass(frozen=True)
class Role:
    """A role of ``catalog/roles.csv``: what its holder may see and do."""

    code: str
    label: str
    all_units: bool  # sees every unit of the deployment (else only the units listed for the person)
    actions: frozenset[str]  # nhap_tep lam_moi anh_xa duyet nguoi_dung xuat_toan_bo
    pages: tuple[str, ...]
    help: str


@functools.cache
def roles() -> dict[str, Role]:
    return {
        r["vai_tro"]: Role(
            r["vai_tro"],
            r["ten"],
            r["moi_don_vi"].strip() == "1",
            frozenset(r["quyen"].split()),
            tuple(r["trang"].split()),
            r["mo_ta"],
        )
        for r in read_csv("roles.csv")
    }


# ---------------------------------------------------------------- kinds of unit and the unit registry

BUILT_IN_LEVELS = ("xa", "truong")  # the national list of xã/phường and the school registry


@dataclass(frozen=True)
class UnitKind:
    """A kind of unit (``catalog/loai_don_vi.csv``): ``ref.units.level`` and the sidebar's «Cấp đơn vị»."""

    code: str  # xa | truong | chi_bo | co_quan | phong …
    label: str  # Xã/phường, Chi bộ…
    prefixes: tuple[str, ...]  # words written before a registry unit's name («Chi bộ», «CB»): say which kind
    help: str

    @property
    def word(self) -> str:
        """The label inside a sentence: «3/8 chi bộ đã báo cáo»; the cấp xã reads «xã, phường, đặc
        khu» (catalog/thuat_ngu.csv): 13 of the 3.321 units are đặc khu."""
        return term("cap_xa_trong_cau") if self.code == "xa" else self.label.lower()


@functools.cache
def unit_kinds() -> dict[str, UnitKind]:
    out = {}
    for r in read_csv("loai_don_vi.csv"):
        code = r["loai"].strip()
        prefixes = tuple(p.strip() for p in (r.get("tien_to") or "").split("|") if p.strip())
        out[code] = UnitKind(code, r["ten"].strip(), prefixes, r.get("mo_ta") or "")
    missing = [c for c in BUILT_IN_LEVELS if c not in out]
    if missing:
        raise ValueError(f"catalog/loai_don_vi.csv: thiếu loại đơn vị {missing}")
    return out


def plan_levels(plan: str) -> tuple[str, ...]:
    """The kinds of unit that report to ``plan`` (plans.csv, column ``don_vi_bao_cao``, codes separated
    by spaces); a plan that names none is followed through xã/phường and schools."""
    kinds = unit_kinds()
    for r in read_csv("plans.csv"):
        if r["plan"] == plan:
            levels = tuple((r.get("don_vi_bao_cao") or "").split()) or BUILT_IN_LEVELS
            unknown = [k for k in levels if k not in kinds]
            if unknown:
                raise ValueError(
                    f"catalog/plans.csv, kế hoạch {plan}: loại đơn vị {unknown} không có trong loai_don_vi.csv"
                )
            return levels
    return BUILT_IN_LEVELS


@dataclass(frozen=True)
class PlanDocument:
    """How a document names a plan (``catalog/plans.csv``): number and symbol, date of issue, subject.
    Empty when the catalog does not know them (the plan's text was a draft with «Số: /KH-…»)."""

    number: str  # «28-KH/ĐU»
    issued: dt.date | None
    subject: str  # «tuyên truyền Nghị quyết số 71-NQ/TW» (what follows «Kế hoạch … về»)
    place: str = ""  # dia_ban: the official code of the xã/phường whose body issues (co_quan «Đảng ủy phường»)


def plan_document(plan: str) -> PlanDocument:
    for r in read_csv("plans.csv"):
        if r["plan"] == plan:
            day = (r.get("ngay_ban_hanh") or "").strip()
            return PlanDocument(
                (r.get("so_ky_hieu") or "").strip(),
                dt.date.fromisoformat(day) if day else None,
                (r.get("trich_yeu") or "").strip(),
                (r.get("dia_ban") or "").strip(),
            )
    raise ValueError(f"Kế hoạch «{plan}» không có trong danh mục kế hoạch.")


# Short forms the catalog writes for a body, and the full name a document that leaves the office uses.
_BODY_WORDS = (("Sở GDĐT", "Sở Giáo dục và Đào tạo"), ("UBND", "Ủy ban nhân dân"), ("ĐU", "Đảng ủy"))


def body_name(body: str) -> str:
    """A body's full name for a document: «Sở GDĐT Đắk Lắk» -> «Sở Giáo dục và Đào tạo Đắk Lắk»,
    «UBND phường Việt Yên (Bắc Ninh)» -> «Ủy ban nhân dân phường Việt Yên» (the bracket is the
    catalog's note, not part of the name)."""
    name = " ".join(body.split("(")[0].split())
    for short, full in _BODY_WORDS:
        if name == short or name.startswith(short + " "):
            return full + name[len(short) :]
    return name


REGISTRY_COLUMNS = ("ma", "ten", "loai", "cap_tren")


def registry_path() -> Path:
    """The unit registry (chi bộ, cơ quan, phòng ban…): ``NQ71_UNITS``, else ``don_vi`` in
    deployment.toml, else ``catalog/don_vi.csv``. Read on every call (not cached): the demo build
    points it at ``catalog/demo/don_vi.csv`` for its own imports only."""
    path = os.environ.get("NQ71_UNITS") or settings().get("don_vi") or ""
    return resolve(path) if path else CATALOG_DIR / "don_vi.csv"


@dataclass(frozen=True)
class RegisteredUnit:
    code: str
    name: str
    kind: str  # a code of unit_kinds(), never xa or truong
    parent: str  # cap_tren: a xã/phường code or another registered unit's code, or ""
    note: str = ""


def unit_registry(path: str | Path | None = None) -> list[RegisteredUnit]:
    """Units that are neither xã/phường nor schools. A missing file, or one with only its header, is
    an empty registry (most deployments have none). Codes are unique, kinds known, names given."""
    p = Path(path) if path else registry_path()
    if not p.exists():
        return []
    with open(p, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in reader.fieldnames or []]
        if not header:
            return []
        missing = [c for c in REGISTRY_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"Danh mục đơn vị {p}: thiếu cột {', '.join(missing)}")
        rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    kinds = unit_kinds()
    out: list[RegisteredUnit] = []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):  # row 1 is the header
        if not any(r.values()):
            continue
        where = f"Danh mục đơn vị {p.name}, dòng {i}"
        if not r["ma"] or not r["ten"]:
            raise ValueError(f"{where}: cần mã (ma) và tên (ten)")
        if r["loai"] not in kinds or r["loai"] in BUILT_IN_LEVELS:
            known = [k for k in kinds if k not in BUILT_IN_LEVELS]
            raise ValueError(f"{where}: loại «{r['loai']}» không thuộc {known} (catalog/loai_don_vi.csv)")
        if r["ma"] in seen:
            raise ValueError(f"{where}: mã «{r['ma']}» trùng")
        seen.add(r["ma"])
        out.append(RegisteredUnit(r["ma"], " ".join(r["ten"].split()), r["loai"], r["cap_tren"], r.get("ghi_chu", "")))
    return out


@dataclass(frozen=True)
class SubmissionState:
    """One state of a unit's report for a period (``catalog/trang_thai_nop.csv``)."""

    code: str
    label: str
    symbol: str
    order: int  # 1 = shown first (needs the office most)
    help: str


@functools.cache
def submission_states() -> dict[str, SubmissionState]:
    return {
        r["code"]: SubmissionState(r["code"], r["ten"], r["ky_hieu"], int(r["thu_tu"]), r["mo_ta"])
        for r in read_csv("trang_thai_nop.csv")
    }


@functools.cache
def glossary() -> dict[str, str]:
    """The chosen terms (``catalog/thuat_ngu.csv``): key -> the one word the dashboard uses."""
    return {r["ma"]: r["thuat_ngu"] for r in read_csv("thuat_ngu.csv")}


def term(key: str) -> str:
    return glossary()[key]


@functools.cache
def retired_words() -> dict[str, str]:
    """Words the glossary retired, in lower case -> the term that replaced them (no page shows them)."""
    out = {}
    for r in read_csv("thuat_ngu.csv"):
        for w in (r.get("tu_bo") or "").split("|"):
            if w.strip():
                out[w.strip().casefold()] = r["thuat_ngu"]
    return out


@functools.cache
def action_words() -> dict[str, str]:
    """What a person did, in words (``catalog/thao_tac.csv``): action code -> «trả lại báo cáo»."""
    return {r["code"]: r["ten"] for r in read_csv("thao_tac.csv")}


@functools.cache
def log_keys() -> dict[str, str]:
    """The names of an audit record's details (``catalog/nhat_ky_muc.csv``): key -> «lần nhập»."""
    return {r["khoa"]: r["ten"] for r in read_csv("nhat_ky_muc.csv")}


@functools.cache
def cycle_events() -> dict[str, str]:
    """The words of the cycle's history (``catalog/su_kien.csv``): event code -> Vietnamese label."""
    return {r["code"]: r["ten"] for r in read_csv("su_kien.csv")}


def deadline_of(plan: str, period: str) -> dt.date:
    """The plan's deadline for the period (catalog/deadlines.csv), else day ``default_deadline_day``
    of the month after it, as the reporting page counts it. One rule for the form kit, the personal
    links (valid until the deadline plus a grace) and the reminders."""
    from core.periods import bounds

    for r in read_csv("deadlines.csv"):
        if r["plan"] == plan and r["period"] == period:
            return dt.date.fromisoformat(r["deadline"])
    return bounds(period)[1] + dt.timedelta(days=int(settings()["default_deadline_day"]))
