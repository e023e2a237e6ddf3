"""The form a unit fills: one definition, three faces.

``catalog/fields.csv`` says what the form asks (code, Vietnamese name, kind, unit of measure, the largest
plausible value, the total a count may not exceed, its group on the form). This module turns it into the
form's fields, in order and grouped, with the help text a person reads. The three faces read it here:

- the web form «Nộp báo cáo» (``ui/submit.py``): ``fields()`` in order, ``groups()`` for its sections, each
  field's ``help`` under its box and, for a yes/no question, its ``choices`` (``value_of`` reads one back),
- the office's .xlsx form kit (its header groups, its columns and their input messages),
- the reader (``data_sources/parse``): which header is which field, its kind, its maximum and its pair;
  the web form checks an entry with the reader's own value rules (``data_sources/parse/entry.py``).

A field added to fields.csv (with a group, or none: a column of its own) appears in all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import catalog, fmt

KINDS = ("count", "yesno", "text")  # what a person writes; "derived" (a ratio) is computed, never asked


@dataclass(frozen=True)
class FormField:
    code: str
    name: str
    kind: str  # count | yesno | text
    measure: str  # người, bài, …
    maximum: float | None
    total: str  # the field this count may not exceed («» for none)
    group: str  # the header group on the form; «» for a field that stands alone
    carried: bool  # a total that rarely changes (staff, party members): prefilled from the last period

    @property
    def help(self) -> str:
        """What a person reads under the field: the rule in words (also the kit's input message)."""
        fields = catalog.fields()
        if self.kind == "count":
            text = f"Số nguyên ≥ 0 ({self.measure or 'số'})."
            if self.total:
                text += f" Không được lớn hơn «{fields[self.total].name}»."
            if part := numerator_of(self.code):
                text += f" Không được nhỏ hơn «{fields[part].name}»."
            if self.maximum is not None:
                text += f" Tối đa {fmt.number(self.maximum)}."
            return text
        if self.kind == "yesno":
            return "Chọn Có hoặc Không; để trống nếu chưa trả lời."
        return f"Ghi ngắn gọn (tối đa {fmt.number(TEXT_MAX)} ký tự); để trống nếu không có."

    @property
    def choices(self) -> tuple[str, ...]:
        """What a yes/no field offers, as written (catalog/co_khong.csv; the kit's list, the web form's choice);
        () for other kinds. The web form may offer the first two (Có, Không) and accept any of them."""
        return tuple(w for w, _ in catalog.yes_no_words()) if self.kind == "yesno" else ()


TEXT_MAX = 1000  # characters of a text answer (the kit's validation, the web form's box)


def fields(plan: str | None = None) -> list[FormField]:
    """The fields a unit fills, in the order of fields.csv. ``plan`` is accepted for the day a plan asks
    fewer fields; today every plan's form asks every field of the catalog."""
    f = catalog.fields()
    totals = {x.denominator for x in f.values() if x.denominator}
    groups = {r["code"]: (r.get("nhom") or "").strip() for r in catalog.read_csv("fields.csv")}
    return [
        FormField(
            x.code,
            x.name,
            x.kind,
            x.measure,
            x.maximum,
            x.denominator,
            groups.get(x.code, ""),
            x.kind == "count" and x.agg == "last" and x.code in totals,
        )
        for x in f.values()
        if x.kind in KINDS
    ]


def groups(plan: str | None = None, kinds: tuple[str, ...] = ("count", "yesno")) -> list[tuple[str, list[FormField]]]:
    """(title, fields) in form order: the fields of a group together, where its first field stands; a field
    without a group is a group of its own titled by its name."""
    out: list[tuple[str, list[FormField]]] = []
    seen: dict[str, list[FormField]] = {}
    for f in fields(plan):
        if f.kind not in kinds:
            continue
        if not f.group:
            out.append((f.name, [f]))
        elif f.group in seen:
            seen[f.group].append(f)
        else:
            seen[f.group] = [f]
            out.append((f.group, seen[f.group]))
    return out


def value_of(answer: str) -> int | None:
    """1 or 0 for a yes/no answer written as the catalog lists it (catalog/co_khong.csv, exact spelling), else
    None: the web form's choice, read back without the reader's folding (the reader folds: values.py)."""
    return dict(catalog.yes_no_words()).get(answer)


def numerator_of(total: str) -> str | None:
    """The count that may not exceed ``total`` (its pair), or None."""
    return next((f.code for f in fields() if f.total == total), None)
