"""The «Nộp báo cáo» form's checks at entry: the reader's own rules, applied to what a person typed.

Each answer is read by :func:`values.parse` exactly as a sheet cell would be (``1.234`` is 1234, ``-`` is 0,
``...`` not collected, a decimal or negative count refused), then the catalog's maximum
(fields.csv ``toi_da``, as insert_stg_cells.sql applies it) and the ``≤`` pair (a numerator may not exceed
its total). A message names the field's rule in Vietnamese and stands beside the field. Nothing here
changes an answer: what is sent is what was typed.
"""

from __future__ import annotations

from core import fmt, form

from .values import OK, REJECTED, parse


def check(answers: dict[str, str], plan: str | None = None) -> dict[str, str]:
    """{field code: message} for every answer the reader would refuse or the pair rule flags; also
    ``"*"`` when nothing at all is answered."""
    fields = {f.code: f for f in form.fields(plan)}
    names = {c: f.name for c, f in fields.items()}
    out: dict[str, str] = {}
    read: dict[str, float] = {}
    for code, text in answers.items():
        f = fields.get(code)
        if f is None or not (text or "").strip():
            continue
        if f.kind == "text":
            if len(text) > form.TEXT_MAX:
                out[code] = f"Dài {fmt.number(len(text))} ký tự; tối đa {fmt.number(form.TEXT_MAX)} ký tự."
            continue
        p = parse(f.kind, text)
        if p.status == REJECTED:
            out[code] = p.reason[0].upper() + p.reason[1:] + "."
        elif p.status == OK and p.value is not None:
            if f.maximum is not None and p.value > f.maximum:
                out[code] = (
                    f"«{text.strip()}» lớn hơn mức hợp lý tối đa {fmt.number(f.maximum)} cho một đơn vị trong một kỳ: "
                    "kiểm tra lại."
                )
            else:
                read[code] = p.value
    for code, f in fields.items():
        if f.total and code in read and f.total in read and read[code] > read[f.total]:
            out.setdefault(
                code,
                f"{fmt.number(read[code])} lớn hơn «{names[f.total]}» ({fmt.number(read[f.total])}): "
                "số này không được lớn hơn tổng số.",
            )
        elif f.total and code in read and f.total not in read and f.total not in out:
            out.setdefault(f.total, f"Cần ghi «{names[f.total]}» để tính tỷ lệ của «{f.name}».")
    if not any((t or "").strip() for t in answers.values()):
        out["*"] = "Chưa có câu trả lời nào: hãy ghi ít nhất một số liệu trước khi gửi."
    return out
