"""``python -m syncml_codec`` and the ``syncml-codec`` script: convert, dump, notification."""

from .main import main

__all__ = ["main"]
