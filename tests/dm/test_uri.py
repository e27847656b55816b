"""Management-tree URIs: the canonical form, the queries, and the status of each fault."""

from __future__ import annotations

import pickle

import pytest

from syncml_codec.dm import TreeError, Uri, UriLimits


@pytest.mark.parametrize(
    "text,segments,canonical",
    [
        (".", (), "."),
        ("./DevInfo/Mod", ("DevInfo", "Mod"), "./DevInfo/Mod"),
        ("DevInfo/Mod", ("DevInfo", "Mod"), "./DevInfo/Mod"),
        ("./A%2FB/c", ("A/B", "c"), "./A%2FB/c"),
        ("./%C3%A9t%C3%A9", ("été",), "./%C3%A9t%C3%A9"),
        ("./été", ("été",), "./%C3%A9t%C3%A9"),
        ("./Vendor/x.y", ("Vendor", "x.y"), "./Vendor/x.y"),
    ],
)
def test_uris_read_to_their_segments_and_write_canonically(text, segments, canonical):
    uri = Uri.parse(text)
    assert uri.segments == segments and str(uri) == canonical
    assert Uri.parse(str(uri)) == uri


@pytest.mark.parametrize(
    "text", ["", "./", "./A/", "/A", "A//B", "./A/../B", "../A", "A/./B", "./A/.", "./%4", "./%zz",
             "./%FF", "./A?prop", "./A?prop="]
)  # fmt: skip
def test_malformed_uris_are_400(text):
    with pytest.raises(TreeError) as raised:
        Uri.parse(text)
    assert raised.value.status == 400


def test_properties_and_listings():
    uri = Uri.parse("./DMAcc/x?prop=ACL")
    assert (uri.segments, uri.prop, str(uri)) == (("DMAcc", "x"), "ACL", "./DMAcc/x?prop=ACL")
    assert uri.node == Uri.parse("DMAcc/x")
    listing = Uri.parse("./DevDetail?list=TNDS+ACL+Format")
    assert (listing.list_form, listing.list_properties, listing.list_excludes) == (
        "TNDS", ("ACL", "Format"), False
    )  # fmt: skip
    assert str(listing) == "./DevDetail?list=TNDS+ACL+Format"
    without = Uri.parse("./DevDetail?list=TNDS-Format-Value")
    assert without.list_excludes and without.list_properties == ("Format", "Value")
    assert Uri.parse(".?list=Struct").list_form == "Struct"
    for unsupported in ("./A?prop=Colour", "./A?list=Tree", "./A?sort=up", "./A?list=TNDS+Nope"):
        with pytest.raises(TreeError) as raised:
            Uri.parse(unsupported)
        assert raised.value.status == 406, unsupported
    for malformed in ("./A?list=TNDS+ACL-Format", "./A?list=Struct+ACL"):
        with pytest.raises(TreeError) as raised:
            Uri.parse(malformed)
        assert raised.value.status == 400, malformed


def test_the_devices_uri_limits_give_414():
    limits = UriLimits(max_depth=3, max_total_length=15, max_segment_length=5)
    assert Uri.parse("./A/B/C", limits).segments == ("A", "B", "C")
    for text in ("./A/B/C/D", "./AAAAA/BBBBB/CCCCC", "./ABCDEF"):
        with pytest.raises(TreeError) as raised:
            Uri.parse(text, limits)
        assert raised.value.status == 414, text
    assert len(Uri.parse("./" + "/".join("x" * 9 for _ in range(40)), UriLimits()).segments) == 40
    # the segment limit counts UTF-8 bytes of the decoded name
    with pytest.raises(TreeError):
        Uri.parse("./%C3%A9%C3%A9%C3%A9", UriLimits(max_segment_length=5))


def test_navigation_and_errors_travel():
    uri = Uri.parse("./A/B/C")
    assert uri.name == "C" and uri.parent == Uri.parse("A/B") and Uri.parse(".").is_root
    assert uri.parent.child("C") == uri and Uri.parse("./A").is_ancestor_of(uri)
    assert not uri.is_ancestor_of(uri) and Uri.parse(".").name == "."
    error = pickle.loads(pickle.dumps(TreeError(404, "no node ./X")))
    assert error.status == 404 and error.message == "no node ./X"
