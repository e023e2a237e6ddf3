"""The cell table of bieu-mau.md, value by value, plus properties."""

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from data_sources.parse.text import clean, fold
from data_sources.parse.values import (
    FORMULA_ERRORS,
    MISSING,
    OK,
    REJECTED,
    parse,
    parse_count,
    parse_ratio,
    parse_yesno,
)

# bieu-mau.md's yes/no words (folded), and the ones the product adds (README: "1", "0", "Đã ban hành"…)
YES_NO = {"x", "co", "da ban hanh", "1", "true", "da", "yes", "co x", "da co",
          "khong", "chua", "0", "false", "no", "chua co", "chua ban hanh", "khong co"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "is_number", "value"),
    [
        ("386", True, 386),
        ("386.0", True, 386),
        ("1.234", False, 1234),
        ("1 234", False, 1234),
        ("1\u00a0234", False, 1234),
        ("12.345.678", False, 12345678),
        ("-", False, 0),
        ("–", False, 0),
        ("—", False, 0),
        ("0", False, 0),
        (" 42 ", False, 42),
    ],
)
def test_count_values(text, is_number, value):
    p = parse_count(text, is_number)
    assert (p.status, p.value) == (OK, value)


@pytest.mark.parametrize("text", ["", "   ", "...", "…", "x", "X"])
def test_count_missing_never_zero(text):
    p = parse_count(text)
    assert p.status == MISSING and p.value is None


@pytest.mark.parametrize(
    ("text", "is_number", "why"),
    [
        ("năm", False, "không phải là số"),
        ("2.5", False, "không rõ"),
        ("2,5", False, "số thập phân"),
        ("-3", False, "số âm"),
        ("-3", True, "số âm"),
        ("2.5", True, "số thập phân"),
        ("1,234,567", False, "tiếng Anh"),
        ("12abc", False, "không phải là số"),
        ("TRUE", False, "không phải là số"),
    ],
)
def test_count_rejected_with_reason(text, is_number, why):
    p = parse_count(text, is_number)
    assert p.status == REJECTED and p.value is None
    assert why in p.reason and text.strip() in p.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [("x", 1), ("X", 1), ("Có", 1), ("có", 1), ("Đã ban hành", 1), ("1", 1), ("TRUE", 1), ("co", 1),
     ("Không", 0), ("Chưa", 0), ("0", 0), ("FALSE", 0), ("khong", 0)],
)  # fmt: skip
def test_yesno(text, value):
    p = parse_yesno(text)
    assert (p.status, p.value) == (OK, value)


def test_yesno_rejects_and_missing():
    assert parse_yesno("abc").status == REJECTED
    assert parse_yesno("2", is_number=True).status == REJECTED
    assert parse_yesno("").status == MISSING
    assert parse_yesno("...").status == MISSING


@pytest.mark.parametrize(("text", "value"), [("12,5", 12.5), ("12,5%", 12.5), ("50", 50.0), ("0.125", 12.5)])
def test_ratio(text, value):
    p = parse_ratio(text, is_number=text == "0.125")
    assert p.status == OK and p.value == pytest.approx(value)


@given(st.integers(min_value=0, max_value=10**9))
def test_count_roundtrips_vietnamese_thousands(n):
    written = f"{n:,}".replace(",", ".")
    assert parse_count(written).value == n
    assert parse_count(f"{n:,}".replace(",", " ")).value == n
    assert parse_count(str(n), is_number=True).value == n


@given(st.text(max_size=12))
def test_count_never_crashes_never_guesses(text):
    p = parse_count(text)
    assert p.status in (OK, MISSING, REJECTED)
    if p.status == OK:
        assert p.value >= 0 and p.value == int(p.value)
    else:
        assert p.value is None
    # the same answer under NFC/NFD and surrounding spaces
    assert parse_count(unicodedata.normalize("NFD", text)) == parse_count(unicodedata.normalize("NFC", text))
    assert parse_count(f"  {text}  ").status == p.status


# bieu-mau.md: Có / Đã ban hành / x mean 1, Không / Chưa mean 0
@given(
    st.sampled_from([("Có", 1), ("Không", 0), ("Đã ban hành", 1), ("Chưa", 0), ("x", 1)]), st.booleans(), st.booleans()
)
def test_yesno_invariant_under_form_and_case(word_value, nfd, upper):
    word, value = word_value
    w = unicodedata.normalize("NFD", word) if nfd else word
    w = w.upper() if upper else w
    p = parse_yesno(w)
    assert (p.status, p.value) == (OK, value)


# --- issue 12: no string is read as a number unless bieu-mau.md's rules say so --------------------

_SPACES = "\u00a0\u202f\u2009"
# the spec's number spellings, written independently of values.py: digits; groups of three after a
# dot or a space (one kind per number); a dash for 0
_SPEC_COUNT = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+)$")
_SPEC_DECIMAL = re.compile(r"^[0-9]+,[0-9]+$")  # 12,5: a count only when whole (2,0)
_SPEC_RATIO = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+,[0-9]+)\s*%?$")
_SIGNED_ZERO = re.compile(r"^[-−–] ?0+$")  # "-0": zero, not a negative number
_DASHES = {"-", "–", "—", "−", "--"}

# strings built from what numbers are made of, so the property meets near-misses often
number_like = st.text(alphabet="0123456789.,  -–%xX" + _SPACES + "oOlI١２", max_size=14)


def _spec_text(text: str) -> str:
    s = unicodedata.normalize("NFC", text)
    for ch in _SPACES:
        s = s.replace(ch, " ")
    return re.sub(r"\s+", " ", s).strip()


@given(st.one_of(number_like, st.text(max_size=14)))
@example("１２")
@example("٣")
@example("-0")
@example("2,0")
def test_a_count_is_read_only_from_a_spelling_the_spec_lists(text):
    p = parse_count(text)
    s = _spec_text(text)
    if p.status == OK:
        spelled = s in _DASHES or _SPEC_COUNT.match(s) or _SPEC_DECIMAL.match(s) or _SIGNED_ZERO.match(s)
        assert spelled, f"{text!r} read as {p.value}"
        if _SPEC_COUNT.match(s):
            assert p.value == int(re.sub(r"[^0-9]", "", s))
    if s in _DASHES or _SPEC_COUNT.match(s):
        assert p.status == OK


@given(st.one_of(number_like, st.text(max_size=14)))
def test_a_ratio_is_read_only_from_a_spelling_the_spec_lists(text):
    p = parse_ratio(text)
    s = _spec_text(text)
    if p.status == OK:
        assert _SPEC_RATIO.match(s), f"{text!r} read as {p.value}"


@given(st.one_of(number_like, st.text(max_size=14)))
def test_yes_no_is_read_only_from_the_spec_words(text):
    p = parse_yesno(text)
    if p.status == OK:
        words = fold(re.sub(r"\([^()]*\)", " ", _spec_text(text))) or fold(text)
        assert words in YES_NO or _spec_text(text) in _DASHES, text


@given(st.sampled_from(sorted(FORMULA_ERRORS)), st.sampled_from(["count", "yesno", "derived", "text"]))
def test_a_formula_error_is_never_a_value(err, kind):
    p = parse(kind, err)
    assert p.status == REJECTED and err in p.reason


@pytest.mark.parametrize(
    "text, want",
    [
        ("  Phường\u00a0 Tân\tAn \n", "Phường Tân An"),  # non-breaking space, tab, line break
        ("Xã\u202fEa\u2009Kar\u3000", "Xã Ea Kar"),  # narrow, thin and ideographic spaces
        ("Tru\u031bo\u031b\u0300ng", "Trường"),  # NFD composed to NFC
        ("\u200bA", "\u200bA"),  # a zero-width space is not a space: kept, never guessed away
        (None, ""),
    ],
)
def test_clean_collapses_every_kind_of_space_and_composes(text, want):
    assert clean(text) == want


@given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2009\u202f\u3000\u200bab"), max_size=12))
def test_clean_matches_the_regex_definition_of_a_space(text):
    # the definition the spec's rule is written in: every regex \s run is one space, ends trimmed
    assert clean(text) == re.sub(r"\s+", " ", text).strip()
