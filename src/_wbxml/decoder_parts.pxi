# What the WBXML decoder is built from: its per-element and per-language tables, the rules it
# applies to what it reads (indentation, attributes), the memoised header.
# Included by _wbxml.pyx (one compilation unit); order matters.

cdef struct _OpenElement:
    Py_ssize_t first  # where its children start in ``_Decoder.pending``
    Py_ssize_t seen  # how far the Data rules looked through them for a Meta (in ``pending``)
    Py_ssize_t meta_seen  # ... through that Meta's children (in ``pending`` while it is open)
    PyObject* meta  # its first Meta child (borrowed: ``pending`` holds it), or NULL
    PyObject* found  # that Meta's first Type child, or NULL
    bint blank  # whitespace-only text came beside its children: see ``drop_blanks``


cdef class _LanguageTables:
    """What the decoder reads of a language, worked out once per language (never modified)."""
    cdef dict names, page_namespaces  # names: page -> a tuple of _Name (None: no such tag)
    cdef int metinf_page  # the SyncML MetInf page, or -1
    cdef bint syncml

    def __init__(self, language):
        self.page_namespaces = {page: language.page_namespace(page) for page in language.pages}
        self.names = {
            page: tuple(None if tag is None else _name_for(tag, self.page_namespaces.get(
                page, language.namespace)) for tag in tags)
            for page, tags in language.tag_names.items()}
        self.syncml = language.family == "syncml"
        self.metinf_page = -1
        if self.syncml:
            for page in language.pages:
                if language.page_namespace(page) == METINF_NAMESPACE:
                    self.metinf_page = page


cdef object _language_tables = BoundedCache(limit=64)  # language -> _LanguageTables


cdef inline size_t _short_text_hash(const unsigned char* data, Py_ssize_t length):
    """A quick hash of a short text (at most RECENT_TEXT_MAX_LENGTH bytes) from its length and its
    first and last eight bytes (fewer when shorter)."""
    cdef uint64_t head = 0, tail = 0
    if length >= 8:
        memcpy(&head, data, 8)
        memcpy(&tail, data + length - 8, 8)
    elif length > 0:
        memcpy(&head, data, length)
    head = (head ^ <uint64_t> length) * 0x9E3779B97F4A7C15ULL
    head = (head ^ tail ^ (head >> 32)) * 0x9E3779B97F4A7C15ULL
    return <size_t> (head >> 40)



cdef inline bint _is_blank(str text):
    """Whether ``text`` is XML whitespace only (space, tab, CR, LF)."""
    cdef Py_ssize_t index, length = PyUnicode_GET_LENGTH(text)
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 character
    for index in range(length):
        character = PyUnicode_READ(kind, data, index)
        if character != 0x20 and character != 0x09 and character != 0x0A and character != 0x0D:
            return False
    return length > 0


cdef int _drop_blanks(Element element) except -1:
    """Whitespace-only text beside child elements is indentation, not content (as the XML
    reader reads it): an element with children keeps no such text, nor do its children as
    tails. Leaf text stays exactly as sent."""
    children = _children_of(element)
    if not children:
        return 0
    text = _text_of(element)
    if type(text) is str and _is_blank(text):
        _set_text(element, None)
    for child in children:
        if type(child) is Element:
            tail = _tail_of(<Element> child)
            if type(tail) is str and _is_blank(tail):
                _set_tail(<Element> child, None)
    return 0


cdef int _set_attribute(Element element, object name, object value, bint literal,
                        bint root) except -1:
    action = xmlns_action(element, name, value, literal, root)
    if action == "namespace":
        element._name = _name_for(_tag(element), value or None)
    elif action == "attribute":
        element.attributes[name] = value
    return 0


cdef object _headers = BoundedCache(limit=256)


cdef object _read_header(bytes data, object language):
    """``header.read_header``, memoised for the common header: numeric public id, empty string
    table (the same few bytes on every message of a session, so they are the memo's key)."""
    cdef const unsigned char* buf = <const unsigned char*> PyBytes_AS_STRING(data)
    cdef Py_ssize_t size = PyBytes_GET_SIZE(data), pos = 1
    cdef int field, fields, i
    cdef unsigned long long value = 0
    if language is not None or size == 0 or buf[0] > 0x03:
        return read_header(data, language)
    fields = 3 if buf[0] else 2  # public id, charset (none in WBXML 1.0), string table length
    for field in range(fields):
        value = 0
        for i in range(5):
            if pos >= size:
                return read_header(data, language)
            value = (value << 7) | (buf[pos] & 0x7F)
            pos += 1
            if not buf[pos - 1] & 0x80:
                break
        else:
            return read_header(data, language)
        if field == 0 and value == 0:  # the public id is a string-table reference
            return read_header(data, language)
    if value != 0:  # a string table
        return read_header(data, language)
    key = data[:pos]
    header = _headers.get(key)
    if header is None:
        header = _headers.remember(key, read_header(data, language))
    return header
