"""Builds the compiled core, ``syncml_codec._wbxml``, from ``src/_wbxml.pyx``.

Metadata lives in pyproject.toml. The extension is optional: where it cannot be built (no C
compiler), the install goes on with the pure-Python implementation and says so.
``SYNCML_CODEC_NO_EXTENSION=1`` installs the pure-Python implementation only.
"""

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """``build_ext`` that leaves the compiled core out, with one message, when it cannot be
    built: the pure-Python implementation does the same work."""

    skipped = False

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # no compiler; or copying in place what was not built
            if not self.skipped:
                self._skipped(error)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:  # a failed compile or link
            self._skipped(error)

    def _skipped(self, error: Exception) -> None:
        if os.environ.get("SYNCML_CODEC_REQUIRE_EXTENSION"):
            raise error
        self.skipped = True
        print(
            f"syncml_codec: the compiled core could not be built ({error}); installing the "
            "pure-Python implementation, which is 10-30x slower",
            file=sys.stderr,
        )


extensions = []
if not os.environ.get("SYNCML_CODEC_NO_EXTENSION"):
    import lxml
    from Cython.Build import cythonize

    # The XML reader walks libxml2's nodes through lxml's public C API (headers ship with lxml).
    extensions = cythonize(
        [Extension("syncml_codec._wbxml", ["src/_wbxml.pyx"], include_dirs=lxml.get_include())],
        compiler_directives={"language_level": "3"},
    )

setup(ext_modules=extensions, cmdclass={"build_ext": OptionalBuildExt})
