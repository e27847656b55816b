# Encoding an Element tree as WBXML.
# Included by _wbxml.pyx (one compilation unit); order matters.

cdef object _first_meta_type(object node, int budget):
    """The first Type child of ``node``'s first Meta child, or None; ``_MISSING`` when finding out
    takes more than ``budget`` children (-1: no bound)."""
    for child in _children_any(node):
        budget -= 1
        if budget == 0:
            return _MISSING
        if _tag_of(child) == "Meta":
            for grandchild in _children_any(child):
                budget -= 1
                if budget == 0:
                    return _MISSING
                if _tag_of(grandchild) == "Type":
                    return grandchild
            return None
    return None


cdef enum:
    _ENCODE_DATA = 1  # SyncML <Data>: OPAQUE or not by the Meta Type rules
    _ENCODE_METINF_TYPE = 2  # the MetInf <Type> of SyncML, whose text may be rewritten
    _SMALL_NODE = 16  # children (and Meta children) scanned without a memo


cdef class _Encoder(_Output):
    cdef object language, opaque_mode, public_id_mode
    cdef _StringTable table
    cdef _SharedStrings shared  # None without the string table
    cdef dict type_elements
    cdef dict prefixes  # prefix -> URI of the xmlns:prefix attributes in scope
    cdef dict options, tags_by_namespace, metinf_pages
    cdef int page, version
    cdef bint syncml, type_rewrite, string_table
    cdef object measured  # the element whose children are measured (measure_wbxml)
    cdef array.array figures
    cdef Py_ssize_t dropped  # bytes written and let go while measuring (a child's are kept)
    cdef Py_ssize_t watched  # where the measured child being written starts
    cdef int switched_to  # the page a switch written there went to (-1: none)
    cdef Py_ssize_t offset_width  # what a string table reference counts as, at least
    cdef set referenced  # the table strings the measured child refers to (None: not measuring)
    cdef Py_ssize_t table_cost  # what the measured child puts in the string table
    cdef Py_ssize_t table_users  # measured children that refer to the string table

    def __init__(self, language, dict options):
        self.prefixes = {}
        self.language = language
        self.options = options
        self.version = options["version"]
        self.opaque_mode = options["opaque_data"]
        self.public_id_mode = options["public_id"]
        self.type_rewrite = options["type_rewrite"]
        self.string_table = options["string_table"]
        self.syncml = language.family == "syncml"
        self.table = _StringTable.new()
        self.tags_by_namespace = {}
        self.type_elements = {}
        self.metinf_pages = {}
        self.page = 0
        self.measured = None
        self.figures = None
        self.watched, self.switched_to = -1, -1
        self.offset_width = 1
        self.referenced = None
        self.table_cost = self.table_users = 0

    def document(self, root):
        # A numeric public id (the common case) has its header written here in one allocation;
        # a textual one goes through the shared strtable functions.
        cdef bint numeric = self.public_id_mode == "number" and self.language.public_id is not None
        if not numeric:
            table, public_id = start_document(self.language, self.public_id_mode)
            self.table.write(bytes(table.data), len(table.data))
            self.table.offsets.update(table.offsets)
        if self.string_table:
            self.shared = _SharedStrings.new()
        self.element(root, None, None, 0)
        if self.shared is not None:
            self.shared.share(self, self.table)
        table_data = PyBytes_FromStringAndSize(self.table.out, self.table.size)
        # Measuring keeps no body (measure_wbxml counts it): the head alone.
        cdef Py_ssize_t body_size = 0 if self.measured is not None else self.size
        if numeric:
            return _numeric_document(self.version, self.language.public_id, table_data,
                                     self.out, body_size)
        body = PyBytes_FromStringAndSize(self.out, body_size)
        return finish_document(self.version, public_id, table_data, body)

    cdef object type_element(self, object node):
        """The first Meta's first Type child of ``node`` (``syncml.DataClassifier``): looked up
        directly in small nodes, memoised for the others (so many Data in one node stay linear)."""
        found = _first_meta_type(node, _SMALL_NODE)
        if found is not _MISSING:
            return found
        key = id(node)
        found = self.type_elements.get(key, _MISSING)
        if found is _MISSING:
            found = self.type_elements[key] = _first_meta_type(node, -1)
        return found

    cdef bint data_is_opaque(self, object parent, object grandparent) except -1:
        """``syncml.DataClassifier.is_opaque``, with the lookups in C."""
        element = self.type_element(parent) if parent is not None else None
        if element is None and grandparent is not None:
            element = self.type_element(grandparent)
        if element is not None:
            type_text = _text_of(<Element> element) if type(element) is Element else element.text
            if type(type_text) is str:
                if type_text in _VOBJECT_TYPES:
                    return True
                if type_text.lower() in _EMBEDDED_TYPES:
                    return False
        return grandparent is not None and _tag_of(grandparent) in _OPAQUE_PARENTS

    cdef bint is_metinf_page(self, int page) except -1:
        found = self.metinf_pages.get(page)
        if found is None:
            found = self.metinf_pages[page] = self.language.page_namespace(page) == METINF_NAMESPACE
        return found

    cdef inline int switch_page(self, int page) except -1:
        if page != self.page:
            if self.size == self.watched:
                self.switched_to = page
            self.byte(SWITCH_PAGE)
            self.byte(page)
            self.page = page
        return 0

    cdef int opaque(self, bytes raw) except -1:
        if self.version == 0:
            raise EncodeError("WBXML 1.0 has no OPAQUE: binary content cannot be written")
        self.byte(OPAQUE)
        self.mb(PyBytes_GET_SIZE(raw))
        return self.write(PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw))

    cdef int string(self, str text) except -1:
        cdef Py_ssize_t length
        cdef const char* data
        try:
            data = PyUnicode_AsUTF8AndSize(text, &length)
        except UnicodeEncodeError:
            raise EncodeError("text holds a lone surrogate: it has no UTF-8 form") from None
        if memchr(data, 0, length) != NULL:  # no NUL inline: write it as ENTITY U+0000
            for index, piece in enumerate(text.split("\x00")):
                if index:
                    self.byte(ENTITY)
                    self.byte(0)
                if piece:
                    self.string(piece)
            return 0
        if self.shared is not None and PyUnicode_GET_LENGTH(text) >= _SHARED_MIN_LENGTH:
            self.shared.record(text, self.size, length + 2)
        self.reserve(length + 2)
        self.out[self.size] = STR_I
        memcpy(self.out + self.size + 1, data, length)
        self.out[self.size + 1 + length] = 0
        self.size += length + 2
        return 0

    cdef int content(self, object value, bint as_opaque) except -1:
        cdef Py_ssize_t length
        cdef const char* data
        if isinstance(value, str):
            # OPAQUE only for text a decoder reads back as text (see syncml.opaque_value).
            if as_opaque and _is_xml_text(value):
                try:
                    data = PyUnicode_AsUTF8AndSize(value, &length)
                except UnicodeEncodeError:
                    raise EncodeError("text holds a lone surrogate: it has no UTF-8 form") from None
                if self.version == 0:
                    raise EncodeError("WBXML 1.0 has no OPAQUE: binary content cannot be written")
                self.byte(OPAQUE)
                self.mb(length)
                return self.write(data, length)
            return self.string(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self.opaque(bytes(value))
        raise EncodeError(f"content must be str or bytes, not {type(value).__name__}")

    cdef int element(self, object node, object parent, object grandparent, int depth) except -1:
        cdef Element fast
        cdef _Name name = None
        cdef int page, token = -1, flags, rules
        cdef bint has_content
        only_child = None  # an only child held alone (see Element), written without a tuple
        if depth > MAX_ENCODE_DEPTH:
            raise EncodeError(f"tree nested deeper than {MAX_ENCODE_DEPTH}")
        if type(node) is Element:
            fast = <Element> node
            name = _NO_NAME if fast._name is None else fast._name
            tag, namespace, text = name.tag, name.namespace, _text_of(fast)
            if type(fast._content) is Element:
                only_child, children = fast._content, _NO_CHILDREN
            else:
                children = _children_of(fast)
            attributes = _attributes_of(fast)
            with cython.critical_section(name):  # see _remember_token
                if name.tokens_language is self.language:
                    page, token, rules = name.page, name.token, name.rules
        else:
            tag, namespace, text = node.tag, node.namespace, node.text
            children, attributes = node.children, node.attributes
        if text is not None and not isinstance(text, (str, bytes, bytearray, memoryview)):
            raise EncodeError(f"content must be str or bytes, not {type(text).__name__}")
        if token < 0:  # not a tag met before: look it up
            if not isinstance(tag, str) or not tag:
                raise EncodeError(f"element tag must be a non-empty str, not {tag!r}")
            if namespace == WBXML_NAMESPACE:
                return self.wbxml_construct(node)
            tags = self.tags_by_namespace.get(namespace, _MISSING)
            if tags is _MISSING:
                tags = self.language.tags_for_namespace(namespace)
                self.tags_by_namespace[namespace] = tags
            found = (<dict> tags).get(tag) if tags is not None else None
            if tags is None and parent is not None:
                nested = embedded_language(self.language, parent, node)
                if nested is not None:
                    return self.opaque(_Encoder(nested, self.options).document(node))
            if found is None:
                if namespace is not None and tags is not None:
                    # A LITERAL element takes the namespace of the page in force when decoded.
                    self.switch_page(self.language.namespace_pages[namespace.lower()])
                page = self.page
            else:
                page, token = found
            rules = self.rules(tag, page)
            if token >= 0 and name is not None:
                _remember_token(name, self.language, page, token, rules)
        bound = bind_prefixes(self.prefixes, attributes) if attributes else None
        if token < 0:
            literal, xmlns = literal_tag(tag, namespace, tags is not None, self.prefixes)
            if xmlns is not None and not (attributes and "xmlns" in attributes):
                # its namespace, as XML declares it
                attributes = {"xmlns": xmlns, **(attributes or {})}
        if type(children) is not list and type(children) is not tuple:
            children = list(children)
        has_content = PySequence_Fast_GET_SIZE(children) > 0 or only_child is not None
        has_content = has_content or (text is not None and len(text) > 0)
        flags = (HAS_CONTENT if has_content else 0) | (HAS_ATTRIBUTES if attributes else 0)
        if token < 0:
            self.byte(LITERAL | flags)
            self.reference(literal)
        else:
            self.switch_page(page)
            self.byte(token | flags)
        if attributes:
            self.attributes(attributes)
        if has_content:
            self.content_of(node, text, children, only_child, rules, parent, grandparent, depth)
        if bound:
            unbind_prefixes(self.prefixes, bound)
        return 0

    cdef int content_of(self, object node, object text, object children, object only_child,
                        int rules, object parent, object grandparent, int depth) except -1:
        """An element's content after its start: text, children with their tails, END."""
        if text is not None and len(text) > 0:
            as_opaque = False
            if rules & _ENCODE_DATA:
                if self.opaque_mode == "auto":
                    as_opaque = self.data_is_opaque(parent, grandparent)
                else:
                    as_opaque = self.opaque_mode == "always"
            elif rules & _ENCODE_METINF_TYPE and self.type_rewrite and type(text) is str:
                text = _WBXML_SPELLINGS.get(text, text)
            self.content(text, as_opaque)
        if only_child is not None:
            self.child(only_child, node, parent, depth + 1)
        for child in children:
            self.child(child, node, parent, depth + 1)
        return self.byte(END)

    cdef int child(self, object node, object parent, object grandparent, int depth) except -1:
        """A child element and its tail (and where they lie, for ``measure_wbxml``)."""
        cdef bint measured = parent is self.measured and parent is not None
        if measured:  # only sizes are kept: the buffer holds one child at a time
            self.dropped += self.size
            self.size = 0
            self.watched, self.switched_to = 0, -1
            self.table_cost = 0
            if self.referenced:
                self.referenced.clear()
        cdef Py_ssize_t start = self.size
        cdef int page_before = self.page
        self.element(node, parent, grandparent, depth)
        tail = _tail_of(<Element> node) if type(node) is Element else node.tail
        if tail is not None and len(tail) > 0:
            self.content(tail, False)
        if measured:
            self.record(start, page_before)
        return 0

    cdef int record(self, Py_ssize_t start, int page_before) except -1:
        """A measured child's figures (see ``measure_wbxml``), from where it started."""
        cdef Py_ssize_t count = len(self.figures)
        cdef long long size = self.size - start
        cdef int first_page = page_before
        if self.switched_to >= 0:
            first_page, size = self.switched_to, size - 2
        size += self.table_cost
        self.table_users += self.table_cost > 0
        array.resize_smart(self.figures, count + 4)
        self.figures.data.as_longlongs[count] = size
        self.figures.data.as_longlongs[count + 1] = page_before
        self.figures.data.as_longlongs[count + 2] = first_page
        self.figures.data.as_longlongs[count + 3] = self.page
        return 0

    cdef int reference(self, str text) except -1:
        """Write the offset of ``text`` in the string table (added on first use), counting
        what it puts there while a child is measured."""
        cdef Py_ssize_t before = self.size
        self.mb(self.table.add(text))
        if self.referenced is not None:
            if text not in self.referenced:
                self.referenced.add(text)
                self.table_cost += len(utf8(text)) + 1
            self.table_cost += max(0, self.offset_width - (self.size - before))
        return 0

    cdef int rules(self, str tag, int page) except -1:
        """Which SyncML content rules apply to an element."""
        if not self.syncml:
            return 0
        if tag == "Data":
            return _ENCODE_DATA
        return _ENCODE_METINF_TYPE if tag == "Type" and self.is_metinf_page(page) else 0

    cdef int attributes(self, object attributes) except -1:
        for name, value in attributes.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise EncodeError(f"attribute {name!r} must map a str to a str")
            self.byte(LITERAL)
            self.reference(name)
            if value:
                self.string(value)
        return self.byte(END)

    cdef int wbxml_construct(self, object node) except -1:
        """Write an ``ext`` or ``pi`` element of the WBXML namespace as its global token."""
        cdef int token
        cdef bytes raw
        if node.tag == "ext":
            try:
                token = int(node.attributes.get("token", ""), 16)
            except ValueError:
                token = -1
            if EXT_0 <= token <= EXT_2:
                return self.byte(token)
            text = node.text or ""
            if ((EXT_I_0 <= token <= EXT_I_2 or EXT_T_0 <= token <= EXT_T_2)
                    and isinstance(text, str) and "\x00" not in text):
                self.byte(token)
                if token >= EXT_T_0:
                    return self.reference(text)
                raw = utf8(text)
                self.write(PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw))
                return self.byte(0)
            raise EncodeError("wbxml:ext needs token= EXT_* (e.g. 0x40) and matching text")
        if node.tag == "pi":
            self.byte(PI)
            return self.attributes(node.attributes)
        raise EncodeError(f"unknown element {node.tag!r} in the {WBXML_NAMESPACE} namespace")


def encode_wbxml(root, *, language=None, int version=0x03, str public_id="number",
                 bint string_table=False, str opaque_data="auto", bint type_rewrite=True):
    """Encode an Element tree as a WBXML document (options as in ``syncml_codec.encode``)."""
    options = {"version": version, "public_id": public_id, "string_table": string_table,
               "opaque_data": opaque_data, "type_rewrite": type_rewrite}
    return _Encoder(language or root_language(root), options).document(root)


def measure_wbxml(root, parent, *, language=None, int version=0x03, str public_id="number",
                  str opaque_data="auto", bint type_rewrite=True, Py_ssize_t offset_width=1):
    """``encode_wbxml`` (no string table) telling what each child of ``parent`` takes
    (``syncml_codec.wbxml.encoder.measure_wbxml``)."""
    options = {"version": version, "public_id": public_id, "string_table": False,
               "opaque_data": opaque_data, "type_rewrite": type_rewrite}
    cdef _Encoder encoder = _Encoder(language or root_language(root), options)
    encoder.measured = parent
    encoder.figures = array.array("q")
    encoder.offset_width = offset_width
    encoder.referenced = set()
    head = encoder.document(root)  # the header and string table
    return len(head) + encoder.dropped + encoder.size, encoder.figures, encoder.table_users
