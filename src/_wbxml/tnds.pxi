# The fields of a TNDS Node element in one pass, as syncml_codec.wbxml.tnds.read_tnds_node
# (its twin, which documents them): the management tree loads saved trees through it.
# Included by _wbxml.pyx.

cdef dict _TNDS_PROPERTY_SLOTS = {"ACL": 2, "Title": 4, "TStamp": 5, "VerNo": 7}


def read_tnds_node(element):
    """The fields of a TNDS ``Node`` element (see ``syncml_codec.wbxml.tnds``)."""
    if type(element) is not Element:
        return shared_read_tnds_node(element)
    cdef list fields = [None, None, None, None, None, None, None, None, None, []]
    cdef list nodes = fields[9]
    cdef Element child, item
    for child in _children_of(<Element> element):
        if _namespace(child) is not DMDDF_NAMESPACE and _namespace(child) != DMDDF_NAMESPACE:
            continue
        tag = _tag(child)
        if tag == "Node":
            nodes.append(child)
        elif tag == "NodeName":
            fields[0] = _tnds_text(_text_of(child))
        elif tag == "Path":
            fields[1] = _tnds_text(_text_of(child))
        elif tag == "Value":
            text = _text_of(child)
            fields[8] = "" if text is None else text
        elif tag == "RTProperties":
            for item in _children_of(child):
                name = _tag(item)
                if name == "Format":
                    below = _children_of(item)
                    fields[3] = _tag(<Element> below[0]) if len(below) == 1 else ""
                elif name == "Type":
                    below = _children_of(item)
                    fields[6] = _tnds_text(_text_of(<Element> below[0])) if len(below) else ""
                else:
                    slot = _TNDS_PROPERTY_SLOTS.get(name)
                    if slot is not None:
                        fields[slot] = _tnds_text(_text_of(item))
    if fields[3] is None and nodes:
        fields[3] = "node"
    verno = fields[7]
    if verno is not None:
        fields[7] = _tnds_verno(verno)
    return tuple(fields)


cdef object _tnds_verno(str text):
    """VerNo as an int when it is a decimal number up to 65535, else its text."""
    cdef Py_ssize_t length = len(text), index
    cdef long value = 0
    if length == 0 or length > 5:
        return text
    for index in range(length):
        digit = text[index]
        if digit < u"0" or digit > u"9":
            return text
        value = value * 10 + (ord(digit) - 48)
    return value if value <= 0xFFFF else text


cdef inline object _tnds_text(object text):
    if text is None:
        return ""
    return text.decode("utf-8") if type(text) is bytes else text
