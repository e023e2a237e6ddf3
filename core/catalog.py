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
