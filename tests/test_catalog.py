"""The catalog is data an administrator edits: it must stay complete and consistent."""

import re

from core import catalog
from tests.conftest import ROOT, SEEDS


def test_every_field_has_a_vietnamese_name_and_kind():
    for f in catalog.fields().values():
        assert f.name and f.kind in {
            "unit",
            "unit_parent",
            "period",
            "timestamp",
            "ignore",
            "count",
            "yesno",
            "text",
            "derived",
        }
        if f.kind == "count":
            assert f.measure, f.code
        if f.denominator:
            assert catalog.fields()[f.denominator].kind == "count"


def test_every_indicator_has_name_unit_and_known_fields():
    fields = catalog.fields()
    for i in catalog.read_csv("indicators.csv"):
        assert re.fullmatch(r"CT\d\d", i["code"]) and i["ten"] and i["don_vi"]
        for f in filter(None, [*re.split(r"\+", i["tu_so"]), i["mau_so"]]):
            assert f in fields, (i["code"], f)


def test_every_target_names_its_plan_indicator_and_seed():
    plans = {p["plan"]: p for p in catalog.read_csv("plans.csv")}
    inds = {i["code"] for i in catalog.read_csv("indicators.csv")}
    for t in catalog.read_csv("targets.csv"):
        assert t["plan"] in plans and t["indicator"] in inds
        assert t["seed"] == plans[t["plan"]]["seed"]
        assert (SEEDS / t["seed"]).exists(), t["seed"]


def test_five_plans_from_the_five_seeds():
    plans = catalog.read_csv("plans.csv")
    assert len(plans) == 5
    assert sorted(p["seed"] for p in plans) == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_aliases_cover_every_canonical_header_and_never_clash():
    from data_sources.parse.layout import header_matcher

    m = header_matcher()
    for code, f in catalog.fields().items():
        if f.kind not in ("derived",):
            assert m.match(f.name) == code, f.name


def test_every_page_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for title in re.findall(r'title="([^"]+)"', app):
        assert title in readme, title
