# Writing an Element tree as XML.
# Included by _wbxml.pyx (one compilation unit); order matters.

cdef class _FastXMLWriter:
    """``xml.writer.write_xml`` for the common case, without the interpreter per element: trees
    of this module's Elements with no attributes, tails, binary content, whitespace-only
    content between elements or characters XML cannot carry. On anything else it gives up
    (``ok`` false) and the shared writer does the whole document."""

    cdef list parts
    cdef bint pretty, ok
    cdef dict tags  # tag -> ("<tag", "</tag>") for the names checked so far
    cdef set namespaces

    def __init__(self, bint pretty):
        self.parts = []
        self.pretty = pretty
        self.ok = True
        self.tags = {}
        self.namespaces = set()

    cdef tuple tag_strings(self, object name):
        strings = self.tags.get(name)
        if strings is None:
            if type(name) is not str or not XML_NAME.match(name):
                return None
            strings = self.tags[name] = ("<" + name, "</" + name + ">")
        return <tuple> strings

    cdef bint usual_namespace(self, object namespace):
        if namespace is None or namespace in self.namespaces:
            return True
        if type(namespace) is not str or not is_namespace_uri(namespace) \
                or namespace in RESERVED_URIS:
            return False
        self.namespaces.add(namespace)
        return True

    cdef int element(self, object node, object default_ns, str indent, int depth) except -1:
        cdef Element element
        cdef list parts = self.parts
        cdef bint has_text, indent_children
        if type(node) is not Element or depth > MAX_ENCODE_DEPTH:
            self.ok = False  # the shared writer refuses a tree nested too deep
            return 0
        element = <Element> node
        tag, namespace, text, children = _tag(element), _namespace(element), _text_of(element), \
            _children_of(element)
        strings = self.tag_strings(tag)
        if _attributes_of(element) or _tail_of(element) is not None \
                or strings is None or not self.usual_namespace(namespace):
            self.ok = False
            return 0
        parts.append(strings[0])
        if namespace != default_ns:
            parts.append(' xmlns="' + escape_attribute(namespace or "") + '"')
        has_text = text is not None and len(text) > 0
        if not children and not has_text:
            parts.append("/>")
            return 0
        parts.append(">")
        if has_text:
            if type(text) is not str or not _is_xml_text(text) or (
                    children and not (<str> text).strip(" \t\r\n")):
                self.ok = False
                return 0
            parts.append(escape_text(<str> text))
        indent_children = self.pretty and not has_text
        inner = indent + "  "
        for child in children:
            if indent_children:
                parts.append("\n" + inner)
            self.element(child, namespace, inner, depth + 1)
            if not self.ok:
                return 0
        if indent_children:
            parts.append("\n" + indent)
        parts.append(strings[1])
        return 0


def write_xml(root, bint pretty=False):
    """Serialise an element tree as a UTF-8 XML document (``xml.writer.write_xml``, faster)."""
    cdef _FastXMLWriter writer = _FastXMLWriter(pretty)
    writer.parts.append('<?xml version="1.0" encoding="UTF-8"?>' + ("\n" if pretty else ""))
    writer.element(root, None, "", 0)
    if not writer.ok:
        return shared_write_xml(root, pretty)
    if pretty:
        writer.parts.append("\n")
    return "".join(writer.parts).encode("utf-8")
