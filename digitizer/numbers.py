"""Parse the numbers printed in report cells, by the conventions of the annual-report spec.

Blank, 0, —, -, /, 无 mean 0; thousands separators, full-width digits, units (万元, 元, 件),
signs (−105, -105) and decimals are understood. The printed text is always kept by the caller.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ZERO_MARKS = frozenset({"", "0", "—", "——", "-", "--", "–", "/", "无", "一"})
_DASHES = str.maketrans({"−": "-", "–": "-", "﹣": "-", "－": "-", "—": "-", "‐": "-", "‒": "-"})
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>万元|万|元|件|个|项|次|人)?$"
)


@dataclass(frozen=True)
class ParsedNumber:
    value: int | float
    unit: str | None = None


# Units as the recognizer misreads them after digits (兀 for 元 in blurred print); neither
# character is a unit or appears in a count otherwise.
_UNIT_MISREADS = str.maketrans({"兀": "元", "仵": "件"})


def normalize_text(text: str) -> str:
    """NFKC (full-width to ASCII), unified dashes, no whitespace."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


# A change written out in words (本年增/减 cells: 减少3, 增加12); 减 read in its traditional form
# 減 as often as not.
_WORDED_SIGN = re.compile(r"^(?P<word>增加|增|[减減]少|[减減])(?P<rest>\d.*)$")


def parse_number(text: str) -> ParsedNumber | None:
    """The number a cell's text means, or None when the text is not a number."""
    compact = normalize_text(text)
    worded = _WORDED_SIGN.match(compact)
    if worded:
        compact = ("-" if worded["word"][0] in "减減" else "") + worded["rest"]
    if compact in ZERO_MARKS or compact.translate(_DASHES) in ZERO_MARKS:
        return ParsedNumber(0)
    match = _NUMBER.match(compact.translate(_DASHES).translate(_UNIT_MISREADS).replace("，", ","))
    if match is None:
        return None
    digits = match["int"].replace(",", "")
    sign = -1 if match["sign"] == "-" else 1
    if match["frac"]:
        value: int | float = sign * float(digits + match["frac"])
        if float(value).is_integer():
            value = int(value)
    else:
        value = sign * int(digits)
    # "万" alone: 万元 with its 元 wrapped onto a line of its own and lost (an amount's cell).
    return ParsedNumber(value, "万元" if match["unit"] == "万" else match["unit"])


_POINT_GROUPED = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")


def as_separator_count(text: str, parsed: ParsedNumber) -> int | None:
    """The whole count a reading like "4.825件" means when the point must be a misread
    thousands separator: a count has no fraction, and the digits after each point come in
    threes. None for any other reading."""
    if float(parsed.value).is_integer():
        return None
    digits = normalize_text(text)
    if parsed.unit and digits.endswith(parsed.unit):
        digits = digits[: -len(parsed.unit)]
    if not _POINT_GROUPED.match(digits):
        return None
    return int(re.sub(r"\D", "", digits))


_COMMA_POINT = re.compile(r"^(?P<int>[+-]?\d+),(?P<frac>\d{1,2}|\d{4,})(?P<unit>\D*)$")


def as_comma_point(text: str) -> ParsedNumber | None:
    """The number a reading like "133,4100万元" means when its one comma must be a misread
    decimal point: a thousands separator is followed by three digits, never by two or four.
    None for any other reading."""
    match = _COMMA_POINT.match(normalize_text(text).replace("，", ","))
    if match is None:
        return None
    return parse_number(f"{match['int']}.{match['frac']}{match['unit']}")


_SPECKS = ".·•,，'`_"


def strip_specks(text: str) -> str:
    """A reading without stray dots or strokes at its ends (scanner specks beside the digits);
    a leading minus stays."""
    return text.strip().lstrip(_SPECKS).rstrip(_SPECKS + "-")


def looks_numeric(text: str) -> bool:
    """Whether the text reads as a number (a count, an amount, a zero mark, a comma for a point)."""
    return parse_number(text) is not None or as_comma_point(text) is not None
