"""The compiled core and its pure-Python twin have one interface: the names and parameters that
``syncml_codec/_wbxml.pyi`` declares (the stub type checkers read)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import syncml_codec
from syncml_codec import _impl

STUB = Path(syncml_codec.__file__).parent / "_wbxml.pyi"


def _stub_functions() -> dict[str, list[str]]:
    tree = ast.parse(STUB.read_text())
    return {
        node.name: [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        + ([f"**{node.args.kwarg.arg}"] if node.args.kwarg else [])
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


def _stub_element_members() -> set[str]:
    tree = ast.parse(STUB.read_text())
    (element,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Element"]
    names = {n.name for n in element.body if isinstance(n, ast.FunctionDef)}
    names |= {n.target.id for n in element.body if isinstance(n, ast.AnnAssign)}  # type: ignore[union-attr]
    return names


@pytest.mark.parametrize("module", sorted(_impl.IMPLEMENTATIONS))
def test_each_implementation_has_the_stubs_functions_with_the_same_parameters(module):
    implementation = _impl.IMPLEMENTATIONS[module]
    for name, parameters in _stub_functions().items():
        signature = inspect.signature(getattr(implementation, name))
        found = [
            f"**{p.name}" if p.kind is p.VAR_KEYWORD else p.name
            for p in signature.parameters.values()
        ]
        assert found == parameters, name


@pytest.mark.parametrize("module", sorted(_impl.IMPLEMENTATIONS))
def test_each_implementation_has_every_name_of_the_stub(module):
    implementation = _impl.IMPLEMENTATIONS[module]
    for name in _stub_functions():
        assert callable(getattr(implementation, name)), name
    element = implementation.Element("SyncML", "SYNCML:SYNCML1.2", None, "x")
    for member in _stub_element_members():
        assert hasattr(element, member), member
    assert set(implementation.__all__) == set(_stub_functions()) | {"Element"}


def test_the_package_names_follow_the_implementation_in_use():
    """``syncml_codec.Element`` and ``IMPLEMENTATION`` are read at each access, never stale."""
    before = _impl.name
    try:
        for name in _impl.IMPLEMENTATIONS:
            _impl.use(name)
            assert syncml_codec.IMPLEMENTATION == name == syncml_codec.implementation()
            assert syncml_codec.Element is _impl.IMPLEMENTATIONS[name].Element
            assert syncml_codec.element_class() is syncml_codec.Element
            assert type(syncml_codec.decode(b"<SyncML/>")) is syncml_codec.Element
    finally:
        _impl.use(before)
