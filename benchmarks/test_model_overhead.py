"""Decoding into the object model costs about what decoding into the element tree costs."""

from __future__ import annotations

import pytest

import syncml_codec
from syncml_codec.model import Message

from documents import SIZES, wbxml
from helpers import SELECTED

CASES = [(kind, size) for kind in ("dm", "ds") for size in SELECTED]


@pytest.mark.parametrize("kind,size", CASES)
def test_wbxml_to_tree(benchmark, implementation, kind, size):
    data = wbxml(kind, SIZES[size])
    benchmark.group = f"model overhead {kind} {size} {implementation}"
    benchmark(syncml_codec.decode, data)


@pytest.mark.parametrize("kind,size", CASES)
def test_wbxml_to_model(benchmark, implementation, kind, size):
    data = wbxml(kind, SIZES[size])
    benchmark.group = f"model overhead {kind} {size} {implementation}"
    message = benchmark(Message.from_bytes, data)
    assert message.commands


@pytest.mark.parametrize("kind,size", CASES)
def test_model_to_wbxml(benchmark, implementation, kind, size):
    message = Message.from_bytes(wbxml(kind, SIZES[size]))
    benchmark.group = f"model overhead {kind} {size} {implementation}"
    benchmark(message.to_wbxml)
