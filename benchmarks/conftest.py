"""Benchmark fixtures: documents by size, and both codec implementations."""

from __future__ import annotations

import os

import pytest

from syncml_codec import _impl

#: Sizes to run; ``SYNCML_BENCH_SIZES=small,medium`` keeps a run short.
SELECTED = os.environ.get("SYNCML_BENCH_SIZES", "small,medium,large").split(",")


@pytest.fixture(params=sorted(_impl.IMPLEMENTATIONS))
def implementation(request):
    """Switch the public API to one implementation for the benchmark's duration."""
    previous = _impl.name
    _impl.use(request.param)
    yield request.param
    _impl.use(previous)
