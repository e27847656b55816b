"""Many threads at once get what one thread gets: every shared cache stays consistent with the
interpreter switching threads as often as it can, and with caches emptied under the workers'
feet (registering a language empties them)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import syncml_codec
from syncml_codec import CodePage, Language

from helpers import xml_vectors
from helpers.sessions import record_session

pytestmark = pytest.mark.usefixtures("codec")

THREADS = 8
ROUNDS = 30


@pytest.fixture
def tiny_switch_interval() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def _run_in_threads(work: Callable[[int], list[Any]]) -> list[Any]:
    """``work(k)`` in THREADS threads at once; every wrong result they report."""
    wrong: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(k: int) -> None:
        try:
            start.wait()
            wrong.extend(work(k))
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]
    return wrong


def _example_language(public_id: int) -> Language:
    return Language(
        name="Example",
        family="example",
        version="1.0",
        fpi=None,
        public_id=public_id,
        root="doc",
        pages={0: CodePage("urn:example:threads", {0x05: "doc", 0x06: "a"})},
    )


def test_xml_to_wbxml_and_decode_from_many_threads(tiny_switch_interval):
    documents = [path.read_bytes() for path in xml_vectors()]
    expected = [syncml_codec.xml_to_wbxml(document) for document in documents]
    trees = [syncml_codec.decode(data) for data in expected]

    def work(k: int) -> list[Any]:
        wrong = []
        for round_ in range(ROUNDS):
            if k == 0:  # one thread empties every cache now and then, as a registration does
                syncml_codec.register_language(_example_language(0x7F20))
            for i in range(round_ % 3, len(documents), 3):
                if syncml_codec.xml_to_wbxml(documents[i]) != expected[i]:
                    wrong.append(("xml_to_wbxml", i))
                if syncml_codec.decode(expected[i]) != trees[i]:
                    wrong.append(("decode", i))
        return wrong

    assert _run_in_threads(work) == []


def test_one_tree_encoded_with_two_languages_from_many_threads(Element, tiny_switch_interval):
    """The compiled encoder remembers each name's token per language on the shared name: threads
    encoding the same names with languages that swap their tokens each get their own."""

    def language(tokens: dict[int, str]) -> Language:
        pages = {0: CodePage("urn:example:turns", tokens)}
        return Language("Example", "example", "1.0", None, 0x7F11, "doc", pages)

    languages = [
        language({0x05: "doc", 0x06: "a", 0x07: "b"}),
        language({0x05: "doc", 0x07: "a", 0x06: "b"}),
    ]
    tree = Element(
        "doc",
        "urn:example:turns",
        children=[Element("a", "urn:example:turns", text="x"), Element("b", "urn:example:turns")],
    )
    expected = [syncml_codec.encode(tree, language=chosen) for chosen in languages]
    assert expected[0] != expected[1]

    def work(k: int) -> list[Any]:
        chosen = k % 2
        return [
            chosen
            for _ in range(ROUNDS * 20)
            if syncml_codec.encode(tree, language=languages[chosen]) != expected[chosen]
        ]

    assert _run_in_threads(work) == []


def test_whole_dm_sessions_from_many_threads(tiny_switch_interval):
    """Sessions share nothing but the library's module state: threads each playing the recorded
    session (an MD5 challenge, 1222, a large object each way, its own device tree) send the
    bytes one thread sends, and the server saves the same states."""
    expected = record_session()

    def work(k: int) -> list[Any]:
        wrong = []
        for _ in range(ROUNDS // 6):
            played = record_session()
            if played.from_client != expected.from_client:
                wrong.append(("device messages", k))
            if played.from_server != expected.from_server:
                wrong.append(("server messages", k))
            if played.server_states != expected.server_states:
                wrong.append(("server states", k))
        return wrong

    assert _run_in_threads(work) == []
