"""The number parser on every cell convention of the annual-report spec."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digitizer.numbers import as_comma_point, as_separator_count, looks_numeric, parse_number


@pytest.mark.parametrize("text", ["", " ", "0", "—", "——", "-", "/", "无", "－", "０"])
def test_blank_and_zero_marks_mean_zero(text):
    assert parse_number(text).value == 0


@pytest.mark.parametrize(
    "text,value,unit",
    [
        ("101", 101, None),
        ("1,234", 1234, None),
        ("12,345,678", 12345678, None),
        ("１２３", 123, None),  # full-width digits
        ("１，２３４", 1234, None),
        ("-105", -105, None),
        ("−105", -105, None),  # U+2212 minus
        ("+7", 7, None),
        ("1792.0873", 1792.0873, None),
        ("1792.0873 万元", 1792.0873, "万元"),
        ("251000元", 251000, "元"),
        ("75394432.52元", 75394432.52, "元"),
        ("106件", 106, "件"),
        ("2.0", 2, None),
        ("2233.7898万兀", 2233.7898, "万元"),  # 元 misread in blurred print
        ("12仵", 12, "件"),
        ("1792.0873万", 1792.0873, "万元"),  # 万元 wrapped, its 元 on a line of its own lost
        ("减少4", -4, None),  # a change written out in words
        ("增加12", 12, None),
        ("減少4", -4, None),  # 减 read in its traditional form (a JPEG-30 scan of a Word report)
        ("減4", -4, None),
    ],
)
def test_numbers_with_separators_units_signs_decimals(text, value, unit):
    parsed = parse_number(text)
    assert parsed is not None
    assert parsed.value == pytest.approx(value)
    assert parsed.unit == unit
    assert isinstance(parsed.value, int) == float(value).is_integer()


@pytest.mark.parametrize("text", ["自然人", "总计", "1.属于国家秘密", "12a", "1,23", "第二十条", "O1", "兀"])
def test_words_are_not_numbers(text):
    assert parse_number(text) is None


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_integers_round_trip_with_and_without_separators(n):
    assert parse_number(str(n)).value == n
    assert parse_number(f"{n:,}").value == n


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=1, max_value=9999))
def test_decimals_round_trip(whole, frac):
    text = f"{whole}.{frac:04d}"
    assert parse_number(text).value == pytest.approx(float(text))


@given(st.text(max_size=12))
def test_never_raises(text):
    parsed = parse_number(text)
    assert parsed is None or isinstance(parsed.value, int | float)


@pytest.mark.parametrize(
    ("text", "whole"),
    [("4.825件", 4825), ("4.82", None), ("12.5", None), ("4825", None),
     ("0.500", None)],
)
def test_a_point_between_groups_of_three_in_a_count_is_a_separator(text, whole):
    assert as_separator_count(text, parse_number(text)) == whole


def test_a_count_read_with_a_point_keeps_its_reading_and_says_why():
    """The cell's reading stays as read; the value is the whole count, and the report says why."""
    from digitizer.layouts import load_layouts
    from digitizer.mapping import SEPARATOR_READING, _cell_value
    from digitizer.types import CellReading, TableCell

    layout = load_layouts()[0]
    cell = TableCell(row=0, col=0, row_span=1, col_span=1, text="4.825件", confidence=0.9, page=1,
                     bbox=(0, 0, 10, 10), reading=CellReading("4.825件", 0.9, "4.825件", 0.9, 1))
    count = _cell_value(cell, None, "count", layout)
    assert (count.value, count.text, count.why) == (4825, "4.825件", SEPARATOR_READING)
    amount = _cell_value(cell, None, "amount", layout)
    assert amount.value == 4.825 and amount.why is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("133,4100万元", 133.41), ("1792,0873", 1792.0873), ("12,5", 12.5), ("1,234", None), ("1,234,567", None),
     ("133.41", None), ("信息,12", None)],
)
def test_a_comma_before_two_or_four_digits_is_a_misread_point(text, value):
    """A procurement amount printed 133.4100 and read "133,4100万元" (a Word report at level 2):
    it was no number at all, so its row of one value, read as words, was taken for a header and
    both its cells went unread. A thousands separator is followed by three digits."""
    parsed = as_comma_point(text)
    assert (parsed.value if parsed else None) == value
    if value is not None:
        assert looks_numeric(text)


def test_an_amount_read_with_a_comma_for_its_point_keeps_its_reading_and_says_why():
    from digitizer.layouts import load_layouts
    from digitizer.mapping import COMMA_POINT_READING, _cell_value
    from digitizer.types import CellReading, TableCell

    layout = load_layouts()[0]
    cell = TableCell(row=0, col=0, row_span=1, col_span=1, text="133,4100万元", confidence=0.9, page=1,
                     bbox=(0, 0, 10, 10), reading=CellReading("133,4100万元", 0.9, "133,4100万元", 0.9, 1))
    amount = _cell_value(cell, "amount_10k_yuan", "amount", layout)
    assert (amount.value, amount.text, amount.why) == (133.41, "133,4100万元", COMMA_POINT_READING)
    assert _cell_value(cell, None, "count", layout).value is None  # a count has no fraction
