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

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: object) -> str:
    """NFC, non-breaking and odd spaces to plain spaces, trimmed, collapsed."""
    if text is None:
        return ""
    s = nfc(str(text))
    s = s.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    return _SPACES.sub(" ", s).strip()


def norm(text: object) -> str:
    """Case-, punctuation- and spacing-insensitive form that keeps dấu."""
    s = clean(text).lower()
    s = s.replace("_", " ")
    s = _PUNCT.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


def strip_marks(text: str) -> str:
    s = unicodedata.normalize("NFD", text)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return s.replace("đ", "d").replace("Đ", "D")


def fold(text: object) -> str:
    """``norm`` without diacritics: ``Phường Việt Yên`` -> ``phuong viet yen``."""
    return strip_marks(norm(text))
