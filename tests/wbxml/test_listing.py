"""The token listing ``dump`` prints: the compiled lister makes the pure one's lines and raises
its errors on every vector and on thousands of damaged ones, and a listing is bounded by the
limits a decode is bounded by (its lines carry the depth, so depth bounds their length)."""

from __future__ import annotations

import random
from types import ModuleType

import pytest

from syncml_codec import DecodeError, LimitError, Limits, fallback
from syncml_codec.cli.dump import dump
from syncml_codec.limits import DEFAULT_LIMITS
from syncml_codec.wbxml.header import mb_u_int32, read_header

from helpers import FUZZ_FINDINGS, HEADER_12, VECTORS, compiled_or_skip, public_vectors, syncml

VECTOR_FILES = sorted(VECTORS.glob("**/*.wbxml")) + public_vectors()


def listing(codec: ModuleType, data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple:
    """The body's lines from ``codec``'s lister, and the error that ended them (or None)."""
    lines: list[str] = []
    try:
        header = read_header(data)
        if header.language is None:
            return lines, "unknown language"
        for line in codec.list_tokens(data, header, limits, "| ", 0x100, None):
            lines.append(line)
    except DecodeError as error:
        return lines, (type(error).__name__, error.message, error.offset)
    return lines, None


def damaged(data: bytes, picker: random.Random) -> bytes:
    """``data`` with one to three bytes changed, inserted or removed, or cut short."""
    damaged = bytearray(data)
    for _ in range(picker.randint(1, 3)):
        where = picker.randrange(len(damaged) + 1)
        how = picker.randrange(4)
        if how == 0 and where < len(damaged):
            damaged[where] = picker.randrange(256)
        elif how == 1:
            damaged.insert(where, picker.choice((0, 1, 2, 3, 0x43, 0x83, 0xC3, 0x80, 0xC0, 4)))
        elif how == 2 and where < len(damaged):
            del damaged[where]
        else:
            del damaged[where:]
    return bytes(damaged)


def test_both_listers_list_every_vector_alike():
    compiled = compiled_or_skip()
    listed = 0
    for path in VECTOR_FILES + sorted(FUZZ_FINDINGS.iterdir()):
        data = path.read_bytes()
        expected = listing(fallback, data)
        assert listing(compiled, data) == expected, path.name
        listed += bool(expected[0])
    assert listed > 100


def test_both_listers_stop_alike_on_damaged_documents():
    compiled = compiled_or_skip()
    picker = random.Random(15)
    errors = set()
    for path in VECTOR_FILES:
        data = path.read_bytes()
        for _ in range(20):
            bad = damaged(data, picker)
            expected = listing(fallback, bad)
            assert listing(compiled, bad) == expected, (path.name, bad.hex())
            if isinstance(expected[1], tuple):
                errors.add(expected[1][1].split(" ")[0])
    assert len(errors) >= 8  # many kinds of damage met, not one


@pytest.mark.parametrize(
    "body,limits,error",
    [
        (b"\x6b" * 40 + b"\x01" * 40, Limits(max_depth=30), "elements nested deeper than 30"),
        (b"\x6b\x4f\x03" + b"A" * 100 + b"\x00\x01\x01", Limits(max_string=99), "max_string"),
        (b"\x6b\x4f\xc3\x64" + b"A" * 100 + b"\x01\x01", Limits(max_opaque=99), "max_opaque"),
        (b"\x6b" + (b"\x4f\x03" + b"A" * 60 + b"\x00\x01") * 3 + b"\x01", Limits(max_output=150),
         "max_output"),
    ],
    ids=["max_depth", "max_string", "max_opaque", "max_output"],
)  # fmt: skip
def test_a_listing_stops_where_a_decode_does(codec, body, limits, error):
    data = syncml(body)
    with pytest.raises(LimitError) as decoding:
        codec.decode_wbxml(data, limits=limits)
    lines = []
    with pytest.raises(LimitError) as listed:
        for line in dump(data, limits=limits):
            lines.append(line)
    assert error in listed.value.message
    assert (listed.value.message, listed.value.offset) == (
        decoding.value.message,
        decoding.value.offset,
    )
    assert lines and int(lines[-1].split()[0], 16) < listed.value.offset


def test_an_empty_element_one_deeper_than_max_depth_is_listed_as_it_is_decoded(codec):
    """max_depth counts the elements with content: an empty one may sit inside the deepest."""
    data = syncml(b"\x6b" * 28 + b"\x12" + b"\x01" * 28)
    limits = Limits(max_depth=29)
    codec.decode_wbxml(data, limits=limits)
    assert "<Final>" in list(dump(data, limits=limits))[-30]


def test_deep_documents_make_short_lines(codec):
    """200,000 nested tags make no line longer than the default depth allows."""
    data = HEADER_12 + b"\x6d" * 200_000
    lines = []
    with pytest.raises(LimitError, match="deeper than 256"):
        for line in dump(data):
            lines.append(line)
    assert len(lines) == 2 + 256 and max(map(len, lines)) < 40 + 2 * 256 + 40


def nest(document: bytes, times: int) -> bytes:
    """``document`` in the Data of a SyncML message, itself in another's, ``times`` deep."""
    for _ in range(times):
        document = syncml(b"\x6b\x4f\xc3" + mb_u_int32(len(document)) + document + b"\x01\x01")
    return document


def test_nested_documents_are_listed_indented_with_their_offsets(codec):
    inner = syncml(b"\x6b\x12\x01")
    outer = nest(inner, 1)
    lines = list(dump(outer))
    at = outer.index(inner, 1)
    assert f"{at:08X}  03" in lines[lines.index(next(x for x in lines if "OPAQUE" in x)) + 1]
    header_line = next(line for line in lines if line.startswith(f"{at:08X}"))
    assert header_line.split("  ", 2)[2].strip().startswith("version 1.3")
    assert sum("<SyncML>" in line for line in lines) == 2


def test_nesting_is_listed_as_deep_as_a_decode_reads_it(codec):
    """Documents nested deeper than a decode reads stay OPAQUE lines."""
    lines = list(dump(nest(syncml(b"\x6b\x12\x01"), 40)))
    roots = sum("<SyncML>" in line for line in lines)
    assert roots == 33  # the outermost and the 32 a decode reads nested
