# Decoding WBXML into an Element tree: the token loop, the SyncML Data rules, nested documents.
# Included by _wbxml.pyx (one compilation unit); order matters.


cdef class _Decoder:
    cdef bytes data
    cdef const unsigned char* buf
    cdef Py_ssize_t size
    cdef object header, language, encoding, root
    cdef bytes table
    cdef dict names, page_namespaces, table_strings
    cdef object default_namespace
    cdef list stack, pages
    cdef list run  # content pieces for one place, not joined yet (None: no run)
    cdef Element run_target
    cdef bint run_is_tail
    cdef _OpenElement* levels  # per open element, outermost first
    cdef Py_ssize_t levels_capacity
    cdef PyObject** pending  # the children of the open elements, in document order (owned)
    cdef Py_ssize_t pending_count, pending_capacity
    cdef bint utf8, type_rewrite, keep_unknown, syncml
    cdef int nul_width, max_depth, base_depth, version, metinf_page, attr_page
    cdef Py_ssize_t max_string, max_opaque
    cdef object limits
    cdef object budget  # shared with nested documents (limits.Budget)
    cdef Py_ssize_t output_left, elements_left  # the budget's counts while this one decodes
    cdef Py_ssize_t run_length  # of the run's pieces together, for max_string
    cdef dict prefixes  # prefix -> URI of the xmlns:prefix attributes in scope
    cdef list bindings  # (stack depth, what it replaced) of each open element that bound some
    cdef PyObject** recent_texts  # short ASCII texts by hash (owned)
    cdef size_t recent_mask  # the number of recent_texts slots - 1

    def __dealloc__(self):
        cdef Py_ssize_t index
        for index in range(self.pending_count):
            Py_XDECREF(self.pending[index])
        if self.recent_texts != NULL:
            for index in range(<Py_ssize_t> self.recent_mask + 1):
                Py_XDECREF(self.recent_texts[index])
            PyMem_Free(self.recent_texts)
        PyMem_Free(self.pending)
        PyMem_Free(self.levels)

    def __init__(self, bytes data, header, limits, str unknown_tags, bint type_rewrite,
                 int depth, budget):
        self.data = data
        self.budget = budget
        self.output_left = budget.output
        self.elements_left = budget.elements
        self.buf = <const unsigned char*> PyBytes_AS_STRING(data)
        self.size = PyBytes_GET_SIZE(data)
        self.header = header
        self.language = header.language
        self.encoding = header.encoding
        self.utf8 = header.encoding == "utf-8"
        self.nul_width = header.nul_width
        self.table = header.string_table
        self.version = header.version
        self.limits = limits
        self.max_depth = limits.max_depth
        self.max_string = limits.max_string
        self.max_opaque = limits.max_opaque
        self.base_depth = depth
        self.keep_unknown = unknown_tags == "keep"
        self.type_rewrite = type_rewrite
        cdef _LanguageTables tables = _language_tables.get(self.language)
        if tables is None:
            tables = _language_tables.remember(self.language, _LanguageTables(self.language))
        self.names = tables.names
        self.page_namespaces = tables.page_namespaces
        self.metinf_page = tables.metinf_page
        self.syncml = tables.syncml
        self.default_namespace = self.language.namespace
        self.table_strings = {}
        self.prefixes = {}
        self.bindings = []
        self.stack = []
        self.pages = []
        self.root = None
        self.attr_page = 0
        self.recent_mask = 15  # about one slot per 32 bytes of input
        while self.recent_mask < RECENT_TEXT_MAX_SLOTS - 1 and self.recent_mask * 32 < self.size:
            self.recent_mask = self.recent_mask * 2 + 1
        self.recent_texts = <PyObject**> PyMem_Calloc(self.recent_mask + 1, sizeof(PyObject*))
        if self.recent_texts == NULL:
            raise MemoryError()

    # -- the budget (``limits.Budget``, kept in C while this document decodes) ---------------

    cdef inline int charge(self, Py_ssize_t size, Py_ssize_t offset) except -1:
        """Charge ``size`` bytes of content for the token at ``offset``, before making it."""
        self.output_left -= size
        if self.output_left < 0:
            raise LimitError(f"the decoded content exceeds max_output {self.limits.max_output}",
                             offset, "max_output")
        return 0

    cdef inline int count_element(self, Py_ssize_t offset) except -1:
        """Charge one element or attribute for the token at ``offset``, before making it."""
        self.elements_left -= 1
        if self.elements_left < 0:
            raise LimitError(f"more than max_elements {self.limits.max_elements} elements",
                             offset, "max_elements")
        return 0

    cdef int grow_run(self, Py_ssize_t length, Py_ssize_t offset) except -1:
        self.run_length += length
        if self.run_length > self.max_string:
            raise LimitError(f"text joined from pieces longer than max_string {self.max_string}",
                             offset, "max_string")
        return 0

    # -- primitive readers -------------------------------------------------------------------

    cdef unsigned long long mb(self, Py_ssize_t* pos) except? 0xFFFFFFFFFFFFFFFF:
        cdef Py_ssize_t start = pos[0]
        cdef unsigned long long value = 0
        cdef unsigned char byte
        cdef int i
        for i in range(5):
            if start + i >= self.size:
                raise DecodeError("truncated mb_u_int32", start)
            byte = self.buf[start + i]
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                if value > 0xFFFFFFFF:
                    raise DecodeError("mb_u_int32 overflows 32 bits", start)
                pos[0] = start + i + 1
                return value
        raise DecodeError("mb_u_int32 longer than 5 bytes", start)

    cdef object termstr(self, Py_ssize_t* pos):
        """The NUL-terminated string after a token byte at pos[0] - 1."""
        cdef Py_ssize_t start = pos[0]
        cdef Py_ssize_t end
        cdef const unsigned char* hit
        if self.nul_width == 1:
            hit = <const unsigned char*> memchr(self.buf + start, 0, self.size - start)
            if hit == NULL:
                raise DecodeError("unterminated inline string", start - 1)
            end = hit - self.buf
        else:
            end = start
            while True:
                end = self.data.find(b"\x00\x00", end)
                if end < 0 or (end - start) % 2 == 0:
                    break
                end += 1
            if end < 0:
                raise DecodeError("unterminated inline string", start - 1)
        if end - start > self.max_string:
            raise LimitError(f"inline string longer than max_string {self.max_string}",
                             start - 1, "max_string")
        self.charge(end - start, start - 1)
        try:
            if self.utf8:
                text = self.utf8_text(self.buf + start, end - start)
            else:
                text = self.data[start:end].decode(self.encoding)
        except UnicodeDecodeError:
            raise DecodeError(f"inline string is not valid {self.encoding}", start - 1) from None
        pos[0] = end + self.nul_width
        return text

    cdef object utf8_text(self, const unsigned char* data, Py_ssize_t length):
        """The str of ``length`` UTF-8 bytes. A short ASCII text equal to one seen recently is
        that same object: documents repeat their short texts ("chr", "text/plain", MsgRef,
        a CmdRef naming the CmdID before it), and each copy would cost an allocation."""
        if length > RECENT_TEXT_MAX_LENGTH:
            return PyUnicode_DecodeUTF8(<const char*> data, length, NULL)
        cdef PyObject** slot = &self.recent_texts[_short_text_hash(data, length) & self.recent_mask]
        cdef PyObject* seen = slot[0]
        if seen != NULL and PyUnicode_GET_LENGTH(<object> seen) == length \
                and memcmp(PyUnicode_DATA(<object> seen), data, length) == 0:
            return <object> seen
        text = PyUnicode_DecodeUTF8(<const char*> data, length, NULL)
        if PyUnicode_GET_LENGTH(text) == length:  # ASCII, so its characters are these bytes
            Py_INCREF(text)
            Py_XDECREF(seen)
            slot[0] = <PyObject*> text
        return text

    cdef object table_ref(self, Py_ssize_t* pos, str what):
        cdef Py_ssize_t start = pos[0]
        cdef unsigned long long index = self.mb(pos)
        if index >= <unsigned long long> len(self.table):
            raise DecodeError(f"{what} index {index} outside the string table", start)
        known = self.table_strings.get(index)  # (text, its length in the table)
        if known is not None:
            self.charge((<tuple> known)[1], start)
            return (<tuple> known)[0]
        raw = table_bytes(self.table, index, self.nul_width)
        if len(raw) > self.max_string:
            raise LimitError(f"string-table entry longer than max_string {self.max_string}",
                             start, "max_string")
        self.charge(len(raw), start)
        try:
            text = raw.decode(self.encoding)
        except UnicodeDecodeError:
            raise DecodeError(f"string-table entry is not valid {self.encoding}", start) from None
        self.table_strings[index] = (text, len(raw))
        return text

    # -- tree building -----------------------------------------------------------------------

    cdef int add_content(self, object value, Py_ssize_t offset) except -1:
        """Content for the open element: its text, or its last child's tail. A second piece
        for the same place starts a run, joined once when it ends (``flush_run``), so many
        pieces cost linear time; the run may not grow past ``max_string``."""
        if not value:
            return 0
        if type(value) is str and _is_blank(value):
            self.levels[len(self.stack) - 1].blank = True
        cdef Element target = <Element> self.stack[-1]
        cdef bint is_tail = self.pending_count > self.levels[len(self.stack) - 1].first
        if is_tail:
            target = <Element> self.pending[self.pending_count - 1]
        if self.run is not None and self.run_target is target and self.run_is_tail == is_tail:
            self.grow_run(len(value), offset)
            self.run.append(value)
            return 0
        current = _tail_of(target) if is_tail else _text_of(target)
        if current is None:
            if is_tail:
                _set_tail(target, value)
            else:
                _set_text(target, value)
            return 0
        self.flush_run()
        self.run_length = len(current)
        self.grow_run(len(value), offset)
        self.run = [current, value]
        self.run_target, self.run_is_tail = target, is_tail
        return 0

    cdef int flush_run(self) except -1:
        if self.run is None:
            return 0
        if self.run_is_tail:
            _set_tail(self.run_target, join_run(self.run))
        else:
            _set_text(self.run_target, join_run(self.run))
        self.run = None
        self.run_target = None
        return 0

    cdef int append(self, object child) except -1:
        """Add a child to the open element (the content before it is complete). The children
        wait in ``pending`` until the element's END makes them its list, of the exact size."""
        cdef PyObject** grown
        self.flush_run()
        if self.pending_count == self.pending_capacity:
            grown = <PyObject**> PyMem_Realloc(
                self.pending, (2 * self.pending_capacity + 64) * sizeof(PyObject*))
            if grown == NULL:
                raise MemoryError()
            self.pending = grown
            self.pending_capacity = 2 * self.pending_capacity + 64
        Py_INCREF(child)
        self.pending[self.pending_count] = <PyObject*> child
        self.pending_count += 1
        return 0

    cdef Element pop(self):
        """The open element an END closes, given its children from ``pending``."""
        cdef Element element = <Element> self.stack.pop()
        cdef Py_ssize_t level = len(self.stack), first = self.levels[level].first, index
        cdef tuple children
        if self.pending_count == first + 1 and element._content is None:
            element._content = <object> self.pending[first]  # an only child, held alone
            Py_XDECREF(self.pending[first])
            self.pending_count = first
        elif self.pending_count > first:
            children = PyTuple_New(self.pending_count - first)
            for index in range(first, self.pending_count):
                _tuple_set_item(children, index - first, self.pending[index])  # moves the ref
            self.pending_count = first
            PyObject_GC_UnTrack(children)  # see _untracked_list
            _set_children(element, children)
        if level and self.levels[level - 1].meta == <PyObject*> element:
            self.levels[level - 1].meta_seen -= first  # the Data rules' place, now in its children
        return element

    cdef int open(self, Element element, int page, Py_ssize_t offset, bint has_content) except -1:
        if self.root is None:
            self.root = element
        elif self.stack:
            self.append(element)
        else:
            raise DecodeError("a second root element", offset)
        if has_content:
            if self.base_depth + len(self.stack) + 1 > self.max_depth:
                raise LimitError(f"elements nested deeper than {self.max_depth}", offset,
                                 "max_depth")
            self.new_level(len(self.stack))
            self.stack.append(element)
            self.pages.append(page)
        else:
            self.close(element, page)
        return 0

    cdef int new_level(self, Py_ssize_t level) except -1:
        """The ``_OpenElement`` of the element about to open at ``level``."""
        cdef _OpenElement* grown
        if level >= self.levels_capacity:
            grown = <_OpenElement*> PyMem_Realloc(
                self.levels, (2 * self.levels_capacity + 16) * sizeof(_OpenElement))
            if grown == NULL:
                raise MemoryError()
            self.levels = grown
            self.levels_capacity = 2 * self.levels_capacity + 16
        memset(&self.levels[level], 0, sizeof(_OpenElement))
        self.levels[level].first = self.levels[level].seen = self.pending_count
        return 0

    cdef inline Py_ssize_t children_end(self, Py_ssize_t level):
        """Where the children of the element open at ``level`` end in ``pending``."""
        return self.levels[level + 1].first if level + 1 < len(self.stack) else self.pending_count

    cdef inline bint is_open(self, Py_ssize_t level, PyObject* element):
        return level < len(self.stack) and <PyObject*> self.stack[level] == element

    cdef int close(self, Element element, int page) except -1:
        self.flush_run()
        if self.type_rewrite and page == self.metinf_page and _tag(element) == "Type":
            text = _text_of(element)
            if isinstance(text, str):
                _set_text(element, type_for_xml(text))
        return 0

    cdef object data_type(self, Py_ssize_t depth):
        """``syncml.data_type`` for the Data open at ``depth``: the text of its parent's Meta
        Type, else its grandparent's."""
        cdef PyObject* found = self.meta_type(depth - 2) if depth > 1 else NULL
        if found == NULL and depth > 2:
            found = self.meta_type(depth - 3)
        if found == NULL:
            return None
        text = _text_of(<Element> found)
        return text if type(text) is str else None

    cdef PyObject* meta_type(self, Py_ssize_t level):
        """The first Meta's first Type child of the element open at ``level`` (NULL if none
        yet), looking at each of its children, and its Meta's, once."""
        cdef _OpenElement* scan = &self.levels[level]
        if scan.found == NULL:
            if scan.meta == NULL:
                scan.meta = _first_child_named(self.pending, self.children_end(level),
                                               &scan.seen, "Meta")
                if scan.meta != NULL and self.is_open(level + 1, scan.meta):
                    scan.meta_seen = self.levels[level + 1].first
            if scan.meta == NULL:
                pass
            elif self.is_open(level + 1, scan.meta):  # a Data inside this very Meta
                scan.found = _first_child_named(self.pending, self.children_end(level + 1),
                                                &scan.meta_seen, "Type")
            else:
                children = _children_of(<Element> scan.meta)
                scan.found = _first_child_named(<PyObject**> PySequence_Fast_ITEMS(children),
                                                len(children), &scan.meta_seen, "Type")
        return scan.found

    cdef object opaque(self, Py_ssize_t offset, Py_ssize_t length):
        """The OPAQUE data at ``offset`` as the tree holds it: a nested document, text, or
        bytes (``syncml.opaque_value``); the common text is decoded straight from the input."""
        cdef const char* data = <const char*> self.buf + offset
        cdef Py_ssize_t depth = len(self.stack)
        if depth and self.syncml and _tag(<Element> self.stack[-1]) == "Data":
            # The shared rule, asked only when the bytes or the Meta Type make it plausible.
            type_text = self.data_type(depth)
            if (length >= 4 and <unsigned char> data[0] <= 0x03) \
                    or (type_text is not None and type_text.lower() in _EMBEDDED_TYPES):
                raw = PyBytes_FromStringAndSize(data, length)
                if (self.budget.nesting < MAX_NESTED_DOCUMENTS
                        and looks_embedded(raw, self.language, type_text)):
                    self.budget.output, self.budget.elements = self.output_left, self.elements_left
                    self.budget.nesting += 1
                    try:
                        return decode_wbxml(raw, limits=self.limits,
                                            unknown_tags="keep" if self.keep_unknown else "error",
                                            type_rewrite=self.type_rewrite,
                                            _depth=self.base_depth + depth, _budget=self.budget)
                    except LimitError as error:
                        if error.limit in SHARED_LIMITS:  # the whole decode's: it ends here
                            raise LimitError(error.message, offset + error.offset,
                                             error.limit) from None
                    except DecodeError:
                        pass  # not a document after all: keep the bytes, as libwbxml does
                    finally:
                        self.budget.nesting -= 1
                        self.output_left, self.elements_left = self.budget.output, self.budget.elements
        if not self.utf8:
            return opaque_value(PyBytes_FromStringAndSize(data, length), self.encoding)
        try:  # ``syncml.opaque_value`` for UTF-8, checked in C
            text = self.utf8_text(<const unsigned char*> data, length)
        except UnicodeDecodeError:
            return PyBytes_FromStringAndSize(data, length)
        return text if _is_xml_text(text) else PyBytes_FromStringAndSize(data, length)

    cdef _Name tag_name(self, object names, int page, int code, Py_ssize_t offset):
        """The name of tag ``code`` on ``page``, whose names (a tuple, or None) are ``names``."""
        name = (<tuple> names)[code] if names is not None else None
        if name is None:
            if not self.keep_unknown:
                raise DecodeError(f"unknown tag {code:#04x} on code page {page}", offset)
            return _name_for(f"wbxml-page{page}-{code:#04x}",
                             self.page_namespaces.get(page, self.default_namespace))
        return <_Name> name

    cdef Py_ssize_t opaque_span(self, Py_ssize_t* pos, Py_ssize_t start) except -1:
        """Check the OPAQUE length at ``pos[0]`` and step past the data; the data's offset."""
        if self.version == 0:
            raise DecodeError("OPAQUE does not exist in WBXML 1.0", start)
        cdef unsigned long long length = self.mb(pos)
        if length > <unsigned long long> (self.size - pos[0]):
            raise DecodeError("OPAQUE length runs past the end of the input", start)
        if length > <unsigned long long> self.max_opaque:
            raise LimitError(f"OPAQUE longer than max_opaque {self.max_opaque}", start,
                             "max_opaque")
        self.charge(<Py_ssize_t> length, start)
        pos[0] += <Py_ssize_t> length
        return pos[0] - <Py_ssize_t> length

    cdef bytes opaque_bytes(self, Py_ssize_t* pos, Py_ssize_t start):
        cdef Py_ssize_t offset = self.opaque_span(pos, start)
        return PyBytes_FromStringAndSize(<const char*> self.buf + offset, pos[0] - offset)

    cdef object entity(self, Py_ssize_t* pos, Py_ssize_t start):
        cdef unsigned long long code = self.mb(pos)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise DecodeError(f"ENTITY {code:#x} is not a Unicode scalar value", start)
        return chr(code)

    cdef object extension(self, unsigned char byte, Py_ssize_t* pos):
        if byte <= EXT_I_2:
            return self.termstr(pos)
        if byte <= EXT_T_2:
            return self.table_ref(pos, "EXT_T")
        return None

    cdef Py_ssize_t attributes(self, Element element, Py_ssize_t pos,
                               bint literal_element=False) except -1:
        """Read an attribute list up to its END into ``element``; returns the position after."""
        cdef Py_ssize_t start
        cdef unsigned char byte
        cdef bint application_token
        cdef list value = []  # the current attribute's value, in pieces (joined once)
        name = None
        while pos < self.size:
            start = pos
            byte = self.buf[pos]
            pos += 1
            application_token = (byte & 0x3F) > LITERAL  # not a global token
            if byte == SWITCH_PAGE:
                if pos >= self.size:
                    raise DecodeError("truncated SWITCH_PAGE", start)
                self.attr_page = self.buf[pos]
                pos += 1
            elif byte == END or byte == LITERAL or (application_token and byte < 0x80):
                # The end of the list, or the start of the next attribute.
                if byte == LITERAL:
                    if not self.table and pos < self.size and self.buf[pos] == 0:
                        literal = "xmlns"  # Nokia phones name xmlns this way, with no table
                        pos += 1
                    else:
                        literal = self.table_ref(&pos, "LITERAL")
                if name is not None:
                    joined = self.join_value(value, start)
                    self.count_element(start)
                    _set_attribute(element, name, joined, literal_element, self.root is None)
                if byte == END:
                    return pos
                if byte == LITERAL:
                    name, value = literal, []
                else:
                    name, prefix = self.attribute_start(byte, start)
                    value = [prefix]
            else:
                # A piece of the current attribute's value.
                piece = None
                if byte == PI:
                    raise DecodeError("PI inside an attribute list", start)
                if byte == LITERAL_C or byte == LITERAL_A or byte == LITERAL_AC:
                    raise DecodeError(f"tag token {byte:#04x} inside an attribute list", start)
                if byte == STR_I:
                    piece = self.termstr(&pos)
                elif byte == STR_T:
                    piece = self.table_ref(&pos, "STR_T")
                elif byte == ENTITY:
                    piece = self.entity(&pos, start)
                elif byte == OPAQUE:
                    piece = self.opaque_bytes(&pos, start)
                elif not application_token:
                    self.extension(byte, &pos)
                if name is None:
                    raise DecodeError("attribute value before an attribute name", start)
                if application_token:
                    value.append(self.attribute_value(byte, start))
                elif piece is None:
                    raise DecodeError("EXT inside an attribute list", start)
                elif byte == OPAQUE:
                    text = opaque_value(piece, self.encoding)
                    if isinstance(text, bytes):
                        raise DecodeError("binary OPAQUE in an attribute value", start)
                    value.append(text)
                else:
                    value.append(piece)
        raise DecodeError("input ends inside an attribute list", self.size)

    cdef str join_value(self, list pieces, Py_ssize_t offset):
        """An attribute's value from its pieces, no longer than ``max_string``."""
        cdef Py_ssize_t total = 0
        if len(pieces) > 1:
            for piece in pieces:
                total += len(piece)
            if total > self.max_string:
                raise LimitError(
                    f"text joined from pieces longer than max_string {self.max_string}",
                    offset, "max_string")
        return "".join(pieces)

    cdef tuple attribute_start(self, unsigned char byte, Py_ssize_t offset):
        page = self.language.attribute_pages.get(self.attr_page)
        entry = page.starts.get(byte) if page is not None else None
        if entry is None:
            raise DecodeError(f"unknown attribute {byte:#04x} on code page {self.attr_page}",
                              offset)
        return entry

    cdef str attribute_value(self, unsigned char byte, Py_ssize_t offset):
        page = self.language.attribute_pages.get(self.attr_page)
        value = page.values.get(byte) if page is not None else None
        if value is None:
            raise DecodeError(
                f"unknown attribute value {byte:#04x} on code page {self.attr_page}", offset)
        return value

    cdef object build(self):
        cdef Py_ssize_t pos = self.header.body_offset
        cdef Py_ssize_t start, offset = 0
        cdef unsigned char byte
        cdef int page = 0
        cdef Element element
        namespace = self.page_namespaces.get(0, self.default_namespace)
        names = self.names.get(0)  # the page's tag names
        while pos < self.size:
            start = pos
            byte = self.buf[pos]
            pos += 1
            if byte == SWITCH_PAGE:
                if pos >= self.size:
                    raise DecodeError("truncated SWITCH_PAGE", start)
                page = self.buf[pos]
                pos += 1
                namespace = self.page_namespaces.get(page, self.default_namespace)
                names = self.names.get(page)
            elif byte == END:
                if not self.stack:
                    raise DecodeError("END without an open element", start)
                blank = self.levels[len(self.stack) - 1].blank
                element = self.pop()
                self.close(element, self.pages.pop())
                if blank:
                    _drop_blanks(element)
                if self.bindings and (<tuple> self.bindings[-1])[0] == len(self.stack):
                    unbind_prefixes(self.prefixes, self.bindings.pop()[1])
            elif byte == STR_I or byte == STR_T or byte == ENTITY or byte == OPAQUE:
                if byte == STR_I:
                    value = self.termstr(&pos)
                elif byte == STR_T:
                    value = self.table_ref(&pos, "STR_T")
                elif byte == ENTITY:
                    value = self.entity(&pos, start)
                else:
                    offset = self.opaque_span(&pos, start)
                if not self.stack:
                    raise DecodeError("content outside the root element", start)
                if byte == OPAQUE:
                    value = self.opaque(offset, pos - offset)
                    if isinstance(value, Element):
                        self.append(value)
                        continue
                self.add_content(value, start)
            elif (EXT_I_0 <= byte <= EXT_I_2 or EXT_T_0 <= byte <= EXT_T_2
                  or EXT_0 <= byte <= EXT_2):
                value = self.extension(byte, &pos)
                if not self.stack:
                    raise DecodeError("extension outside the root element", start)
                self.count_element(start)
                element = _new_element(_name_for("ext", WBXML_NAMESPACE))
                _rare_fields(element).attributes = {"token": f"{byte:#04x}"}
                _set_text(element, value or None)
                self.append(element)
            elif byte == PI:
                self.count_element(start)
                element = _new_element(_name_for("pi", WBXML_NAMESPACE))
                pos = self.attributes(element, pos)
                if self.stack:
                    self.append(element)
            else:
                if byte == LITERAL or byte == LITERAL_A or byte == LITERAL_C or byte == LITERAL_AC:
                    name = self.table_ref(&pos, "LITERAL")
                    if not name:
                        raise DecodeError("LITERAL tag with an empty name", start)
                    name, element_namespace = literal_name(self.language, name, namespace,
                                                           self.root is None)
                    tag_name = _name_for(name, element_namespace)
                else:
                    tag_name = self.tag_name(names, page, byte & 0x3F, start)
                self.count_element(start)
                element = _new_element(tag_name)
                bound = None
                if byte & HAS_ATTRIBUTES:
                    pos = self.attributes(element, pos, (byte & 0x3F) == LITERAL)
                    attributes = _attributes_of(element)
                    if attributes:
                        bound = bind_prefixes(self.prefixes, attributes)
                if ((byte & 0x3F) == LITERAL and self.root is not None
                        and ":" in <str> tag_name.tag):
                    found = prefixed_name(tag_name.tag, self.prefixes)  # prefix:local, as XML
                    if found is not None:
                        element._name = _name_for(found[0], found[1])
                self.open(element, page, start, byte & HAS_CONTENT)
                if bound:
                    if byte & HAS_CONTENT:
                        self.bindings.append((len(self.stack) - 1, bound))
                    else:
                        unbind_prefixes(self.prefixes, bound)
        if self.stack:
            raise DecodeError(f"input ends inside <{_tag(<Element> self.stack[-1])}>", self.size)
        if self.root is None:
            raise DecodeError("no root element", self.size)
        return self.root



def decode_wbxml(data, *, language=None, limits=DEFAULT_LIMITS, str unknown_tags="error",
                 bint type_rewrite=True, int _depth=0, _budget=None):
    """Decode a WBXML document into an Element tree (``_depth`` and ``_budget``: what the
    documents it is nested in have used)."""
    data = bytes(data)
    if len(<bytes> data) > limits.max_size:
        check_size(data, limits)  # raises
    header = _read_header(data, language)
    if header.language is None:
        raise DecodeError(f"unknown public id {header.public_id!r} (pass language=)", 1)
    # The tree is built with the collector as the application left it: compiled trees are not
    # tracked by the collector, so it has nothing of theirs to traverse anyway.
    budget = Budget(limits) if _budget is None else _budget
    cdef _Decoder decoder = _Decoder(data, header, limits, unknown_tags, type_rewrite, _depth,
                                     budget)
    try:
        return decoder.build()
    finally:
        budget.output, budget.elements = decoder.output_left, decoder.elements_left
