# cython: language_level=3, cdivision=True
"""Compiled WBXML tree builder and serializer: the hot loops of syncml_codec.

The twin of ``syncml_codec/fallback.py``: the same interface, trees, bytes and errors (message and
offset). Token tables, the header, the string table and the SyncML rules come from the shared
pure-Python modules; only the per-byte and per-element work lives here.
"""

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.ref cimport PyObject
from cpython.set cimport PySet_Add, PySet_Contains
from cpython.unicode cimport PyUnicode_AsUTF8AndSize, PyUnicode_DecodeUTF8


cdef extern from "Python.h":
    void PyObject_GC_UnTrack(object container)
    int PyUnicode_KIND(object text)
    void* PyUnicode_DATA(object text)
    int PyUnicode_1BYTE_KIND
from libc.string cimport memchr, memcpy, strcmp
from sys import intern

cimport lxml.includes.etreepublic as lxml_api
from lxml.includes.tree cimport XML_ELEMENT_NODE, const_xmlChar, xmlNode, xmlNs

from syncml_codec.codepages import METINF_NAMESPACE, BoundedCache
from syncml_codec.errors import DecodeError, EncodeError
from syncml_codec.header import read_header, table_bytes
from syncml_codec.limits import DEFAULT_LIMITS, check_size
from syncml_codec.xmlcodec import RESERVED_URIS, XML_NAME, escape_attribute, escape_text
from syncml_codec.xmlcodec import marked, node_attributes, resolve_element, settle
from syncml_codec.xmlcodec import write_xml as shared_write_xml
from syncml_codec.strtable import (
    StringTable,
    finish_document,
    repeated_strings,
    start_document,
    utf8,
)
from syncml_codec.syncml import (
    EMBEDDED_TYPES,
    OPAQUE_PARENTS,
    VOBJECT_TYPES,
    WBXML_NAMESPACE,
    embedded_language,
    is_namespace_uri,
    is_xml_text,
    join_content,
    literal_name,
    literal_tag,
    looks_embedded,
    opaque_value,
    root_language,
    type_for_wbxml,
    type_for_xml,
    xmlns_action,
)

__all__ = ["Element", "decode_wbxml", "encode_wbxml", "read_lxml", "wbxml_to_xml", "write_xml"]

lxml_api.import_lxml__etree()

# WBXML global tokens (WAP-192 section 7.1) and tag flags.
cdef enum:
    SWITCH_PAGE = 0x00
    END = 0x01
    ENTITY = 0x02
    STR_I = 0x03
    LITERAL = 0x04
    EXT_I_0 = 0x40
    EXT_I_2 = 0x42
    PI = 0x43
    LITERAL_C = 0x44
    EXT_T_0 = 0x80
    EXT_T_2 = 0x82
    STR_T = 0x83
    LITERAL_A = 0x84
    EXT_0 = 0xC0
    EXT_2 = 0xC2
    OPAQUE = 0xC3
    LITERAL_AC = 0xC4
    HAS_ATTRIBUTES = 0x80
    HAS_CONTENT = 0x40
    MAX_ENCODE_DEPTH = 1024
    UTF_8_MIB = 0x6A

cdef object _MISSING = object()
cdef frozenset _VOBJECT_TYPES = VOBJECT_TYPES
cdef frozenset _EMBEDDED_TYPES = EMBEDDED_TYPES
cdef frozenset _OPAQUE_PARENTS = OPAQUE_PARENTS


@cython.no_gc
cdef class Element:
    """One node of the neutral element tree (see ``fallback.Element``; same fields and behaviour).

    ``attributes`` and ``children`` are created on first access, so a leaf costs neither a dict
    nor a list. A tree holds no reference cycles, so Elements, and the children lists the
    decoders make, are not tracked by the cycle collector, which would otherwise rescan every
    large tree: a tree made to contain itself is never freed.
    """

    cdef public object tag, namespace, text, tail
    cdef object _attributes, _children

    def __init__(self, tag, namespace=None, attributes=None, text=None, children=None,
                 tail=None):
        self.tag = tag
        self.namespace = namespace
        self._attributes = {} if attributes is None else attributes
        self.text = text
        self._children = [] if children is None else children
        self.tail = tail

    @property
    def attributes(self):
        if self._attributes is None:
            self._attributes = {}
        return self._attributes

    @attributes.setter
    def attributes(self, value):
        self._attributes = value

    @property
    def children(self):
        if self._children is None:
            self._children = []
        return self._children

    @children.setter
    def children(self, value):
        self._children = value

    def __repr__(self):
        return f"<Element {self.tag!r} ns={self.namespace!r} children={len(self)}>"

    def __eq__(self, other):
        try:
            return (
                self.tag == other.tag
                and self.namespace == other.namespace
                and self.text == other.text
                and self.tail == other.tail
                and self.attributes == other.attributes
                and list(self.children) == list(other.children)
            )
        except AttributeError:
            return NotImplemented

    __hash__ = None

    def __iter__(self):
        return iter(self.children)

    def __len__(self):
        return 0 if self._children is None else len(self._children)

    def find(self, tag):
        """The first child named ``tag``, or None."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findtext(self, tag, default=None):
        """The text of the first child named ``tag``, or ``default``."""
        child = self.find(tag)
        return default if child is None or child.text is None else child.text

    def __reduce__(self):
        return (Element, (self.tag, self.namespace, self._attributes, self.text, self.children,
                          self.tail))


cdef inline Element _new_element(object tag, object namespace):
    cdef Element element = Element.__new__(Element)
    element.tag = tag
    element.namespace = namespace
    return element


cdef inline int _append_child(Element parent, object child) except -1:
    """Append to a decoded element's children; the list, made here, is left out of the cycle
    collector like the Elements (it holds nothing but them)."""
    cdef list children
    if parent._children is None:
        children = [child]
        PyObject_GC_UnTrack(children)
        parent._children = children
    else:
        parent._children.append(child)
    return 0


cdef list _NO_CHILDREN = []  # stands for a leaf's children; never modified


cdef inline list _children_of(Element element):
    """The children of an Element as a list, without creating one for a leaf."""
    children = element._children
    if children is None:
        return _NO_CHILDREN
    return children if type(children) is list else list(children)


cdef class _Decoder:
    cdef bytes data
    cdef const unsigned char* buf
    cdef Py_ssize_t size
    cdef object header, language, encoding, root
    cdef bytes table
    cdef dict tag_names, page_namespaces, table_strings
    cdef object default_namespace
    cdef list stack, pages
    cdef bint utf8, type_rewrite, keep_unknown, syncml
    cdef int nul_width, max_depth, base_depth, version, metinf_page, attr_page
    cdef Py_ssize_t max_string, max_opaque
    cdef object limits

    def __init__(self, bytes data, header, limits, str unknown_tags, bint type_rewrite,
                 int depth):
        self.data = data
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
        self.tag_names = dict(self.language.tag_names)
        self.page_namespaces = {page: self.language.page_namespace(page)
                                for page in self.language.pages}
        self.default_namespace = self.language.namespace
        self.table_strings = {}
        self.stack = []
        self.pages = []
        self.root = None
        self.syncml = self.language.family == "syncml"
        self.metinf_page = -1
        if self.syncml:
            for page in self.language.pages:
                if self.language.page_namespace(page) == METINF_NAMESPACE:
                    self.metinf_page = page
        self.attr_page = 0

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
            raise DecodeError(f"inline string longer than max_string {self.max_string}", start - 1)
        try:
            if self.utf8:
                text = PyUnicode_DecodeUTF8(<const char*> self.buf + start, end - start, NULL)
            else:
                text = self.data[start:end].decode(self.encoding)
        except UnicodeDecodeError:
            raise DecodeError(f"inline string is not valid {self.encoding}", start - 1) from None
        pos[0] = end + self.nul_width
        return text

    cdef object table_ref(self, Py_ssize_t* pos, str what):
        cdef Py_ssize_t start = pos[0]
        cdef unsigned long long index = self.mb(pos)
        if index >= <unsigned long long> len(self.table):
            raise DecodeError(f"{what} index {index} outside the string table", start)
        text = self.table_strings.get(index)
        if text is None:
            raw = table_bytes(self.table, index, self.nul_width)
            if len(raw) > self.max_string:
                raise DecodeError(f"string-table entry longer than max_string {self.max_string}",
                                  start)
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError:
                raise DecodeError(f"string-table entry is not valid {self.encoding}",
                                  start) from None
            self.table_strings[index] = text
        return text

    # -- tree building -----------------------------------------------------------------------

    cdef int add_content(self, object value) except -1:
        if not value:
            return 0
        cdef Element element = <Element> self.stack[-1]
        cdef Element last
        if element._children:
            last = <Element> element._children[-1]
            last.tail = join_content(last.tail, value)
        elif element.text is None:
            element.text = value
        else:
            element.text = join_content(element.text, value)
        return 0

    cdef int open(self, Element element, int page, Py_ssize_t offset, bint has_content) except -1:
        if self.root is None:
            self.root = element
        elif self.stack:
            _append_child(<Element> self.stack[-1], element)
        else:
            raise DecodeError("a second root element", offset)
        if has_content:
            if self.base_depth + len(self.stack) + 1 > self.max_depth:
                raise DecodeError(f"elements nested deeper than {self.max_depth}", offset)
            self.stack.append(element)
            self.pages.append(page)
        else:
            self.close(element, page)
        return 0

    cdef int close(self, Element element, int page) except -1:
        if (self.type_rewrite and page == self.metinf_page and element.tag == "Type"
                and isinstance(element.text, str)):
            element.text = type_for_xml(element.text)
        return 0

    cdef object opaque(self, bytes raw):
        cdef Py_ssize_t depth = len(self.stack)
        if depth and self.syncml and (<Element> self.stack[-1]).tag == "Data":
            parent = self.stack[-2] if depth > 1 else None
            grandparent = self.stack[-3] if depth > 2 else None
            # The shared rule, asked only when the bytes or the Meta Type make it plausible.
            if ((PyBytes_GET_SIZE(raw) >= 4 and (<const unsigned char*> PyBytes_AS_STRING(raw))[0]
                    <= 0x03) or _announces_embedded(parent) or _announces_embedded(grandparent)) \
                    and looks_embedded(raw, self.language, parent, grandparent):
                try:
                    return decode_wbxml(raw, limits=self.limits,
                                        unknown_tags="keep" if self.keep_unknown else "error",
                                        type_rewrite=self.type_rewrite,
                                        _depth=self.base_depth + depth)
                except DecodeError:
                    pass  # not a document after all: keep the bytes, as libwbxml does
        if not self.utf8:
            return opaque_value(raw, self.encoding)
        try:  # ``syncml.opaque_value`` for UTF-8, checked in C
            text = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw), NULL)
        except UnicodeDecodeError:
            return raw
        return text if _is_xml_text(text) else raw

    cdef object tag_name(self, int page, int code, Py_ssize_t offset):
        names = self.tag_names.get(page)
        name = names[code] if names is not None else None
        if name is None:
            if not self.keep_unknown:
                raise DecodeError(f"unknown tag {code:#04x} on code page {page}", offset)
            name = f"wbxml-page{page}-{code:#04x}"
        return name

    cdef bytes opaque_bytes(self, Py_ssize_t* pos, Py_ssize_t start):
        if self.version == 0:
            raise DecodeError("OPAQUE does not exist in WBXML 1.0", start)
        cdef unsigned long long length = self.mb(pos)
        if length > <unsigned long long> (self.size - pos[0]):
            raise DecodeError("OPAQUE length runs past the end of the input", start)
        if length > <unsigned long long> self.max_opaque:
            raise DecodeError(f"OPAQUE longer than max_opaque {self.max_opaque}", start)
        cdef bytes raw = PyBytes_FromStringAndSize(<const char*> self.buf + pos[0],
                                                   <Py_ssize_t> length)
        pos[0] += <Py_ssize_t> length
        return raw

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
        name = None
        value = ""
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
                    _set_attribute(element, name, value, literal_element, self.root is None)
                if byte == END:
                    return pos
                if byte == LITERAL:
                    name, value = literal, ""
                else:
                    name, value = self.attribute_start(byte, start)
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
                    value += self.attribute_value(byte, start)
                elif piece is None:
                    raise DecodeError("EXT inside an attribute list", start)
                elif byte == OPAQUE:
                    text = opaque_value(piece, self.encoding)
                    if isinstance(text, bytes):
                        raise DecodeError("binary OPAQUE in an attribute value", start)
                    value += text
                else:
                    value += piece
        raise DecodeError("input ends inside an attribute list", self.size)

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
        cdef Py_ssize_t start
        cdef unsigned char byte
        cdef int page = 0
        cdef Element element
        namespace = self.page_namespaces.get(0, self.default_namespace)
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
            elif byte == END:
                if not self.stack:
                    raise DecodeError("END without an open element", start)
                self.close(<Element> self.stack.pop(), self.pages.pop())
            elif byte == STR_I or byte == STR_T or byte == ENTITY or byte == OPAQUE:
                if byte == STR_I:
                    value = self.termstr(&pos)
                elif byte == STR_T:
                    value = self.table_ref(&pos, "STR_T")
                elif byte == ENTITY:
                    value = self.entity(&pos, start)
                else:
                    value = self.opaque_bytes(&pos, start)
                if not self.stack:
                    raise DecodeError("content outside the root element", start)
                if byte == OPAQUE:
                    value = self.opaque(value)
                    if isinstance(value, Element):
                        _append_child(<Element> self.stack[-1], value)
                        continue
                self.add_content(value)
            elif (EXT_I_0 <= byte <= EXT_I_2 or EXT_T_0 <= byte <= EXT_T_2
                  or EXT_0 <= byte <= EXT_2):
                value = self.extension(byte, &pos)
                if not self.stack:
                    raise DecodeError("extension outside the root element", start)
                element = _new_element("ext", WBXML_NAMESPACE)
                element._attributes = {"token": f"{byte:#04x}"}
                element.text = value or None
                _append_child(<Element> self.stack[-1], element)
            elif byte == PI:
                element = _new_element("pi", WBXML_NAMESPACE)
                pos = self.attributes(element, pos)
                if self.stack:
                    _append_child(<Element> self.stack[-1], element)
            else:
                if byte == LITERAL or byte == LITERAL_A or byte == LITERAL_C or byte == LITERAL_AC:
                    name = self.table_ref(&pos, "LITERAL")
                    if not name:
                        raise DecodeError("LITERAL tag with an empty name", start)
                    name, element_namespace = literal_name(self.language, name, namespace)
                    element = _new_element(name, element_namespace)
                else:
                    element = _new_element(self.tag_name(page, byte & 0x3F, start), namespace)
                if byte & HAS_ATTRIBUTES:
                    pos = self.attributes(element, pos, (byte & 0x3F) == LITERAL)
                self.open(element, page, start, byte & HAS_CONTENT)
        if self.stack:
            raise DecodeError(f"input ends inside <{(<Element> self.stack[-1]).tag}>", self.size)
        if self.root is None:
            raise DecodeError("no root element", self.size)
        return self.root


cdef int _set_attribute(Element element, object name, object value, bint literal,
                        bint root) except -1:
    action = xmlns_action(element, name, value, literal, root)
    if action == "namespace":
        element.namespace = value
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


def decode_wbxml(data, *, language=None, limits=DEFAULT_LIMITS, str unknown_tags="error",
                 bint type_rewrite=True, int _depth=0):
    """Decode a WBXML document into an Element tree."""
    data = bytes(data)
    check_size(data, limits)
    header = _read_header(data, language)
    if header.language is None:
        raise DecodeError(f"unknown public id {header.public_id!r} (pass language=)", 1)
    return _Decoder(data, header, limits, unknown_tags, type_rewrite, _depth).build()


# -- reading lxml trees -----------------------------------------------------------------------

cdef bytes _WBXML_HREF = WBXML_NAMESPACE.encode()


cdef const char* _bound_uri(xmlNode* scope, const char* prefix):
    """The namespace URI ``prefix`` is bound to in ``scope`` (an element), or NULL."""
    cdef xmlNs* declared
    while scope is not NULL and scope.type == XML_ELEMENT_NODE:
        declared = scope.nsDef
        while declared is not NULL:
            if declared.prefix is not NULL and strcmp(<const char*> declared.prefix, prefix) == 0:
                return <const char*> declared.href
            declared = declared.next
        scope = scope.parent
    return NULL


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
    """``xmlcodec.read_lxml`` over libxml2's nodes: the same rules, without a Python proxy per
    node (proxies are made only for the rare nodes the shared rules read: attributes, markers)."""
    cdef lxml_api._Document document
    cdef int max_depth
    cdef Py_ssize_t max_string

    def __cinit__(self, lxml_api._Document document, limits):
        self.document = document
        self.max_depth = limits.max_depth
        self.max_string = limits.max_string

    cdef object proxy(self, xmlNode* node):
        return lxml_api.elementFactory(self.document, node)

    cdef tuple name(self, xmlNode* node, object language):
        """(language, tag, namespace) of an element: ``xmlcodec.resolve_element`` behind a memo
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
        """``xmlcodec.settle``; a run without marked pieces is one text (or None), done here."""
        if type(run) is list:
            return settle(run, element_content, self.max_string)
        if not run or (element_content and not (<str> run).strip(" \t\r\n")):
            return None
        if len(<str> run) > self.max_string:
            raise DecodeError(f"XML: text longer than max_string {self.max_string}", 0)
        return run

    cdef object attributes(self, xmlNode* node, bint top):
        """``xmlcodec.node_attributes`` (None for none): prefixed declarations on ``node`` that its
        parent's scope binds otherwise, then the attributes."""
        cdef xmlNs* declared
        cdef const char* outer
        if top:
            proxy = self.proxy(node)
            return node_attributes(proxy, proxy.nsmap, {})
        attributes = None
        declared = node.nsDef
        while declared is not NULL:
            if declared.prefix is not NULL and strcmp(<const char*> declared.href,
                                                      <const char*> _WBXML_HREF) != 0:
                outer = _bound_uri(node.parent, <const char*> declared.prefix)
                if outer is NULL or strcmp(outer, <const char*> declared.href) != 0:
                    if attributes is None:
                        attributes = {}
                    attributes["xmlns:" + lxml_api.pyunicode(declared.prefix)] = \
                        lxml_api.pyunicode(declared.href)
            declared = declared.next
        if node.properties is not NULL:
            if attributes is None:
                attributes = {}
            attributes.update(self.proxy(node).attrib)
        return attributes

    cdef Element element(self, xmlNode* node, object language, int depth, bint top):
        cdef Element element, child, open_child = None
        cdef xmlNode* source
        if node.type != XML_ELEMENT_NODE:
            raise DecodeError(f"XML: unexpected {type(self.proxy(node)).__name__} node", 0)
        if depth > self.max_depth:
            raise DecodeError(f"XML: elements nested deeper than {self.max_depth}", 0)
        language, tag, namespace = self.name(node, language)
        element = _new_element(tag, namespace)
        element._attributes = self.attributes(node, top)
        # The content before, between and after the children comes in runs (see
        # xmlcodec._Reader): one text, or a list when wbxml:opaque / wbxml:char pieces join it.
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
                    run = (run if type(run) is list else [run]) + [piece, lxml_api.tailOf(source)]
                else:
                    if open_child is None:
                        element.text = self.settle(run, True)
                    else:
                        open_child.tail = self.settle(run, True)
                    child = self.element(source, language, depth + 1, False)
                    _append_child(element, child)
                    open_child = child
                    run = lxml_api.tailOf(source)
            source = source.next
        if open_child is None:
            element.text = self.settle(run, False)
        else:
            open_child.tail = self.settle(run, True)
        return element


def read_lxml(node, language=None, limits=DEFAULT_LIMITS):
    """An lxml element and its subtree as an Element tree (``xmlcodec.read_lxml``, faster)."""
    cdef lxml_api._Element root = node
    return _LxmlReader(root._doc, limits).element(root._c_node, language, 1, True)


# -- encoding ---------------------------------------------------------------------------------

cdef set _repeated_strings(object root):
    """``strtable.repeated_strings`` for trees of this module's Elements, without Python calls per
    node (other trees go through the shared function)."""
    cdef set seen = set()
    cdef set repeated = set()
    cdef list stack = [root]
    cdef Element node
    while stack:
        item = stack.pop()
        if type(item) is not Element:
            return repeated_strings(root)
        node = <Element> item
        _count_string(node.text, seen, repeated)
        _count_string(node.tail, seen, repeated)
        stack.extend(_children_of(node))
    return repeated


cdef inline int _count_string(object value, set seen, set repeated) except -1:
    if type(value) is str and len(<str> value) >= 4:
        if PySet_Contains(seen, value):
            PySet_Add(repeated, value)
        else:
            PySet_Add(seen, value)
    return 0


cdef bint _announces_embedded(object node) except -1:
    """Whether ``node``'s Meta Type (if any) announces an embedded document."""
    if node is None:
        return False
    for child in node.children:
        if child.tag == "Meta":
            for grandchild in child.children:
                if grandchild.tag == "Type":
                    text = grandchild.text
                    return type(text) is str and text.lower() in _EMBEDDED_TYPES
            return False
    return False


cdef bint _is_xml_text(str text):
    """``syncml.is_xml_text``, scanning one-byte strings in C."""
    cdef Py_ssize_t i, n = len(text)
    cdef Py_UCS4 c
    if PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND:
        return is_xml_text(text)
    cdef const unsigned char* chars = <const unsigned char*> PyUnicode_DATA(text)
    for i in range(n):
        c = chars[i]
        if c < 0x20 and c != 0x09 and c != 0x0A and c != 0x0D:
            return False
    return True


cdef int _mb_u_int32(unsigned char* out, unsigned long long value):
    """Write ``value`` as a WBXML mb_u_int32 at ``out`` (room for 5 bytes); the byte count."""
    cdef unsigned char scratch[5]
    cdef int count = 0
    while True:
        scratch[4 - count] = (value & 0x7F) | (0x80 if count else 0)
        count += 1
        value >>= 7
        if not value:
            break
    memcpy(out, &scratch[5 - count], count)
    return count


cdef class _Output:
    """A growing byte buffer in C memory, written by the encoder and the XML stream."""
    cdef char* out  # NULL until the first write
    cdef Py_ssize_t size, capacity

    def __dealloc__(self):
        PyMem_Free(self.out)

    cdef int reserve(self, Py_ssize_t extra) except -1:
        cdef Py_ssize_t needed = self.size + extra
        cdef Py_ssize_t capacity = self.capacity or 4096
        cdef char* grown
        if needed <= self.capacity:
            return 0
        while capacity < needed:
            capacity *= 2
        grown = <char*> PyMem_Realloc(self.out, capacity)
        if grown == NULL:
            raise MemoryError()
        self.out = grown
        self.capacity = capacity
        return 0

    cdef inline int byte(self, unsigned char value) except -1:
        if self.size >= self.capacity:
            self.reserve(1)
        self.out[self.size] = <char> value
        self.size += 1
        return 0

    cdef int write(self, const char* data, Py_ssize_t length) except -1:
        if length == 0:
            return 0
        self.reserve(length)
        memcpy(self.out + self.size, data, length)
        self.size += length
        return 0

    cdef int mb(self, unsigned long long value) except -1:
        cdef unsigned char scratch[5]
        return self.write(<const char*> scratch, _mb_u_int32(scratch, value))


cdef class _Encoder(_Output):
    cdef object language, table, opaque_mode, public_id_mode
    cdef dict type_elements, table_offsets
    cdef set repeated
    cdef dict options, tags_by_namespace, metinf_pages
    cdef int page, version
    cdef bint syncml, type_rewrite, string_table

    def __init__(self, language, dict options):
        self.language = language
        self.options = options
        self.version = options["version"]
        self.opaque_mode = options["opaque_data"]
        self.public_id_mode = options["public_id"]
        self.type_rewrite = options["type_rewrite"]
        self.string_table = options["string_table"]
        self.syncml = language.family == "syncml"
        self.repeated = set()
        self.tags_by_namespace = {}
        self.type_elements = {}
        self.metinf_pages = {}
        self.page = 0

    def document(self, root):
        # A numeric public id (the common case) has its header written here in one allocation;
        # a textual one goes through the shared strtable functions.
        cdef bint numeric = self.public_id_mode == "number" and self.language.public_id is not None
        if numeric:
            self.table = StringTable()
        else:
            self.table, public_id = start_document(self.language, self.public_id_mode)
        self.table_offsets = self.table.offsets
        if self.string_table:
            self.repeated = _repeated_strings(root)
        self.element(root, None, None, 0)
        if numeric:
            return self.numeric_document(self.language.public_id)
        body = PyBytes_FromStringAndSize(self.out, self.size)
        return finish_document(self.version, public_id, self.table, body)

    cdef bytes numeric_document(self, unsigned long long public_id):
        """``strtable.finish_document`` for a numeric public id: version, public id, charset
        UTF-8 (none in WBXML 1.0), string table length and bytes, then the body."""
        cdef unsigned char header[16]
        cdef Py_ssize_t length = 1
        cdef bytes table = bytes(self.table.data)
        header[0] = self.version
        length += _mb_u_int32(header + length, public_id)
        if self.version != 0:
            length += _mb_u_int32(header + length, UTF_8_MIB)
        length += _mb_u_int32(header + length, PyBytes_GET_SIZE(table))
        cdef bytes document = PyBytes_FromStringAndSize(
            NULL, length + PyBytes_GET_SIZE(table) + self.size)
        cdef char* out = PyBytes_AS_STRING(document)
        memcpy(out, header, length)
        memcpy(out + length, PyBytes_AS_STRING(table), PyBytes_GET_SIZE(table))
        memcpy(out + length + PyBytes_GET_SIZE(table), self.out, self.size)
        return document

    cdef object type_element(self, object node):
        """The first Meta's first Type child of ``node`` (cached: ``syncml.DataClassifier``)."""
        key = id(node)
        found = self.type_elements.get(key, _MISSING)
        if found is not _MISSING:
            return found
        found = None
        for child in node.children:
            if child.tag == "Meta":
                for grandchild in child.children:
                    if grandchild.tag == "Type":
                        found = grandchild
                        break
                break
        self.type_elements[key] = found
        return found

    cdef bint data_is_opaque(self, object parent, object grandparent) except -1:
        """``syncml.DataClassifier.is_opaque``, with the lookups in C."""
        element = self.type_element(parent) if parent is not None else None
        if element is None and grandparent is not None:
            element = self.type_element(grandparent)
        if element is not None and type(element.text) is str:
            type_text = element.text
            if type_text in _VOBJECT_TYPES:
                return True
            if type_text.lower() in _EMBEDDED_TYPES:
                return False
        return grandparent is not None and grandparent.tag in _OPAQUE_PARENTS

    cdef bint is_metinf_page(self, int page) except -1:
        found = self.metinf_pages.get(page)
        if found is None:
            found = self.metinf_pages[page] = self.language.page_namespace(page) == METINF_NAMESPACE
        return found

    cdef inline int switch_page(self, int page) except -1:
        if page != self.page:
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
        if self.repeated and text in self.repeated:
            self.byte(STR_T)
            offset = self.table_offsets.get(text)
            return self.mb(self.table.add(text) if offset is None else offset)
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
        cdef int page, token, flags
        cdef bint has_content
        if depth > MAX_ENCODE_DEPTH:
            raise EncodeError(f"tree nested deeper than {MAX_ENCODE_DEPTH}")
        if type(node) is Element:
            fast = <Element> node
            tag, namespace, text = fast.tag, fast.namespace, fast.text
            children, attributes = _children_of(fast), fast._attributes
        else:
            tag, namespace, text = node.tag, node.namespace, node.text
            children, attributes = node.children, node.attributes
        if not isinstance(tag, str) or not tag:
            raise EncodeError(f"element tag must be a non-empty str, not {tag!r}")
        if text is not None and not isinstance(text, (str, bytes, bytearray, memoryview)):
            raise EncodeError(f"content must be str or bytes, not {type(text).__name__}")
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
        has_content = bool(children) or (text is not None and len(text) > 0)
        flags = (HAS_CONTENT if has_content else 0) | (HAS_ATTRIBUTES if attributes else 0)
        if type(children) is not list:
            children = list(children)
        if found is None:
            if namespace is not None and tags is not None:
                # A LITERAL element takes the namespace of the page in force when decoded.
                self.switch_page(self.language.namespace_pages[namespace.lower()])
            page = self.page
            self.byte(LITERAL | flags)
            self.mb(self.table.add(literal_tag(tag, namespace, tags is not None)))
        else:
            page, token = found
            self.switch_page(page)
            self.byte(token | flags)
        if attributes:
            self.attributes(attributes)
        if not has_content:
            return 0
        if text is not None and len(text) > 0:
            as_opaque = False
            if self.syncml:
                if tag == "Data":
                    if self.opaque_mode == "auto":
                        as_opaque = self.data_is_opaque(parent, grandparent)
                    else:
                        as_opaque = self.opaque_mode == "always"
                elif (self.type_rewrite and isinstance(text, str) and tag == "Type"
                      and self.is_metinf_page(page)):
                    text = type_for_wbxml(text)
            self.content(text, as_opaque)
        for child in <list> children:
            self.element(child, node, parent, depth + 1)
            tail = (<Element> child).tail if type(child) is Element else child.tail
            if tail is not None and len(tail) > 0:
                self.content(tail, False)
        return self.byte(END)

    cdef int attributes(self, object attributes) except -1:
        for name, value in attributes.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise EncodeError(f"attribute {name!r} must map a str to a str")
            self.byte(LITERAL)
            self.mb(self.table.add(name))
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
                    return self.mb(self.table.add(text))
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

    def __dealloc__(self):
        PyMem_Free(self.frames)

    cdef int escape_text(self) except -1:
        """Write the pending text escaped as ``xmlcodec.escape_text`` does, and empty it."""
        cdef Py_ssize_t i
        cdef char c
        self.reserve(self.text.size * 5)
        for i in range(self.text.size):
            c = self.text.out[i]
            if c == b"&":
                memcpy(self.out + self.size, b"&amp;", 5)
                self.size += 5
            elif c == b"<":
                memcpy(self.out + self.size, b"&lt;", 4)
                self.size += 4
            elif c == b">":
                memcpy(self.out + self.size, b"&gt;", 4)
                self.size += 4
            elif c == b"\r":
                memcpy(self.out + self.size, b"&#13;", 5)
                self.size += 5
            else:
                self.out[self.size] = c
                self.size += 1
        self.text.size = 0
        return 0

    cdef bint add_text(self, const unsigned char* piece, Py_ssize_t length) except -1:
        """Append a piece of content; False when the tree path must take over: content after a
        child (a tail), outside the root, invalid UTF-8, or characters XML cannot carry."""
        cdef Py_ssize_t i
        cdef bint ascii = True
        if self.depth == 0 or self.frames[self.depth - 1].has_child:
            return length == 0 and self.depth > 0
        for i in range(length):
            if piece[i] >= 0x80:
                ascii = False
            elif piece[i] < 0x20 and piece[i] != 0x09 and piece[i] != 0x0A and piece[i] != 0x0D:
                return False
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
                text = type_for_xml(text)
                rewritten = text.encode("utf-8")
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
                if not self.open(<_Spelling> spelling, page, byte & HAS_CONTENT):
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


# -- XML output ---------------------------------------------------------------------------------

cdef class _FastXMLWriter:
    """``xmlcodec.write_xml`` for the common case, without the interpreter per element: trees
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

    cdef int element(self, object node, object default_ns, str indent) except -1:
        cdef Element element
        cdef list parts = self.parts
        cdef bint has_text, indent_children
        if type(node) is not Element:
            self.ok = False
            return 0
        element = <Element> node
        tag, namespace, text, children = element.tag, element.namespace, element.text, \
            _children_of(element)
        strings = self.tag_strings(tag)
        if element._attributes or element.tail is not None \
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
        for child in <list> children:
            if indent_children:
                parts.append("\n" + inner)
            self.element(child, namespace, inner)
            if not self.ok:
                return 0
        if indent_children:
            parts.append("\n" + indent)
        parts.append(strings[1])
        return 0


def write_xml(root, bint pretty=False):
    """Serialise an element tree as a UTF-8 XML document (``xmlcodec.write_xml``, faster)."""
    cdef _FastXMLWriter writer = _FastXMLWriter(pretty)
    writer.parts.append('<?xml version="1.0" encoding="UTF-8"?>' + ("\n" if pretty else ""))
    writer.element(root, None, "")
    if not writer.ok:
        return shared_write_xml(root, pretty)
    if pretty:
        writer.parts.append("\n")
    return "".join(writer.parts).encode("utf-8")
