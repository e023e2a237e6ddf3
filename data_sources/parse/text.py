"""Text normalization shared by header, unit and value matching.

Vietnamese sheets arrive in NFC or NFD, with or without dấu, in any case, with
line breaks inside header cells, curly or straight apostrophes and stray double
spaces (the official unit list itself has ``Phường  Buôn Ma Thuột``). Two
normal forms are used:

* ``norm``: NFC, lower case, punctuation to spaces, spaces collapsed. Keeps dấu.
* ``fold``: ``norm`` with every diacritic removed and ``đ`` -> ``d``.

Matching tries ``norm`` first (so ``Tân An`` and ``Tấn An`` stay apart when the
writer used dấu) and falls back to ``fold`` (for ``Viet Yen``).
"""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: object) -> str:
    """NFC, non-breaking and odd spaces to plain spaces, trimmed, collapsed (``str.split`` splits on
    every Unicode space, the same set as the regex ``\\s``: checked over every code point)."""
    if text is None:
        return ""
    return " ".join(nfc(str(text)).split())


_NON_WORD = re.compile(r"[\W_]+")  # punctuation, underscores and every kind of space: one pass


def norm(text: object) -> str:
    """Case-, punctuation- and spacing-insensitive form that keeps dấu."""
    if text is None:
        return ""
    return _NON_WORD.sub(" ", nfc(str(text)).lower()).strip()


def _marks_table() -> dict[int, str]:
    """Every precomposed Latin letter with marks (À..ỹ) -> its base letter, and đ/Đ -> d/D."""
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        if base and base != ch:
            table[cp] = base
    return table


_MARKS = _marks_table()


def strip_marks(text: str) -> str:
    """Remove dấu. Composes first (NFC) so one C-level translate handles NFC and NFD input;
    any combining mark left over (a letter outside the table) is dropped the slow way."""
    s = unicodedata.normalize("NFC", text).translate(_MARKS)
    if s.isascii():
        return s
    s = unicodedata.normalize("NFD", s)
    return "".join(ch for ch in s if unicodedata.category(ch) != "Mn")


# any letter strip_marks changes (its table's keys) or any combining mark (text written decomposed)
_MARKED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_MARKS)) + "\u0300-\u036f]")


def has_marks(text: str) -> bool:
    """The text carries a diacritic or đ: one regex search, the same letters :func:`strip_marks` removes."""
    return not text.isascii() and _MARKED.search(text) is not None


def fold(text: object) -> str:
    """``norm`` without diacritics: ``Phường Việt Yên`` -> ``phuong viet yen``."""
    return strip_marks(norm(text))
