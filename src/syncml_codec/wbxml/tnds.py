"""The fields of a TNDS ``Node`` element, read in one pass (the compiled core has the same
function): what loading a saved management tree spends its time on.

``read_tnds_node(element)`` gives ``(name, path, acl, format, title, tstamp, type, verno,
value, nodes)``: the texts of NodeName, Path, the RTProperties ACL, Title and TStamp (``None``
where absent, ``""`` where empty, UTF-8 bytes decoded), the tag of the Format's only child
(``""`` when it has none or several; ``node`` when there is no Format and there are child
nodes), the text of the Type's first child, VerNo as an ``int`` when it is a decimal number up
to 65535 (else its text), Value's text as held (``bytes`` kept), and the child ``Node``
elements. Elements of other namespaces are passed over. What the fields mean is
``syncml_codec.dm.tnds``'s business.
"""

from __future__ import annotations

from typing import Any

from .languages.ddf import DMDDF_NAMESPACE

__all__ = ["read_tnds_node"]

_PROPERTY_SLOTS = {"ACL": 2, "Title": 4, "TStamp": 5, "VerNo": 7}
_MAX_VERNO = 0xFFFF


def read_tnds_node(element: Any) -> tuple[Any, ...]:
    """See the module's docstring."""
    fields: list[Any] = [None, None, None, None, None, None, None, None, None, []]
    for child in element:
        if child.namespace != DMDDF_NAMESPACE:
            continue
        tag = child.tag
        if tag == "Node":
            fields[9].append(child)
        elif tag == "NodeName":
            fields[0] = _text(child.text)
        elif tag == "Path":
            fields[1] = _text(child.text)
        elif tag == "Value":
            fields[8] = "" if child.text is None else child.text
        elif tag == "RTProperties":
            for item in child:
                name = item.tag
                if name == "Format":
                    fields[3] = item[0].tag if len(item) == 1 else ""
                elif name == "Type":
                    fields[6] = _text(item[0].text) if len(item) else ""
                elif name in _PROPERTY_SLOTS:
                    fields[_PROPERTY_SLOTS[name]] = _text(item.text)
    if fields[3] is None and fields[9]:
        fields[3] = "node"
    verno = fields[7]
    if (
        verno is not None
        and len(verno) <= len(str(_MAX_VERNO))
        and verno.isascii()
        and verno.isdigit()
        and int(verno) <= _MAX_VERNO
    ):
        fields[7] = int(verno)
    return tuple(fields)


def _text(text: str | bytes | None) -> str:
    if text is None:
        return ""
    return text.decode("utf-8") if isinstance(text, bytes) else text
