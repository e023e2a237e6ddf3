"""The catalog: data files an administrator can edit, read without pandas.

``catalog/`` holds the field list, the header aliases, the plans with their
targets and reporting deadlines, and the deployment settings. Code never
carries these lists; it reads them here.
"""

from __future__ import annotations

import csv
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


def read_csv(name: str, directory: Path | None = None) -> list[dict[str, str]]:
    path = (directory or CATALOG_DIR) / name
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [dict(row) for row in csv.DictReader(f)]


@functools.cache
def fields() -> dict[str, Field]:
    out = {}
    for r in read_csv("fields.csv"):
        out[r["code"]] = Field(r["code"], r["ten"], r["kind"], r["agg"], r["don_vi_tinh"], r["mau_so"])
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


def pairs() -> list[tuple[str, str]]:
    """(numerator, denominator) pairs that must satisfy numerator ≤ denominator."""
    return [(c, f.denominator) for c, f in fields().items() if f.denominator]


@functools.cache
def settings() -> dict:
    with open(CATALOG_DIR / "deployment.toml", "rb") as f:
        s = tomllib.load(f)
    env = os.environ
    if env.get("NQ71_PROVINCE"):
        s["province"] = int(env["NQ71_PROVINCE"])
    if env.get("NQ71_PLAN"):
        s["plan"] = env["NQ71_PLAN"]
    if env.get("NQ71_SCHOOLS"):
        s["schools"] = env["NQ71_SCHOOLS"]
    return s


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
