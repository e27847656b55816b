"""One suite, both implementations, chosen explicitly: a test that exercises the codec asks for
the ``codec`` fixture (directly, through ``Element``, or with ``pytest.mark.usefixtures``) and
runs once per available implementation, with the public API switched to it.

``SYNCML_CODEC_PUREPYTHON=1`` restricts the run to the pure-Python implementation;
``SYNCML_CODEC_REQUIRE_CYTHON=1`` (CI sets it) fails instead of quietly testing only the pure one
when the compiled extension is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import ModuleType

import pytest

from syncml_codec import _impl

if _impl.pure_python_forced():
    IMPLEMENTATIONS = ["python"]
else:
    IMPLEMENTATIONS = sorted(_impl.IMPLEMENTATIONS)
    if os.environ.get("SYNCML_CODEC_REQUIRE_CYTHON") and "cython" not in IMPLEMENTATIONS:
        raise RuntimeError(
            "SYNCML_CODEC_REQUIRE_CYTHON is set but syncml_codec._wbxml is not built"
        )


@pytest.fixture(params=IMPLEMENTATIONS)
def codec(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    """The implementation module under test; the public API uses it for the test's duration."""
    previous = _impl.name
    _impl.use(request.param)
    yield _impl.IMPLEMENTATIONS[request.param]
    _impl.use(previous)


@pytest.fixture
def Element(codec: ModuleType) -> type:
    """The element class of the implementation under test."""
    return codec.Element  # type: ignore[no-any-return]
