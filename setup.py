"""Builds the compiled core, ``syncml_codec._wbxml``, from ``src/_wbxml.pyx``.

Metadata lives in pyproject.toml. Set SYNCML_CODEC_NO_EXTENSION=1 to install the pure-Python
implementation only.
"""

import os

from setuptools import Extension, setup

extensions = []
if not os.environ.get("SYNCML_CODEC_NO_EXTENSION"):
    import lxml
    from Cython.Build import cythonize

    # The XML reader walks libxml2's nodes through lxml's public C API (headers ship with lxml).
    extensions = cythonize(
        [Extension("syncml_codec._wbxml", ["src/_wbxml.pyx"], include_dirs=lxml.get_include())],
        compiler_directives={"language_level": "3"},
    )

setup(ext_modules=extensions)
