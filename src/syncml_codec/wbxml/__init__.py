"""The WBXML side: bytes <-> tokens <-> element tree, and the languages as code-page data.

``decoder``, ``encoder`` and ``element`` are the pure-Python twin of the compiled core; ``header``,
``strtable``, ``rules`` (the SyncML Data/Type rules) and ``languages`` are shared by both.
"""
