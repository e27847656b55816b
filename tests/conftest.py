"""One suite, both implementations: every test runs once per available codec implementation.

Set SYNCML_CODEC_REQUIRE_CYTHON=1 (CI does) to fail instead of quietly testing only the pure one
when the compiled extension is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from syncml_codec import api

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
SHARED = ROOT.parent / "shared"
PUBLIC_VECTORS = SHARED / "vectors-public"

IMPLEMENTATIONS = sorted(api._IMPLEMENTATIONS)

if os.environ.get("SYNCML_CODEC_REQUIRE_CYTHON") and "cython" not in IMPLEMENTATIONS:
    raise RuntimeError("SYNCML_CODEC_REQUIRE_CYTHON is set but syncml_codec._wbxml is not built")


@pytest.fixture(params=IMPLEMENTATIONS, autouse=True)
def codec(request):
    """The implementation module under test; the public API uses it for the test's duration."""
    previous = api.IMPLEMENTATION
    api._use(request.param)
    yield api._IMPLEMENTATIONS[request.param]
    api._use(previous)


@pytest.fixture
def Element(codec):
    """The element class of the implementation under test."""
    return codec.Element


def require_libwbxml() -> None:
    """Skip unless libwbxml's command-line tools are installed (CI installs them)."""
    if not (shutil.which("xml2wbxml") and shutil.which("wbxml2xml")):
        if os.environ.get("SYNCML_CODEC_REQUIRE_LIBWBXML"):
            pytest.fail("SYNCML_CODEC_REQUIRE_LIBWBXML is set but libwbxml2-utils is missing")
        pytest.skip("libwbxml2-utils (xml2wbxml, wbxml2xml) not installed")


def xml_vectors() -> list[Path]:
    return sorted((VECTORS / "xml").glob("*.xml"))


def public_vectors() -> list[Path]:
    return sorted(PUBLIC_VECTORS.glob("**/*.wbxml")) if PUBLIC_VECTORS.is_dir() else []
