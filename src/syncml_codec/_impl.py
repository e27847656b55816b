"""Which codec implementation runs: the compiled core ``_wbxml`` or its pure-Python twin
``fallback`` (the two modules have one interface, described by ``_wbxml.pyi``).

The compiled core is used when it is built, unless ``SYNCML_CODEC_PUREPYTHON`` is set to a true
value. ``codec`` is the active module; :func:`use` switches it, for tests that run one suite
against both.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from types import ModuleType

from . import fallback

__all__ = ["IMPLEMENTATIONS", "codec", "name", "use", "pure_python_forced"]


def _load_compiled() -> ModuleType | None:
    """The compiled core; None when it is not installed (the pure-Python twin does the same
    work), with a warning when it is installed but does not import."""
    if importlib.util.find_spec(f"{__package__}._wbxml") is None:
        return None
    try:
        from . import _wbxml
    except ImportError as error:
        warnings.warn(
            f"syncml_codec: the compiled core is installed but does not import ({error}); "
            "using the pure-Python implementation, which is 10-30x slower",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    return _wbxml


_compiled = _load_compiled()


def pure_python_forced() -> bool:
    """Whether ``SYNCML_CODEC_PUREPYTHON`` asks for the pure-Python implementation."""
    value = os.environ.get("SYNCML_CODEC_PUREPYTHON", "")
    return value.strip().lower() in ("1", "true", "yes", "on")


#: Every implementation available in this process, by name.
IMPLEMENTATIONS: dict[str, ModuleType] = {"python": fallback}
if _compiled is not None:
    IMPLEMENTATIONS["cython"] = _compiled

#: The name of the active implementation: "cython" or "python".
name: str = "cython" if _compiled is not None and not pure_python_forced() else "python"
#: The active implementation's module.
codec: ModuleType = IMPLEMENTATIONS[name]


def use(implementation: str) -> None:
    """Make ``implementation`` ("cython" or "python") the active one for the whole process."""
    global name, codec
    codec = IMPLEMENTATIONS[implementation]
    name = implementation
