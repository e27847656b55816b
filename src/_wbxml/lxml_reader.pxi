# Reading lxml trees: libxml2's nodes walked through lxml's C API into Elements.
# Included by _wbxml.pyx (one compilation unit); order matters.

cdef bytes _WBXML_HREF = WBXML_NAMESPACE.encode()


cdef inline size_t _fnv1a(const char* text, size_t hash):
    while text[0] != 0:
        hash = (hash ^ <unsigned char> text[0]) * 1099511628211ULL
        text += 1
    return hash


cdef class _ResolvedName:
    """An entry of ``_resolved_names``: the key spelled out (to rule out hash collisions), and
    (language, tag, namespace)."""
    cdef bytes name, href
    cdef object language
    cdef tuple resolved


cdef object _resolved_names = BoundedCache()


cdef class _LxmlReader:
    """``xml.reader.read_lxml`` over libxml2's nodes: the same rules, without a Python proxy per
    node (proxies are made only for the rare nodes the shared rules read: attributes, markers)."""
    cdef lxml_api._Document document
    cdef int max_depth
    cdef Py_ssize_t max_string
    cdef dict scope  # prefix -> namespace URI where the reader is (bytes -> bytes)

    def __cinit__(self, lxml_api._Document document, limits):
        self.document = document
        self.scope = {}
        self.max_depth = limits.max_depth
        self.max_string = limits.max_string

    cdef object proxy(self, xmlNode* node):
        return lxml_api.elementFactory(self.document, node)

    cdef tuple name(self, xmlNode* node, object language):
        """(language, tag, namespace) of an element: ``xml.reader.resolve_element`` behind a memo
        keyed by the bytes of the name and namespace, so no strings are made to look it up."""
        cdef const char* name = <const char*> node.name
        cdef const char* href = b""
        if node.ns is not NULL and node.ns.href is not NULL:
            href = <const char*> node.ns.href
        cdef size_t key = _fnv1a(href, _fnv1a(name, 14695981039346656037ULL) * 31) ^ id(language)
        cdef _ResolvedName entry = _resolved_names.get(key)
        if (entry is not None and entry.language is language
                and strcmp(<const char*> entry.name, name) == 0
                and strcmp(<const char*> entry.href, href) == 0):
            return entry.resolved
        tag = intern(lxml_api.pyunicode(node.name))  # the code pages' own object, if theirs
        namespace = lxml_api.pyunicode(<const_xmlChar*> href) if href[0] != 0 else None
        found = resolve_element(language, namespace, tag)
        entry = _ResolvedName.__new__(_ResolvedName)
        entry.name, entry.href, entry.language = <bytes> name, <bytes> href, language
        entry.resolved = ((<tuple> found)[0], tag, (<tuple> found)[1])
        _resolved_names.remember(key, entry)
        return entry.resolved

    cdef object settle(self, object run, bint element_content):
        """``xml.reader.settle``; a run without marked pieces is one text (or None), done here."""
        if type(run) is list:
            return settle(run, element_content, self.max_string)
        if not run or (element_content and not (<str> run).strip(" \t\r\n")):
            return None
        if len(<str> run) > self.max_string:
            raise LimitError(f"XML: text longer than max_string {self.max_string}", 0,
                             "max_string")
        return run

    cdef object attributes(self, xmlNode* node, bint top):
        """``xml.reader.node_attributes`` (None for none): prefixed declarations on ``node`` that its
        parent's scope binds otherwise, then the attributes."""
        cdef xmlNs* declared
        if top:
            proxy = self.proxy(node)
            return node_attributes(proxy, proxy.nsmap.items(), {})
        attributes = None
        declared = node.nsDef
        while declared is not NULL:
            if declared.prefix is not NULL and strcmp(<const char*> declared.href,
                                                      <const char*> _WBXML_HREF) != 0:
                outer = self.scope.get(<bytes> declared.prefix)
                if outer is None or strcmp(<const char*> <bytes> outer,
                                           <const char*> declared.href) != 0:
                    if attributes is None:
                        attributes = {}
                    attributes["xmlns:" + lxml_api.pyunicode(declared.prefix)] = \
                        lxml_api.pyunicode(declared.href)
            declared = declared.next
        if node.properties is not NULL:
            if attributes is None:
                attributes = {}
            attributes.update(own_attributes(self.proxy(node)))
        return attributes

    cdef list enter_scope(self, xmlNode* node, bint top):
        """Bind the prefixes ``node`` declares (every one in its scope, at the top); what they
        were bound to before, for ``leave_scope``."""
        cdef xmlNs* declared
        cdef list replaced = []
        if top:
            for prefix, uri in self.proxy(node).nsmap.items():
                if prefix:
                    self.scope[prefix.encode("utf-8")] = uri.encode("utf-8")
            return replaced
        declared = node.nsDef
        while declared is not NULL:
            if declared.prefix is not NULL:
                prefix = <bytes> declared.prefix
                replaced.append((prefix, self.scope.get(prefix)))
                self.scope[prefix] = <bytes> declared.href
            declared = declared.next
        return replaced

    cdef int leave_scope(self, list replaced) except -1:
        for prefix, outer in reversed(replaced):
            if outer is None:
                del self.scope[prefix]
            else:
                self.scope[prefix] = outer
        return 0

    cdef Element element(self, xmlNode* node, object language, int depth, bint top):
        cdef Element element, child, open_child = None
        cdef xmlNode* source
        if node.type != XML_ELEMENT_NODE:
            raise DecodeError(f"XML: unexpected {type(self.proxy(node)).__name__} node", 0)
        if depth > self.max_depth:
            raise at_node(LimitError(f"XML: elements nested deeper than {self.max_depth}", 0,
                                     "max_depth"), self.proxy(node))
        language, tag, namespace = self.name(node, language)
        element = _new_element(_name_for(tag, namespace))
        attributes = self.attributes(node, top)
        if attributes is not None:
            _rare_fields(element).attributes = attributes
        replaced = self.enter_scope(node, top) if top or node.nsDef is not NULL else None
        # The content before, between and after the children comes in runs (see
        # xml.reader._Reader): one text, or a list when wbxml:opaque / wbxml:char pieces join it.
        # ``run`` is the open one: the element's text, or the tail of ``open_child``.
        run = lxml_api.textOf(node)
        source = node.children
        while source is not NULL:
            if lxml_api._isElement(source):
                piece = None
                if (source.type == XML_ELEMENT_NODE and source.ns is not NULL
                        and strcmp(<const char*> source.ns.href, <const char*> _WBXML_HREF) == 0):
                    piece = marked(self.proxy(source))
                if piece is not None:
                    if type(run) is not list:
                        run = [run]
                    (<list> run).append(piece)
                    (<list> run).append(lxml_api.tailOf(source))
                else:
                    try:
                        if open_child is None:
                            _set_text(element, self.settle(run, True))
                        else:
                            _set_tail(open_child, self.settle(run, True))
                    except DecodeError as error:
                        raise at_node(error, self.proxy(node)) from None
                    child = self.element(source, language, depth + 1, False)
                    _append_child(element, child)
                    open_child = child
                    run = lxml_api.tailOf(source)
            source = source.next
        if replaced:
            self.leave_scope(replaced)
        try:
            if open_child is None:
                _set_text(element, self.settle(run, False))
            else:
                _set_tail(open_child, self.settle(run, True))
        except DecodeError as error:
            raise at_node(error, self.proxy(node)) from None
        return element


def read_lxml(node, language=None, limits=DEFAULT_LIMITS):
    """An lxml element and its subtree as an Element tree (``xml.reader.read_lxml``, faster)."""
    cdef lxml_api._Element root = node
    return _LxmlReader(root._doc, limits).element(root._c_node, language, 1, True)


def read_xml(xml, *, limits=DEFAULT_LIMITS):
    """An XML document as an Element tree (``fallback.read_xml``): ``read_lxml`` over its parse."""
    return parse_xml(xml, read_lxml, limits)
