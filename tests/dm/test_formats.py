"""Node formats and the values each accepts (TND 7.7.4): what is stored, what is refused."""

from __future__ import annotations

import pytest

from syncml_codec.dm import FORMATS, TreeError, check_value
from syncml_codec.dm.formats import value_size


@pytest.mark.parametrize(
    ("format", "value", "stored"),
    [
        ("chr", "héllo", "héllo"),
        ("chr", "héllo".encode(), "héllo"),
        ("int", "-2147483648", "-2147483648"),
        ("int", "+2147483647", "+2147483647"),
        ("int", 42, "42"),
        ("int", "0" * 5_000 + "7", "0" * 5_000 + "7"),  # leading zeros: any number of them
        ("bool", "true", "true"),
        ("bool", False, "false"),
        ("float", "1.5E-3", "1.5E-3"),
        ("float", "-INF", "-INF"),
        ("float", "NaN", "NaN"),
        ("float", ".5", ".5"),
        ("date", "2026-12-06", "2026-12-06"),
        ("date", "20261206", "20261206"),
        ("time", "23:59:60", "23:59:60"),
        ("time", "101530Z", "101530Z"),
        ("time", "10:15:30.25+01:00", "10:15:30.25+01:00"),
        ("xml", "<a>1</a><b/>", "<a>1</a><b/>"),
        ("xml", '<?xml version="1.0"?><r/>', '<?xml version="1.0"?><r/>'),
        ("bin", b"\x00\xff", b"\x00\xff"),
        ("b64", "AP8=", b"\x00\xff"),
        ("b64", "AP8=\n", b"\x00\xff"),
        ("null", None, None),
        ("null", "", None),
    ],
)
def test_accepted_values_and_what_is_stored(format, value, stored):
    assert check_value(value, format) == stored


@pytest.mark.parametrize(
    ("format", "value"),
    [
        ("int", "2147483648"),
        ("int", "-2147483649"),
        ("int", "1.0"),
        ("int", ""),
        ("int", "9" * 5_000),  # more digits than Python converts: out of range, not an error
        ("int", "-" + "9" * 5_000),
        ("int", "٣"),  # an Arabic-Indic digit
        ("int", "²"),
        ("bool", "True"),
        ("bool", "1"),
        ("float", "1,5"),
        ("float", "inf"),
        ("date", "2026-02-30"),
        ("date", "26-12-06"),
        ("time", "24:00:00"),
        ("time", "10:61:00"),
        ("xml", "<a>"),
        ("b64", "AP8"),
        ("null", "x"),
        ("chr", b"\xff"),
    ],
)
def test_refused_values_are_400(format, value):
    with pytest.raises(TreeError) as caught:
        check_value(value, format)
    assert caught.value.status == 400


def test_an_unknown_format_and_node_are_415_for_a_leaf():
    for format in ("jpeg", "node", "Chr"):
        with pytest.raises(TreeError) as caught:
            check_value("x", format)
        assert caught.value.status == 415


def test_a_value_of_the_wrong_python_type_is_a_type_error():
    with pytest.raises(TypeError):
        check_value(1.5, "chr")
    with pytest.raises(TypeError):
        check_value(3, "bin")


def test_the_formats_are_the_specs_eleven():
    assert sorted(FORMATS) == sorted(
        ["b64", "bin", "bool", "chr", "int", "node", "null", "xml", "date", "time", "float"]
    )


def test_size_counts_the_unencoded_bytes():
    assert value_size("é") == 2
    assert value_size(b"\x00" * 5) == 5
    assert value_size(None) == 0
