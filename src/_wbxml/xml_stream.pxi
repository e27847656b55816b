# WBXML straight to XML: a stream over the tokens, without a tree.
# Included by _wbxml.pyx (one compilation unit); order matters.

cdef class _Spelling:
    """How the XML stream writes one tag token."""
    cdef bytes start, end, xmlns
    cdef int namespace_id
    cdef bint is_data, is_type


cdef class _Spellings:
    """A language's tag tokens as XML, per page: a tuple of 64 ``_Spelling`` or None (tokens
    the stream leaves to the tree path: unknown, or a name or namespace XML cannot carry)."""
    cdef dict pages
    cdef int metinf_page
    cdef bint syncml

    def __init__(self, language):
        cdef _Spelling spelling
        namespace_ids = {None: 0}
        self.pages = {}
        self.syncml = language.family == "syncml"
        self.metinf_page = -1
        for page, names in language.tag_names.items():
            namespace = language.page_namespace(page)
            if self.syncml and namespace == METINF_NAMESPACE:
                self.metinf_page = page
            usable = namespace is None or (is_namespace_uri(namespace)
                                           and namespace not in RESERVED_URIS)
            row = []
            for name in names:
                if name is None or not usable or not XML_NAME.match(name):
                    row.append(None)
                    continue
                spelling = _Spelling.__new__(_Spelling)
                spelling.start = ("<" + name).encode()
                spelling.end = ("</" + name + ">").encode()
                spelling.xmlns = (' xmlns="' + escape_attribute(namespace or "") + '"').encode()
                spelling.namespace_id = namespace_ids.setdefault(namespace, len(namespace_ids))
                spelling.is_data = name == "Data"
                spelling.is_type = name == "Type"
                row.append(spelling)
            self.pages[page] = tuple(row)


cdef object _spellings = BoundedCache(limit=64)


# Bytes the XML stream looks at: in text, what XML escapes (& < > CR); in content, control
# characters and non-ASCII (checked as UTF-8).
cdef unsigned char _ESCAPED[256]
cdef unsigned char _NOT_PLAIN_TEXT[256]


cdef void _fill_stream_tables():
    cdef int c
    for c in range(256):
        _ESCAPED[c] = c in b"&<>\r"
        _NOT_PLAIN_TEXT[c] = c >= 0x80 or (c < 0x20 and c not in b"\t\n\r")


_fill_stream_tables()


cdef struct _Frame:
    PyObject* spelling  # a _Spelling kept alive by the language's _Spellings
    int page
    bint has_child


cdef class _XMLStream(_Output):
    """WBXML straight to XML bytes, for the documents most traffic consists of: tokens of the
    language's pages, inline and table strings, OPAQUE text, no attributes, no mixed content.
    Anything else (errors included) makes ``convert`` return None, and the caller takes the
    tree path, so the output is always exactly ``write_xml(decode_wbxml(data))``."""
    cdef const unsigned char* buf
    cdef Py_ssize_t end, max_string, max_opaque
    cdef int max_depth, version
    cdef bint type_rewrite, embedded_announced
    cdef bytes table
    cdef _Spellings spellings
    cdef _Output text  # the innermost element's text so far (raw UTF-8)
    cdef _Frame* frames
    cdef int depth, capacity
    # What the tree path would charge to its budget (limits.Budget): past either, the tree path
    # takes over and raises the limit's error.
    cdef Py_ssize_t output_left, elements_left

    def __dealloc__(self):
        PyMem_Free(self.frames)

    cdef int escape_text(self) except -1:
        """Write the pending text escaped as ``xml.writer.escape_text`` does, and empty it: runs
        without a character to escape are copied whole."""
        cdef Py_ssize_t i = 0, start
        cdef const unsigned char* text = <const unsigned char*> self.text.out
        cdef unsigned char c
        self.reserve(self.text.size * 5)
        while i < self.text.size:
            start = i
            while i < self.text.size and not _ESCAPED[text[i]]:
                i += 1
            memcpy(self.out + self.size, text + start, i - start)
            self.size += i - start
            if i < self.text.size:
                c = text[i]
                if c == c'&':
                    memcpy(self.out + self.size, b"&amp;", 5)
                    self.size += 5
                elif c == c'<':
                    memcpy(self.out + self.size, b"&lt;", 4)
                    self.size += 4
                elif c == c'>':
                    memcpy(self.out + self.size, b"&gt;", 4)
                    self.size += 4
                else:
                    memcpy(self.out + self.size, b"&#13;", 5)
                    self.size += 5
                i += 1
        self.text.size = 0
        return 0

    cdef bint add_text(self, const unsigned char* piece, Py_ssize_t length) except -1:
        """Append a piece of content; False when the tree path must take over: content after a
        child (a tail), outside the root, invalid UTF-8, or characters XML cannot carry."""
        cdef Py_ssize_t i
        cdef bint ascii = True
        self.output_left -= length
        if self.output_left < 0 or self.text.size + length > self.max_string:
            return False  # past max_output, or a text joined past max_string
        if self.depth == 0 or self.frames[self.depth - 1].has_child:
            return length == 0 and self.depth > 0
        for i in range(length):
            if _NOT_PLAIN_TEXT[piece[i]]:
                if piece[i] < 0x80:
                    return False  # a control character
                ascii = False
        if not ascii:
            try:
                text = PyUnicode_DecodeUTF8(<const char*> piece, length, NULL)
            except UnicodeDecodeError:
                return False
            if not _is_xml_text(text):
                return False
        self.text.write(<const char*> piece, length)
        return True

    cdef bint open_content(self) except -1:
        """Before a child: close the parent's start tag after its text. False for text that is
        only whitespace (indentation the tree path keeps out of the XML)."""
        cdef _Frame* parent = &self.frames[self.depth - 1]
        cdef Py_ssize_t i
        if parent.has_child:
            return True
        if self.text.size:
            if (<_Spelling> parent.spelling).is_type and parent.page == self.spellings.metinf_page:
                return False  # a Type with children: its text is rewritten at the end
            for i in range(self.text.size):
                if self.text.out[i] not in b" \t\r\n":
                    break
            else:
                return False
        parent.has_child = True
        self.byte(b">")
        return self.escape_text() == 0

    cdef bint close(self) except -1:
        cdef _Frame* frame = &self.frames[self.depth - 1]
        cdef _Spelling spelling = <_Spelling> frame.spelling
        cdef bytes rewritten
        self.depth -= 1
        if not frame.has_child and self.text.size == 0:
            return self.write("/>", 2) == 0
        if spelling.is_type and not frame.has_child:
            text = PyUnicode_DecodeUTF8(self.text.out, self.text.size, NULL)
            if self.type_rewrite and frame.page == self.spellings.metinf_page:
                spelled = _XML_SPELLINGS.get(text)  # syncml.type_for_xml
                if spelled is not None:
                    text = spelled
                    rewritten = utf8(text)
                    self.text.size = 0
                    self.text.write(PyBytes_AS_STRING(rewritten), PyBytes_GET_SIZE(rewritten))
            if text.lower() in _EMBEDDED_TYPES:
                self.embedded_announced = True
        if not frame.has_child:
            self.byte(b">")
            self.escape_text()
        return self.write(PyBytes_AS_STRING(spelling.end), PyBytes_GET_SIZE(spelling.end)) == 0

    cdef bint open(self, _Spelling spelling, int page, bint has_content) except -1:
        cdef int parent_namespace = 0
        cdef _Frame* grown
        if self.depth > MAX_ENCODE_DEPTH:  # the root is at depth 0
            return False  # deeper than the XML writer writes: the tree path refuses it
        if self.depth:
            if not self.open_content():
                return False
            parent_namespace = (<_Spelling> self.frames[self.depth - 1].spelling).namespace_id
        self.write(PyBytes_AS_STRING(spelling.start), PyBytes_GET_SIZE(spelling.start))
        if spelling.namespace_id != parent_namespace:
            self.write(PyBytes_AS_STRING(spelling.xmlns), PyBytes_GET_SIZE(spelling.xmlns))
        if not has_content:
            return self.write("/>", 2) == 0
        if self.depth + 1 > self.max_depth:
            return False
        if self.depth == self.capacity:
            grown = <_Frame*> PyMem_Realloc(self.frames, (2 * self.capacity + 16) * sizeof(_Frame))
            if grown == NULL:
                raise MemoryError()
            self.frames = grown
            self.capacity = 2 * self.capacity + 16
        self.frames[self.depth].spelling = <PyObject*> spelling
        self.frames[self.depth].page = page
        self.frames[self.depth].has_child = False
        self.depth += 1
        return True

    cdef bint read_mb(self, Py_ssize_t* pos, unsigned long long* value):
        """Read an mb_u_int32 at pos[0]; False if it is truncated, too long or too large."""
        cdef int i
        value[0] = 0
        for i in range(5):
            if pos[0] >= self.end:
                return False
            value[0] = (value[0] << 7) | (self.buf[pos[0]] & 0x7F)
            pos[0] += 1
            if not self.buf[pos[0] - 1] & 0x80:
                return value[0] <= 0xFFFFFFFF
        return False

    cdef object convert(self, bytes data, Py_ssize_t body_offset):
        cdef Py_ssize_t pos = body_offset, start, table_size = PyBytes_GET_SIZE(self.table)
        cdef const unsigned char* hit
        cdef const unsigned char* table = <const unsigned char*> PyBytes_AS_STRING(self.table)
        cdef unsigned long long value
        cdef Py_ssize_t length
        cdef unsigned char byte
        cdef int page = 0
        cdef bint had_root = False
        cdef Py_ssize_t prolog = len(_XML_DECLARATION)
        row = self.spellings.pages.get(0)
        self.write(_XML_DECLARATION, prolog)
        while pos < self.end:
            byte = self.buf[pos]
            pos += 1
            if byte == SWITCH_PAGE:
                if pos >= self.end:
                    return None
                page = self.buf[pos]
                pos += 1
                row = self.spellings.pages.get(page)
            elif byte == END:
                if self.depth == 0 or not self.close():
                    return None
            elif byte == STR_I:
                hit = <const unsigned char*> memchr(self.buf + pos, 0, self.end - pos)
                if hit == NULL or hit - (self.buf + pos) > self.max_string \
                        or not self.add_text(self.buf + pos, hit - (self.buf + pos)):
                    return None
                pos = hit - self.buf + 1
            elif byte == STR_T:
                if not self.read_mb(&pos, &value) or value >= <unsigned long long> table_size:
                    return None
                start = <Py_ssize_t> value
                hit = <const unsigned char*> memchr(table + start, 0, table_size - start)
                length = (hit - table if hit != NULL else table_size) - start
                if length > self.max_string or not self.add_text(table + start, length):
                    return None
            elif byte == OPAQUE:
                if self.version == 0 or not self.read_mb(&pos, &value) \
                        or value > <unsigned long long> (self.end - pos) \
                        or value > <unsigned long long> self.max_opaque:
                    return None
                if (self.spellings.syncml and self.depth
                        and (<_Spelling> self.frames[self.depth - 1].spelling).is_data
                        and (self.embedded_announced or (value >= 4 and self.buf[pos] <= 0x03))):
                    return None  # perhaps an embedded document
                if not self.add_text(self.buf + pos, <Py_ssize_t> value):
                    return None
                pos += <Py_ssize_t> value
            elif byte & 0x3F < 0x05 or byte & HAS_ATTRIBUTES:
                return None  # LITERAL, ENTITY, PI, extensions, attributes
            else:
                spelling = (<tuple> row)[byte & 0x3F] if row is not None else None
                if spelling is None or (self.depth == 0 and had_root):
                    return None
                had_root = True
                self.elements_left -= 1
                if self.elements_left < 0 or not self.open(<_Spelling> spelling, page,
                                                            byte & HAS_CONTENT):
                    return None
        if self.depth or not had_root:
            return None
        return PyBytes_FromStringAndSize(self.out, self.size)


cdef bytes _XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def stream_xml(bytes data, language=None, limits=DEFAULT_LIMITS, bint type_rewrite=True):
    """``write_xml(decode_wbxml(data, ...))`` without building the tree, for the documents the
    stream handles (see ``_XMLStream``); None for any other, errors included."""
    cdef _XMLStream stream
    if len(data) > limits.max_size:
        return None
    try:
        header = _read_header(data, language)
    except DecodeError:
        return None
    if header.language is None or header.encoding != "utf-8":
        return None
    stream = _XMLStream()
    stream.buf = <const unsigned char*> PyBytes_AS_STRING(data)
    stream.end = PyBytes_GET_SIZE(data)
    stream.max_string, stream.max_opaque = limits.max_string, limits.max_opaque
    stream.max_depth = limits.max_depth
    stream.output_left, stream.elements_left = limits.max_output, limits.max_elements
    stream.version = header.version
    stream.type_rewrite = type_rewrite
    stream.table = header.string_table
    stream.spellings = _spellings.get(header.language)
    if stream.spellings is None:
        stream.spellings = _spellings.remember(header.language, _Spellings(header.language))
    stream.text = _Output()
    return stream.convert(data, header.body_offset)


def wbxml_to_xml(data, *, bint pretty=False, language=None, limits=DEFAULT_LIMITS,
                 str unknown_tags="error", bint type_rewrite=True):
    """``write_xml(decode_wbxml(data, ...), pretty)``, streamed when ``stream_xml`` can."""
    data = bytes(data)
    if not pretty:
        xml = stream_xml(data, language, limits, type_rewrite)
        if xml is not None:
            return xml
    return write_xml(decode_wbxml(data, language=language, limits=limits,
                                  unknown_tags=unknown_tags, type_rewrite=type_rewrite), pretty)
