"""The Element of each implementation: fields, children, names, the reserve, the collector."""

from __future__ import annotations

import copy
import gc

import pytest
from lxml import etree

import syncml_codec
from syncml_codec import EncodeError, _impl, fallback

from helpers import COMMANDS_XML, HEADER_12, NS, VECTORS, compiled_or_skip

pytestmark = pytest.mark.usefixtures("codec")


@pytest.mark.parametrize(
    "write",
    [
        lambda tree: syncml_codec.encode(tree),
        lambda tree: syncml_codec.encode(tree, string_table=True),
        lambda tree: syncml_codec.encode(tree, format="xml"),
        lambda tree: syncml_codec.encode(tree, format="xml", pretty=True),
        syncml_codec.to_lxml,
    ],
    ids=["wbxml", "wbxml-string-table", "xml", "xml-pretty", "lxml"],
)
def test_a_tree_that_contains_itself_is_refused(Element, write):
    """The depth limit stops the encoders, the string table's count of repeated strings and the
    XML writers on a tree made to contain itself (it would otherwise never end, or overflow
    the C stack)."""
    item = Element("Item", NS, text="text")
    tree = Element("SyncML", NS, children=[item])
    item.children.append(tree)
    try:
        with pytest.raises(EncodeError, match="nested deeper than 512"):
            write(tree)
    finally:
        item.children.clear()  # compiled Elements are not collected: break the cycle


@pytest.mark.parametrize("form", ["wbxml", "xml"])
def test_decoding_leaves_the_collector_as_the_application_set_it(codec, monkeypatch, form):
    """A library does not change process-wide state: while a tree is built (seen from the Python
    code the decoders call, the Meta Type rule and the XML name resolution), the collector is
    on if the application left it on, and off if it turned it off."""
    seen = []
    if codec is fallback:
        from syncml_codec.wbxml import decoder
        from syncml_codec.xml import reader

        modules = [decoder, reader]
    else:
        modules = [codec]
    for module in modules:
        for name in ("type_for_xml", "resolve_element"):
            if hasattr(module, name):
                original = getattr(module, name)

                def watched(*args, _original=original):
                    seen.append(gc.isenabled())
                    return _original(*args)

                monkeypatch.setattr(module, name, watched)
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Results><Meta><Type xmlns="syncml:metinf">'
        b"text/plain</Type></Meta><Item><Data>x</Data></Item></Results></SyncBody></SyncML>"
    )
    data = xml if form == "xml" else syncml_codec.xml_to_wbxml(xml)
    try:
        assert gc.isenabled()
        syncml_codec.decode(data)
        assert seen and all(seen)
        seen.clear()
        syncml_codec.register_language(syncml_codec.language_for_public_id(0x1201))  # cold caches
        gc.disable()
        syncml_codec.decode(data)
        assert seen and not any(seen)
    finally:
        gc.enable()


def test_encode_errors(Element):
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("Nothing", "urn:unknown"))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, text=3.5))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, text="\ud800"))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, text=b"\x01"), version="1.0")
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, {"a": 1}))
    with pytest.raises(ValueError):
        syncml_codec.encode(Element("SyncML", NS), version="2.0")
    with pytest.raises(ValueError):
        syncml_codec.encode(Element("SyncML", NS), format="json")


def test_elements_from_either_implementation_encode_alike():

    results = set()
    for module in _impl.IMPLEMENTATIONS.values():
        tree = module.Element("SyncML", NS, children=[module.Element("Final", NS)])
        results.add(syncml_codec.encode(tree))
    assert results == {HEADER_12 + b"\x6d\x12\x01"}


def test_element_api(Element):
    leaf = Element("MsgID", NS, text="1")
    tree = Element("SyncHdr", NS, children=[leaf])
    assert tree.find("MsgID") is leaf and tree.findtext("MsgID") == "1"
    assert tree.find("Nope") is None and tree.findtext("Nope", "d") == "d"
    assert list(tree) == [leaf] and len(tree) == 1
    assert tree != Element("SyncHdr", NS) and tree != "SyncHdr"
    assert "SyncHdr" in repr(tree)
    with pytest.raises(TypeError):
        hash(tree)
    assert Element("X").attributes == {} and Element("X").children == []


def test_element_fields_set_in_any_order_keep_each_other(Element):
    """Children, attributes and tail stay what they were set to, whichever comes first (the
    compiled Element keeps the rare ones, attributes and tail, apart)."""
    child = Element("Final", NS)
    element = Element("SyncBody", NS, children=[child])
    element.tail = "after"
    assert element.children == [child] and element.attributes == {}
    element.attributes["id"] = "1"
    element.children.append(Element("Final", NS))
    element.children = [child]
    assert (element.tail, element.attributes, element.children) == ("after", {"id": "1"}, [child])
    element.tail = None
    assert element.tail is None and element.attributes == {"id": "1"} and len(element) == 1
    assert element == Element("SyncBody", NS, attributes={"id": "1"}, children=[child])
    leaf = Element("MsgID", NS, text="1", tail="\n")
    assert leaf.children == [] and leaf.tail == "\n" and leaf.attributes == {}


def test_element_text_and_children_set_in_any_order_keep_each_other(Element):
    """Text and children stay what they were set to, in either order, whatever their types (the
    compiled Element holds a str text, or a list or tuple of children, in one field)."""
    child = Element("Final", NS)

    class Children(list):
        pass

    makers = (lambda: [child], lambda: (child,), lambda: Children([child]))
    for text in ("text", b"\x00binary", ""):
        for children in makers:
            first = Element("SyncBody", NS, text=text)
            first.children = children()
            second = Element("SyncBody", NS, children=children())
            second.text = text
            for element in (first, second):
                assert element.text == text and list(element) == [child] and len(element) == 1
                element.text = None
                assert element.text is None and list(element.children) == [child]
                element.text = text
                element.children = []
                assert element.text == text and len(element) == 0
    leaf = Element("Data", NS, text=b"\x01")
    assert leaf.text == b"\x01" and leaf.children == []
    leaf.children.append(child)
    assert leaf.text == b"\x01" and leaf.children == [child]
    leaf.__init__("Data", NS)  # made anew: nothing of before is kept
    assert leaf == Element("Data", NS) and leaf.children == []


def test_element_tag_and_namespace_set_separately(Element):
    element = Element("MsgID", NS, text="1")
    element.tag = "CmdID"
    assert (element.tag, element.namespace, element.text) == ("CmdID", NS, "1")
    element.namespace = "syncml:metinf"
    assert (element.tag, element.namespace) == ("CmdID", "syncml:metinf")
    assert element == Element("CmdID", "syncml:metinf", text="1")
    assert element != Element("CmdID", NS, text="1")


def test_element_names_are_kept_as_given(Element):
    """Any tag and namespace objects are kept as given (str subclasses, unhashable values); the
    encoder is what refuses a tag that is not a str."""

    class Tag(str):
        pass

    for tag in (Tag("CmdID"), ["CmdID"], 1, True):
        element = Element(tag, NS)
        assert element.tag is tag and element.namespace == NS
    assert type(Element("CmdID", NS).tag) is str
    for tag in (["CmdID"], 1, True):
        with pytest.raises(EncodeError):
            syncml_codec.encode(Element("SyncML", NS, children=[Element(tag, NS)]))
        with pytest.raises(EncodeError):
            syncml_codec.encode(Element(tag, NS))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", ["SYNCML:SYNCML1.2"]))


def test_decoded_children_become_a_list_that_keeps_changes(Element):
    """Children read, searched and counted before and after ``children`` is first read (the
    compiled decoder holds them in a tuple until then) are the same; the list is kept."""
    source = Element(
        "SyncML",
        NS,
        children=[
            Element("SyncHdr", NS, children=[Element("MsgID", NS, text="1")]),
            Element("SyncBody", NS, children=[Element("Final", NS)]),
        ],
    )
    tree = syncml_codec.decode(syncml_codec.encode(source))
    assert len(tree) == 2 and [child.tag for child in tree] == ["SyncHdr", "SyncBody"]
    assert tree.find("SyncBody") == source.find("SyncBody") and tree == source
    children = tree.children
    assert type(children) is list and tree.children is children
    children.pop(0)
    tree.find("SyncBody").children.insert(0, Element("Alert", NS))
    assert [child.tag for child in tree] == ["SyncBody"] and len(tree) == 1
    assert [child.tag for child in tree.find("SyncBody")] == ["Alert", "Final"]
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree


def test_an_only_child_reads_and_changes_like_any_other(Element):
    """A decoded element with one child (the compiled decoder holds an only child without a
    tuple) counts, iterates, compares and encodes as any other, and keeps its child when it
    takes text, attributes, a tail or more children."""
    msg_id = Element("MsgID", NS, text="1")
    source = Element("SyncML", NS, children=[Element("SyncHdr", NS, children=[msg_id])])
    changes = {
        "text": lambda header: setattr(header, "text", "before"),
        "attributes": lambda header: header.attributes.update(id="7"),
        "tail": lambda header: setattr(header, "tail", "after"),
        "child": lambda header: header.children.append(Element("Final", NS)),
    }
    for name, change in changes.items():
        tree = syncml_codec.decode(syncml_codec.encode(source))
        header = tree.find("SyncHdr")
        assert len(header) == 1 and list(header) == [msg_id] and header.find("MsgID") == msg_id
        assert header == source.find("SyncHdr") and tree == source
        change(header)
        assert header.find("MsgID") == msg_id and header.children[0] == msg_id, name
        assert len(header) == (2 if name == "child" else 1), name
        assert syncml_codec.decode(syncml_codec.encode(tree)) == tree, name


def test_element_reserve_limit_is_set_and_reported():
    """The limit is bytes of emptied Element chunks; 16 MiB to begin with where the build keeps
    a reserve (the compiled one, but for sanitizer builds), 0 where it keeps none."""
    previous = syncml_codec.set_element_reserve(0)
    kept = previous > 0
    try:
        assert previous in (0, 16 << 20)
        assert syncml_codec.set_element_reserve(100) == 0
        assert syncml_codec.set_element_reserve(0) == (100 if kept else 0)
        with pytest.raises(ValueError):
            syncml_codec.set_element_reserve(-1)
        with pytest.raises(TypeError):
            syncml_codec.set_element_reserve(1.5)
    finally:
        syncml_codec.set_element_reserve(previous)


@pytest.mark.parametrize("reserve", [0, 64, 16 << 20])
def test_trees_built_from_reserved_elements_are_whole(reserve):
    """Elements taken from the reserve of freed ones start empty: trees decoded after others
    were freed equal their sources, whatever the reserve keeps."""
    compiled = compiled_or_skip()
    previous = compiled.set_element_reserve(reserve)
    try:
        sources = [
            syncml_codec.decode(path.read_bytes())
            for path in sorted((VECTORS / "wbxml").glob("*.wbxml"))[:20]
        ]
        for _ in range(3):
            for source in sources:
                tree = compiled.decode_wbxml(compiled.encode_wbxml(source))
                assert tree == source
                del tree
    finally:
        compiled.set_element_reserve(previous)


def test_tracemalloc_counts_elements_taken_from_and_given_to_the_reserve():
    """The memory figures stay true with the reserve: tracemalloc sees an Element taken from it
    as allocated, and one put back as freed."""
    import tracemalloc

    compiled = compiled_or_skip()
    previous = compiled.set_element_reserve(16 << 20)
    Element = compiled.Element
    count = 5000
    data = compiled.encode_wbxml(
        Element(
            "SyncML",
            NS,
            children=[
                Element("SyncBody", NS, children=[Element("Final", NS) for _ in range(count)])
            ],
        )
    )
    try:
        tree = compiled.decode_wbxml(data)
        del tree  # its Elements fill the reserve
        tracemalloc.start()
        try:
            tree = compiled.decode_wbxml(data)
            held, _ = tracemalloc.get_traced_memory()
            del tree
            left, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert held >= count * 32
        assert left < count * 8
    finally:
        compiled.set_element_reserve(previous)


def test_element_subclasses_are_made_and_freed(Element):
    class Tagged(Element):
        pass

    class Slotted(Element):
        __slots__ = ("extra",)

    class Bare(Element):
        __slots__ = ()

    for number in range(2000):
        tagged, slotted = Tagged("MsgID", NS, text=str(number)), Slotted("Final", NS)
        tagged.note, slotted.extra = number, -number
        parent = Element("SyncBody", NS, children=[tagged, slotted, Bare("Final", NS)])
        assert [type(child) for child in parent] == [Tagged, Slotted, Bare]
        assert (tagged.note, slotted.extra, tagged.text) == (number, -number, str(number))


def test_compiled_trees_are_left_out_of_the_cycle_collector():
    """Decoded trees hold no cycles: the compiled Elements and their children lists are not
    tracked, so a large tree costs the collector nothing; leaves get no list at all."""
    compiled = compiled_or_skip()
    data = syncml_codec.xml_to_wbxml(COMMANDS_XML)
    for tree in (compiled.decode_wbxml(data), compiled.read_lxml(etree.fromstring(COMMANDS_XML))):
        stack, internal, leaves = [tree], 0, 0
        while stack:
            node = stack.pop()
            assert not gc.is_tracked(node)
            if len(node):
                internal += 1
                assert not gc.is_tracked(node.children)
                stack.extend(node.children)
            else:
                leaves += 1
        assert internal > 3 and leaves > 3


def test_elements_are_navigated_as_elementtree_users_expect(Element):
    tree = syncml_codec.decode(
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><SessionID>7</SessionID><Target><LocURI>'
        b"https://dm.example.com</LocURI></Target></SyncHdr><SyncBody><Get><CmdID>1</CmdID>"
        b"<Item><Target><LocURI>./DevInfo/Mod</LocURI></Target></Item><Item><Target><LocURI>"
        b"./DevInfo/Man</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>"
    )
    assert type(tree) is Element
    assert tree.find("SyncHdr/SessionID").text == "7"
    assert tree.findtext("SyncHdr/SessionID") == "7"
    assert tree.findtext("SyncHdr/Nothing", "none") == "none"
    assert tree.findtext("SyncBody/Final", "empty") == "empty"
    assert [e.text for e in tree.findall(".//LocURI")] == [
        "https://dm.example.com",
        "./DevInfo/Mod",
        "./DevInfo/Man",
    ]
    assert [e.text for e in tree.iterfind("SyncBody/Get/Item/Target/LocURI")] == [
        "./DevInfo/Mod",
        "./DevInfo/Man",
    ]
    assert [e.tag for e in tree.findall("SyncBody/*")] == ["Get", "Final"]
    assert [e.tag for e in tree.findall("*/Target")] == ["Target"]
    assert tree.find(".") is tree and tree.find("SyncBody/Get//LocURI").text == "./DevInfo/Mod"
    assert [e.tag for e in tree.iter("Item")] == ["Item", "Item"]
    assert next(tree.iter()) is tree and len(list(tree.iter())) == 15
    assert len(tree) == 2 and tree[0].tag == "SyncHdr" and tree[-1].tag == "SyncBody"
    assert [e.tag for e in tree[1][0][1:]] == ["Item", "Item"]
    with pytest.raises(SyntaxError):
        tree.find("/SyncML")
    with pytest.raises(IndexError):
        tree[2]


@pytest.mark.parametrize("limit", [0, 1 << 20, 16 << 20])
def test_the_reserve_keeps_no_more_than_its_limit(limit):
    """Elements live in chunks of their own: a freed tree pins nothing but the emptied chunks
    the reserve keeps, and those never exceed its limit; a decode after reuses them."""
    compiled = compiled_or_skip()
    if compiled.set_element_reserve(16 << 20) == 0:
        pytest.skip("this build keeps no reserve (sanitizers)")
    Element = compiled.Element
    try:
        compiled.set_element_reserve(limit)
        tree = Element("SyncML", NS, children=[Element("Final", NS) for _ in range(200_000)])
        data = compiled.encode_wbxml(tree)
        del tree
        assert compiled._element_reserve_bytes() <= limit
        decoded = compiled.decode_wbxml(data)
        assert len(decoded) == 200_000
        del decoded
        assert compiled._element_reserve_bytes() <= limit
        assert compiled._element_reserve_bytes() > 0 or limit < (256 << 10)
        compiled.set_element_reserve(0)
        assert compiled._element_reserve_bytes() == 0
    finally:
        compiled.set_element_reserve(16 << 20)


def test_deep_copies_keep_everything_and_need_no_recursion(Element):
    """A copy holds equal, separate elements (shared ones stay shared, attributes are a new
    dict), and a tree 5,000 deep (decoded under a raised max_depth) copies too."""
    tree = syncml_codec.decode(COMMANDS_XML)
    copied = copy.deepcopy(tree)
    assert copied == tree and copied is not tree
    assert all(a is not b for a, b in zip(copied.iter(), tree.iter(), strict=True))
    shared = Element("Final", NS)
    holder = Element("SyncBody", NS, {"k": "v"}, "text", [shared, shared], "tail")
    again = copy.deepcopy(holder)
    assert again.children[0] is again.children[1] is not shared
    assert again.attributes == {"k": "v"} and again.attributes is not holder.attributes
    assert (again.text, again.tail) == ("text", "tail")
    for leaf in (Element("Data", NS, None, b"\x00\x01"), Element("Data", NS, {"a": "b"}, "x")):
        copied_leaf = copy.deepcopy(leaf)
        assert copied_leaf == leaf and list(copied_leaf) == []
    deep = HEADER_12 + b"\x6d" * 5000 + b"\x12" + b"\x01" * 5000
    copied = copy.deepcopy(syncml_codec.decode(deep, limits=syncml_codec.Limits(max_depth=6000)))
    depth = 0
    while copied.children:
        (copied,) = copied.children
        depth += 1
    assert (depth, copied.tag) == (5000, "Final")


def test_deep_trees_compare_without_recursion(Element):
    deep = HEADER_12 + b"\x6d" * 5000 + b"\x12" + b"\x01" * 5000
    limits = syncml_codec.Limits(max_depth=6000)
    tree, same = syncml_codec.decode(deep, limits=limits), syncml_codec.decode(deep, limits=limits)
    assert tree == same
    innermost = same
    while innermost.children:
        (innermost,) = innermost.children
    innermost.tail = "x"
    assert tree != same and same != tree
    other = fallback.Element if Element is not fallback.Element else compiled_or_skip().Element
    assert Element("A", None, {}, "t", [Element("B")]) == other("A", None, None, "t", [other("B")])
    assert Element("A") != "A" and (Element("A") == 5) is False
