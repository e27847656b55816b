"""``python -m syncml_codec`` and the ``syncml-codec`` script: convert, dump, notification."""

from .commands import main

__all__ = ["main"]
