"""The XML side: element tree <-> XML (a hardened reader, a writer that loses nothing)."""
