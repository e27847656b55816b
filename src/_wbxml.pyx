# cython: language_level=3, cdivision=True
"""Compiled WBXML tree builder and serializer: the hot loops of syncml_codec.

The twin of ``syncml_codec/fallback.py``: the same interface, trees, bytes and errors (message and
offset). Token tables, the header, the string table and the SyncML rules come from the shared
pure-Python modules; only the per-byte and per-element work lives here.

Sections: the Element; decoding WBXML into a tree; reading lxml trees; encoding a tree as WBXML;
WBXML straight to XML (a stream, no tree); XML straight to WBXML (a scanner, no tree); writing a
tree as XML. The two streams take the common documents and give up on the rest, which then
takes the tree path, so their output is always the tree path's.
"""

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.tuple cimport PyTuple_New
from cpython.object cimport PyTypeObject
from cpython.ref cimport Py_INCREF, Py_XDECREF, PyObject
from cpython.unicode cimport PyUnicode_AsUTF8AndSize, PyUnicode_DecodeUTF8


cdef extern from "Python.h":
    void PyObject_GC_UnTrack(object container)
    void _tuple_set_item "PyTuple_SET_ITEM" (tuple target, Py_ssize_t index, PyObject* item)
    PyObject** PySequence_Fast_ITEMS(object sequence)
    Py_ssize_t PySequence_Fast_GET_SIZE(object sequence)
    int PyGC_Disable()
    int PyGC_Enable()
    int PyUnicode_KIND(object text)
    void* PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    int PyUnicode_1BYTE_KIND
from libc.stdint cimport uint32_t, uint64_t, uintptr_t
from libc.string cimport memchr, memcmp, memcpy, memmove, memset, strcmp, strlen, strncmp
from sys import intern

cimport lxml.includes.etreepublic as lxml_api
from lxml.includes.tree cimport XML_ELEMENT_NODE, const_xmlChar, xmlNode, xmlNs

from syncml_codec.codepages import (
    METINF_NAMESPACE,
    BoundedCache,
    language_for_namespace,
    language_for_public_id,
)
from syncml_codec.errors import DecodeError, EncodeError
from syncml_codec.header import read_header, table_bytes
from syncml_codec.limits import DEFAULT_LIMITS, check_size
from syncml_codec.xmlcodec import RESERVED_URIS, XML_NAME, escape_attribute, escape_text
from syncml_codec.xmlcodec import marked, node_attributes, parse_xml, resolve_element, settle
from syncml_codec.xmlcodec import write_xml as shared_write_xml
from syncml_codec.strtable import (
    SharedStrings,
    finish_document,
    start_document,
    utf8,
)
from syncml_codec.syncml import (
    EMBEDDED_TYPES,
    OPAQUE_PARENTS,
    VOBJECT_TYPES,
    WBXML_NAMESPACE,
    WBXML_SPELLINGS,
    XML_SPELLINGS,
    embedded_language,
    is_namespace_uri,
    is_xml_text,
    join_run,
    literal_name,
    literal_tag,
    looks_embedded,
    opaque_value,
    root_language,
    type_for_wbxml,
    type_for_xml,
    xmlns_action,
)

__all__ = ["Element", "decode_wbxml", "encode_wbxml", "read_lxml", "set_element_reserve",
           "wbxml_to_xml", "write_xml", "xml_to_wbxml"]

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
    MAX_ENCODE_DEPTH = 512  # limits.MAX_ENCODE_DEPTH
    RECENT_TEXT_MAX_SLOTS = 256  # _Decoder.recent_texts: 16 to this, a power of two
    RECENT_TEXT_MAX_LENGTH = 32
    UTF_8_MIB = 0x6A

cdef object _MISSING = object()
cdef frozenset _VOBJECT_TYPES = VOBJECT_TYPES
cdef frozenset _EMBEDDED_TYPES = EMBEDDED_TYPES
cdef frozenset _OPAQUE_PARENTS = OPAQUE_PARENTS
cdef dict _WBXML_SPELLINGS = WBXML_SPELLINGS
cdef dict _XML_SPELLINGS = XML_SPELLINGS


# -- the Element -------------------------------------------------------------------------------

@cython.no_gc
@cython.final
cdef class _Name:
    """A tag and its namespace, one object shared by the elements so named (see ``_name_for``),
    with the WBXML token the encoder last found for them, in ``tokens_language``."""
    cdef readonly object tag, namespace
    cdef object tokens_language  # None: no token known
    cdef int page, token, rules


cdef enum:
    _NAME_SLOTS = 512  # a power of two
    _NAMES_KEPT = 4096  # at most so many in _names: more tags than that are not worth sharing

cdef PyObject* _recent_names[_NAME_SLOTS]  # _Name by the identity of its strings (owned)
cdef dict _names = {}  # (tag, namespace) -> _Name


cdef _Name _name_for(object tag, object namespace):
    """The shared _Name of ``tag`` in ``namespace``: found by the identity of the two strings
    (the code pages and decoders reuse them), else by their values. Names that are not plain
    strings (which the encoders refuse) get a _Name of their own, holding them as given."""
    cdef size_t key = (<size_t> <PyObject*> tag) ^ ((<size_t> <PyObject*> namespace) >> 3)
    cdef size_t index = ((key >> 4) ^ (key >> 13)) & (_NAME_SLOTS - 1)
    cdef _Name name
    if _recent_names[index] != NULL:
        name = <_Name> _recent_names[index]
        if name.tag is tag and name.namespace is namespace:
            return name
    cdef bint plain = type(tag) is str and (namespace is None or type(namespace) is str)
    name = _names.get((tag, namespace)) if plain else None
    if name is None:
        name = _Name.__new__(_Name)
        name.tag, name.namespace = tag, namespace
        if plain and len(_names) < _NAMES_KEPT:
            _names[(tag, namespace)] = name
    Py_INCREF(name)
    Py_XDECREF(_recent_names[index])
    _recent_names[index] = <PyObject*> name
    return name


cdef _Name _NO_NAME = _name_for(None, None)  # an Element made by __new__ alone


@cython.no_gc
@cython.final
cdef class _RareFields:
    """Everything an Element holds, for the few elements whose content does not fit its one
    ``_content`` field: attributes, a tail, or both text and children (see ``Element``)."""
    cdef object text, children, attributes, tail


@cython.no_gc
cdef class Element:
    """One node of the neutral element tree (see ``fallback.Element``; same fields and behaviour).

    An Element is 32 bytes: ``_name`` (a _Name shared by the elements of the same tag and
    namespace) and ``_content``, which holds what a SyncML element has: nothing (None), its text
    (a ``str``), or its children (a tuple or a list, or the one child itself, as the WBXML
    decoder leaves an only child); anything else (attributes, a tail, text and children both, a
    text that is not a ``str``, children of another type) moves the content into a _RareFields.
    ``attributes`` and ``children`` are created on first access; the WBXML decoder keeps an
    element's children in a tuple (one allocation, no spare room) until ``children`` is first
    read, which makes it the list. A tree holds no reference
    cycles, so Elements, and the children tuples and lists of decoded trees, are not tracked by
    the cycle collector, which would otherwise rescan every large tree: a tree made to contain
    itself is never freed.
    """

    cdef _Name _name
    cdef object _content

    def __init__(self, tag, namespace=None, attributes=None, text=None, children=None,
                 tail=None):
        self._name = _name_for(tag, namespace)
        self._content = None
        _set_text(self, text)
        if children is not None:
            _set_children(self, children)
        if attributes is not None or tail is not None:
            rare = _rare_fields(self)
            rare.attributes, rare.tail = attributes, tail

    @property
    def tag(self):
        return _tag(self)

    @tag.setter
    def tag(self, value):
        self._name = _name_for(value, _namespace(self))

    @property
    def namespace(self):
        return _namespace(self)

    @namespace.setter
    def namespace(self, value):
        self._name = _name_for(_tag(self), value)

    @property
    def text(self):
        return _text_of(self)

    @text.setter
    def text(self, value):
        _set_text(self, value)

    @property
    def attributes(self):
        cdef _RareFields rare = _rare_fields(self)
        if rare.attributes is None:
            rare.attributes = {}
        return rare.attributes

    @attributes.setter
    def attributes(self, value):
        _rare_fields(self).attributes = value

    @property
    def tail(self):
        return _tail_of(self)

    @tail.setter
    def tail(self, value):
        _set_tail(self, value)

    @property
    def children(self):
        children = _raw_children(self)
        if children is None:
            children = []
        elif type(children) is tuple:  # as the decoder leaves children: the list is made now
            children = _untracked_list(children)
        else:
            return children
        _set_children(self, children)
        return children

    @children.setter
    def children(self, value):
        _set_children(self, value)

    def __repr__(self):
        return f"<Element {_tag(self)!r} ns={_namespace(self)!r} children={len(self)}>"

    def __eq__(self, other):
        try:
            return (
                _tag(self) == other.tag
                and _namespace(self) == other.namespace
                and _text_of(self) == other.text
                and _tail_of(self) == other.tail
                and (_attributes_of(self) or {}) == (_attributes_any(other) or {})
                and list(_children_of(self)) == list(_children_any(other))
            )
        except AttributeError:
            return NotImplemented

    __hash__ = None

    def __iter__(self):
        return iter(_children_of(self))

    def __len__(self):
        if type(self._content) is Element:
            return 1
        children = _raw_children(self)
        return 0 if children is None else len(children)

    def find(self, tag):
        """The first child named ``tag``, or None."""
        for child in _children_of(self):
            if _tag_of(child) == tag:
                return child
        return None

    def findtext(self, tag, default=None):
        """The text of the first child named ``tag``, or ``default``."""
        child = self.find(tag)
        return default if child is None or child.text is None else child.text

    def __reduce__(self):
        return (Element, (_tag(self), _namespace(self), _attributes_of(self), _text_of(self),
                          self.children, _tail_of(self)))


cdef inline object _tag(Element element):
    return (_NO_NAME if element._name is None else element._name).tag


cdef inline object _namespace(Element element):
    return (_NO_NAME if element._name is None else element._name).namespace


cdef inline bint _is_sequence(object value):
    return type(value) is tuple or type(value) is list


cdef _RareFields _rare_fields(Element element):
    """The element's _RareFields, made now (taking over its content) if it has none."""
    cdef _RareFields rare
    content = element._content
    if type(content) is _RareFields:
        return <_RareFields> content
    rare = _RareFields.__new__(_RareFields)
    if type(content) is str:
        rare.text = content
    elif type(content) is Element:
        rare.children = (content,)
    else:
        rare.children = content
    element._content = rare
    return rare


cdef inline object _text_of(Element element):
    content = element._content
    if type(content) is str:
        return content
    return (<_RareFields> content).text if type(content) is _RareFields else None


cdef int _set_text(Element element, object text) except -1:
    content = element._content
    if type(content) is _RareFields:
        (<_RareFields> content).text = text
    elif content is None or type(content) is str:
        if text is None or type(text) is str:
            element._content = text
        else:
            _rare_fields(element).text = text
    elif text is not None:  # beside children
        _rare_fields(element).text = text
    return 0


cdef inline object _raw_children(Element element):
    """The element's children as held: None (none), a tuple, a list or what was assigned (an
    only child held alone comes in a tuple made now)."""
    content = element._content
    if _is_sequence(content):
        return content
    if type(content) is Element:
        return (content,)
    return (<_RareFields> content).children if type(content) is _RareFields else None


cdef int _set_children(Element element, object children) except -1:
    content = element._content
    if type(content) is _RareFields:
        (<_RareFields> content).children = children
    elif type(content) is str:
        if children is not None:  # beside the text
            _rare_fields(element).children = children
    elif children is None or _is_sequence(children):
        element._content = children
    else:
        _rare_fields(element).children = children
    return 0


cdef inline object _attributes_of(Element element):
    """The element's attributes dict, or None (without making one)."""
    content = element._content
    return (<_RareFields> content).attributes if type(content) is _RareFields else None


cdef inline object _tail_of(Element element):
    content = element._content
    return (<_RareFields> content).tail if type(content) is _RareFields else None


cdef inline int _set_tail(Element element, object tail) except -1:
    if tail is not None or type(element._content) is _RareFields:
        _rare_fields(element).tail = tail
    return 0


cdef inline object _attributes_any(object node):
    """The attributes of any element node, without making a dict for a compiled Element."""
    return _attributes_of(<Element> node) if type(node) is Element else node.attributes


cdef inline Element _new_element(_Name name):
    cdef Element element = Element.__new__(Element)
    element._name = name
    return element


cdef list _untracked_list(object items):
    """A list of ``items`` left out of the cycle collector like the Elements (a decoded tree's
    lists hold nothing but them)."""
    cdef list made = list(items)
    PyObject_GC_UnTrack(made)
    return made


cdef inline int _append_child(Element parent, object child) except -1:
    """Append to a decoded element's children (a list made here, see _untracked_list)."""
    children = _raw_children(parent)
    if type(children) is list:
        children.append(child)
    else:
        _set_children(parent, _untracked_list((*_children_of(parent), child)))
    return 0


cdef tuple _NO_CHILDREN = ()  # stands for a leaf's children


cdef inline object _children_of(Element element):
    """The children of an Element as a list or tuple, without making one for a leaf."""
    children = _raw_children(element)
    if children is None:
        return _NO_CHILDREN
    return children if _is_sequence(children) else list(children)


cdef inline object _tag_of(object node):
    return _tag(<Element> node) if type(node) is Element else node.tag


cdef inline object _children_any(object node):
    return _children_of(<Element> node) if type(node) is Element else node.children


# -- the reserve of freed Elements ---------------------------------------------------------------

cdef extern from *:
    """
    /* The reserve is off where the GIL does not guard it, and in AddressSanitizer builds,
       which must see every Element allocated and freed. */
    #if defined(__has_feature)
    #  if __has_feature(address_sanitizer)
    #    define _SYNCML_NO_RESERVE 1
    #  endif
    #endif
    #if defined(Py_GIL_DISABLED) || defined(__SANITIZE_ADDRESS__)
    #  define _SYNCML_NO_RESERVE 1
    #endif
    #ifdef _SYNCML_NO_RESERVE
    #  define _SYNCML_RESERVE_ON 0
    #else
    #  define _SYNCML_RESERVE_ON 1
    #endif
    #define _syncml_set_allocator(type, alloc, release) \
        ((type)->tp_alloc = (alloc), (type)->tp_free = (release))
    """
    bint _RESERVE_ON "_SYNCML_RESERVE_ON"
    ctypedef PyObject* (*_AllocFunction)(PyTypeObject*, Py_ssize_t) noexcept
    ctypedef void (*_FreeFunction)(void*) noexcept
    void _set_allocator "_syncml_set_allocator" (PyTypeObject* type, _AllocFunction alloc,
                                                 _FreeFunction release)


cdef extern from "Python.h":
    int PyTraceMalloc_Track(unsigned int domain, uintptr_t block, size_t size)
    int PyTraceMalloc_Untrack(unsigned int domain, uintptr_t block)
    PyObject* PyType_GenericAlloc(PyTypeObject* type, Py_ssize_t items)
    PyObject* _init_object "PyObject_Init" (PyObject* block, PyTypeObject* type)
    PyTypeObject* _type_of "Py_TYPE" (void* block)
    bint PyType_IS_GC(PyTypeObject* type)
    void PyObject_Free(void* block)
    void PyObject_GC_Del(void* block)


DEF DEFAULT_ELEMENT_RESERVE = 16 * 1024 * 1024  # bytes; api.set_element_reserve

cdef PyTypeObject* _ELEMENT_TYPE = <PyTypeObject*> Element
cdef size_t _ELEMENT_SIZE = _ELEMENT_TYPE.tp_basicsize
cdef void* _reserve = NULL  # freed Elements, each block's first word linking to the next
cdef Py_ssize_t _reserve_count = 0
cdef Py_ssize_t _reserve_limit = DEFAULT_ELEMENT_RESERVE // _ELEMENT_SIZE if _RESERVE_ON else 0


cdef PyObject* _element_alloc(PyTypeObject* type, Py_ssize_t items) noexcept:
    """Element's tp_alloc: a block from the reserve, else Python's allocator."""
    global _reserve, _reserve_count
    cdef void* block = _reserve
    if block == NULL or type != _ELEMENT_TYPE or items != 0:
        return PyType_GenericAlloc(type, items)
    _reserve = (<void**> block)[0]
    _reserve_count -= 1
    memset(block, 0, _ELEMENT_SIZE)
    PyTraceMalloc_Track(0, <uintptr_t> block, _ELEMENT_SIZE)  # as Python's allocator would
    return _init_object(<PyObject*> block, type)


cdef void _element_free(void* block) noexcept:
    """Element's tp_free: the block joins the reserve while it has room (a subclass's never)."""
    global _reserve, _reserve_count
    cdef PyTypeObject* type = _type_of(block)
    if type == _ELEMENT_TYPE and _reserve_count < _reserve_limit:
        PyTraceMalloc_Untrack(0, <uintptr_t> block)
        (<void**> block)[0] = _reserve
        _reserve = block
        _reserve_count += 1
    elif PyType_IS_GC(type):  # a subclass with a __dict__
        PyObject_GC_Del(block)
    else:
        PyObject_Free(block)


def set_element_reserve(Py_ssize_t max_bytes):
    """Keep at most ``max_bytes`` of freed Elements for the next trees (``api.set_element_reserve``);
    the previous limit."""
    global _reserve, _reserve_count, _reserve_limit
    cdef void* block
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    previous = _reserve_limit * _ELEMENT_SIZE
    _reserve_limit = max_bytes // _ELEMENT_SIZE if _RESERVE_ON else 0
    while _reserve_count > _reserve_limit:
        block = _reserve
        _reserve = (<void**> block)[0]
        _reserve_count -= 1
        PyObject_Free(block)
    return previous


if _RESERVE_ON:
    _set_allocator(_ELEMENT_TYPE, _element_alloc, _element_free)


# -- decoding WBXML ----------------------------------------------------------------------------

cdef struct _OpenElement:
    Py_ssize_t first  # where its children start in ``_Decoder.pending``
    Py_ssize_t seen  # how far the Data rules looked through them for a Meta (in ``pending``)
    Py_ssize_t meta_seen  # ... through that Meta's children (in ``pending`` while it is open)
    PyObject* meta  # its first Meta child (borrowed: ``pending`` holds it), or NULL
    PyObject* found  # that Meta's first Type child, or NULL


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
        cdef _LanguageTables tables = _language_tables.get(self.language)
        if tables is None:
            tables = _language_tables.remember(self.language, _LanguageTables(self.language))
        self.names = tables.names
        self.page_namespaces = tables.page_namespaces
        self.metinf_page = tables.metinf_page
        self.syncml = tables.syncml
        self.default_namespace = self.language.namespace
        self.table_strings = {}
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
        """Content for the open element: its text, or its last child's tail. A second piece
        for the same place starts a run, joined once when it ends (``flush_run``), so many
        pieces cost linear time."""
        if not value:
            return 0
        cdef Element target = <Element> self.stack[-1]
        cdef bint is_tail = self.pending_count > self.levels[len(self.stack) - 1].first
        if is_tail:
            target = <Element> self.pending[self.pending_count - 1]
        if self.run is not None and self.run_target is target and self.run_is_tail == is_tail:
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
                raise DecodeError(f"elements nested deeper than {self.max_depth}", offset)
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
                if looks_embedded(raw, self.language, type_text):
                    try:
                        return decode_wbxml(raw, limits=self.limits,
                                            unknown_tags="keep" if self.keep_unknown else "error",
                                            type_rewrite=self.type_rewrite,
                                            _depth=self.base_depth + depth)
                    except DecodeError:
                        pass  # not a document after all: keep the bytes, as libwbxml does
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
            raise DecodeError(f"OPAQUE longer than max_opaque {self.max_opaque}", start)
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
                    _set_attribute(element, name, "".join(value), literal_element,
                                   self.root is None)
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
                self.close(self.pop(), self.pages.pop())
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
                self.add_content(value)
            elif (EXT_I_0 <= byte <= EXT_I_2 or EXT_T_0 <= byte <= EXT_T_2
                  or EXT_0 <= byte <= EXT_2):
                value = self.extension(byte, &pos)
                if not self.stack:
                    raise DecodeError("extension outside the root element", start)
                element = _new_element(_name_for("ext", WBXML_NAMESPACE))
                _rare_fields(element).attributes = {"token": f"{byte:#04x}"}
                _set_text(element, value or None)
                self.append(element)
            elif byte == PI:
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
                    element = _new_element(_name_for(name, element_namespace))
                else:
                    element = _new_element(self.tag_name(names, page, byte & 0x3F, start))
                if byte & HAS_ATTRIBUTES:
                    pos = self.attributes(element, pos, (byte & 0x3F) == LITERAL)
                self.open(element, page, start, byte & HAS_CONTENT)
        if self.stack:
            raise DecodeError(f"input ends inside <{_tag(<Element> self.stack[-1])}>", self.size)
        if self.root is None:
            raise DecodeError("no root element", self.size)
        return self.root


cdef int _set_attribute(Element element, object name, object value, bint literal,
                        bint root) except -1:
    action = xmlns_action(element, name, value, literal, root)
    if action == "namespace":
        element._name = _name_for(_tag(element), value)
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
    if len(<bytes> data) > limits.max_size:
        check_size(data, limits)  # raises
    header = _read_header(data, language)
    if header.language is None:
        raise DecodeError(f"unknown public id {header.public_id!r} (pass language=)", 1)
    cdef int collecting = PyGC_Disable()  # see fallback._collector_paused
    try:
        return _Decoder(data, header, limits, unknown_tags, type_rewrite, _depth).build()
    finally:
        if collecting:
            PyGC_Enable()


# -- reading lxml trees ------------------------------------------------------------------------

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
        element = _new_element(_name_for(tag, namespace))
        attributes = self.attributes(node, top)
        if attributes is not None:
            _rare_fields(element).attributes = attributes
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
                    if type(run) is not list:
                        run = [run]
                    (<list> run).append(piece)
                    (<list> run).append(lxml_api.tailOf(source))
                else:
                    if open_child is None:
                        _set_text(element, self.settle(run, True))
                    else:
                        _set_tail(open_child, self.settle(run, True))
                    child = self.element(source, language, depth + 1, False)
                    _append_child(element, child)
                    open_child = child
                    run = lxml_api.tailOf(source)
            source = source.next
        if open_child is None:
            _set_text(element, self.settle(run, False))
        else:
            _set_tail(open_child, self.settle(run, True))
        return element


def read_lxml(node, language=None, limits=DEFAULT_LIMITS):
    """An lxml element and its subtree as an Element tree (``xmlcodec.read_lxml``, faster)."""
    cdef lxml_api._Element root = node
    cdef int collecting = PyGC_Disable()  # see fallback._collector_paused
    try:
        return _LxmlReader(root._doc, limits).element(root._c_node, language, 1, True)
    finally:
        if collecting:
            PyGC_Enable()


# -- encoding ----------------------------------------------------------------------------------

cdef PyObject* _first_child_named(PyObject** children, Py_ssize_t end, Py_ssize_t* seen,
                                  str tag):
    """The first Element of ``children[seen[0]:end]`` named ``tag`` (borrowed; NULL if none);
    ``seen[0]`` moves past the children looked at."""
    cdef Py_ssize_t position
    for position in range(seen[0], end):
        child = <object> children[position]
        if type(child) is Element and _tag(<Element> child) == tag:
            seen[0] = position + 1
            return children[position]
    seen[0] = end
    return NULL


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


cdef bytes _numeric_document(int version, unsigned long long public_id, bytes table,
                             const char* body, Py_ssize_t body_size):
    """``strtable.finish_document`` for a numeric public id: version, public id, charset UTF-8
    (none in WBXML 1.0), string table length and bytes, then the body."""
    cdef unsigned char header[16]
    cdef Py_ssize_t length = 1
    header[0] = version
    length += _mb_u_int32(header + length, public_id)
    if version != 0:
        length += _mb_u_int32(header + length, UTF_8_MIB)
    length += _mb_u_int32(header + length, PyBytes_GET_SIZE(table))
    cdef bytes document = PyBytes_FromStringAndSize(
        NULL, length + PyBytes_GET_SIZE(table) + body_size)
    cdef char* out = PyBytes_AS_STRING(document)
    memcpy(out, header, length)
    memcpy(out + length, PyBytes_AS_STRING(table), PyBytes_GET_SIZE(table))
    memcpy(out + length + PyBytes_GET_SIZE(table), body, body_size)
    return document


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


cdef class _StringTable(_Output):
    """``strtable.StringTable`` in C memory: each string stored once (UTF-8, NUL), in first-use
    order."""
    cdef dict offsets  # string -> its offset

    @staticmethod
    cdef _StringTable new():
        """An empty table (made without ``__cinit__``, whose argument check UBSan faults)."""
        cdef _StringTable table = _StringTable.__new__(_StringTable)
        table.offsets = {}
        return table

    cdef Py_ssize_t add(self, str text) except -1:
        """The offset of ``text``, appending it on first use."""
        cdef Py_ssize_t offset
        found = self.offsets.get(text)
        if found is not None:
            return found
        offset = self.offsets[text] = self.append(text)
        return offset

    cdef Py_ssize_t append(self, str text) except -1:
        """Append ``text`` without looking for it first (the caller knows it is not there) and
        without remembering its offset; the offset."""
        cdef Py_ssize_t length, offset
        cdef const char* data
        try:
            data = PyUnicode_AsUTF8AndSize(text, &length)
        except UnicodeEncodeError:
            raise EncodeError("text holds a lone surrogate: it has no UTF-8 form") from None
        offset = self.size
        self.write(data, length)
        self.byte(0)
        return offset


cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define _syncml_prefetch(address) __builtin_prefetch(address)
    #else
    #define _syncml_prefetch(address) ((void) 0)
    #endif
    """
    void _prefetch "_syncml_prefetch" (const void* address)


cdef struct _Site:
    Py_ssize_t position  # where an inline string (STR_I, UTF-8, NUL) starts in the body
    Py_ssize_t length  # its length in bytes
    Py_ssize_t first  # the first site holding an equal string (itself for a first use)
    uint32_t hash  # 32 bits of the string's hash


cdef Py_ssize_t _SHARED_MIN_LENGTH = SharedStrings.MIN_LENGTH
cdef enum:
    PROBES_AHEAD = 8  # _SharedStrings.resolve fetches the slots of the sites this far ahead


cdef inline bint _same_text(PyObject* first, PyObject* second) except -1:
    """Whether two strs are equal, reading neither when they are one object (the compiled
    decoder gives repeated short texts one object, and a large tree's strings are far apart)."""
    return first == second or (<str> first) == (<str> second)


cdef class _SharedStrings:
    """The string table's candidates, gathered while the body is written (one pass): where each
    inline string of four or more characters was written, and the string. ``share`` then moves
    the strings written twice or more to the table and replaces their inline copies with
    references (``strtable.SharedStrings`` does the same in Python).

    Writing a string only notes it (its hash is at hand: the encoder just read the string).
    Equal strings are found afterwards, all at once, through an open-addressing table of
    8-byte slots (32 bits of the hash, the first site + 1), so a probe reads no string but an
    equal one; in a large document the table outgrows the caches, and probing the sites in one
    loop, each slot fetched a few sites ahead, keeps the cache misses from queueing up."""

    cdef list texts  # the string written at each site
    cdef _Site* sites
    cdef Py_ssize_t site_count, site_capacity

    @staticmethod
    cdef _SharedStrings new():
        """An empty set of candidates (made without ``__cinit__``, as ``_StringTable.new``)."""
        cdef _SharedStrings shared = _SharedStrings.__new__(_SharedStrings)
        shared.texts = []
        return shared

    def __dealloc__(self):
        PyMem_Free(self.sites)

    cdef int record(self, str text, Py_ssize_t position, Py_ssize_t length) except -1:
        """Note that ``text`` is written inline at ``position`` (``length`` bytes)."""
        cdef _Site* grown
        if self.site_count == self.site_capacity:
            if self.site_count >= 0x7FFFFFFF:
                raise MemoryError("more strings than the string table can count")
            self.site_capacity = self.site_capacity * 2 or 256
            grown = <_Site*> PyMem_Realloc(self.sites, self.site_capacity * sizeof(_Site))
            if grown == NULL:
                raise MemoryError()
            self.sites = grown
        self.sites[self.site_count] = _Site(position, length, self.site_count,
                                            <uint32_t> hash(text))
        self.site_count += 1
        self.texts.append(text)
        return 0

    cdef bint resolve(self) except -1:
        """Point each site at the first site holding an equal string; whether any string is
        written twice or more."""
        cdef uint32_t mask = 15, index, held
        cdef uint32_t* slots
        cdef Py_ssize_t site
        cdef bint repeated = False
        cdef PyObject** texts = PySequence_Fast_ITEMS(self.texts)  # borrowed: no reference counts
        while mask < 0xFFFFFFFF and mask // 2 < self.site_count:  # at most half full
            mask = mask * 2 + 1
        slots = <uint32_t*> PyMem_Calloc(2 * (<size_t> mask + 1), sizeof(uint32_t))
        if slots == NULL:
            raise MemoryError()
        try:
            for site in range(self.site_count):
                if site + PROBES_AHEAD < self.site_count:
                    _prefetch(&slots[2 * (self.sites[site + PROBES_AHEAD].hash & mask)])
                index = self.sites[site].hash & mask
                while True:
                    held = slots[2 * index + 1]
                    if held == 0:
                        slots[2 * index] = self.sites[site].hash
                        slots[2 * index + 1] = <uint32_t> (site + 1)
                        break
                    if slots[2 * index] == self.sites[site].hash \
                            and _same_text(texts[held - 1], texts[site]):
                        self.sites[site].first = held - 1
                        repeated = True
                        break
                    index = (index + 1) & mask
        finally:
            PyMem_Free(slots)
        return repeated

    cdef int share(self, _Output body, _StringTable table) except -1:
        """Move every string written twice or more to ``table`` (in order of first use) and
        replace its inline copies in ``body`` with references, in place: a reference (STR_T and
        at most five bytes of offset) is never longer than the string it replaces (STR_I, four
        or more characters, NUL)."""
        cdef Py_ssize_t site, piece, read = 0, written = 0
        cdef Py_ssize_t* offsets  # per site: the table offset of its string, or -1
        cdef _Site* at
        if not self.resolve():
            return 0
        offsets = <Py_ssize_t*> PyMem_Malloc(self.site_count * sizeof(Py_ssize_t))
        if offsets == NULL:
            raise MemoryError()
        try:
            for site in range(self.site_count):  # mark the first uses of repeated strings
                offsets[site] = -1
            for site in range(self.site_count):
                if self.sites[site].first != site:
                    offsets[self.sites[site].first] = 0
            for site in range(self.site_count):
                at = &self.sites[site]
                if at.first == site:
                    if offsets[site] < 0:
                        continue  # written once: stays inline
                    # Distinct strings: only the few the table already holds (the textual
                    # public id, literal names) need a look-up.
                    offsets[site] = table.add(self.texts[site]) if table.offsets \
                        else table.append(self.texts[site])
                elif offsets[at.first] < 0:
                    continue
                piece = at.position - read
                memmove(body.out + written, body.out + read, piece)
                written += piece
                body.out[written] = <char> STR_T
                written += 1 + _mb_u_int32(<unsigned char*> body.out + written + 1,
                                           offsets[at.first])
                read = at.position + at.length
            memmove(body.out + written, body.out + read, body.size - read)
            body.size = written + body.size - read
        finally:
            PyMem_Free(offsets)
        return 0


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
        self.table = _StringTable.new()
        self.tags_by_namespace = {}
        self.type_elements = {}
        self.metinf_pages = {}
        self.page = 0

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
        if numeric:
            return _numeric_document(self.version, self.language.public_id, table_data,
                                     self.out, self.size)
        body = PyBytes_FromStringAndSize(self.out, self.size)
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
                name.tokens_language = self.language
                name.page, name.token, name.rules = page, token, rules
        if type(children) is not list and type(children) is not tuple:
            children = list(children)
        has_content = PySequence_Fast_GET_SIZE(children) > 0 or only_child is not None
        has_content = has_content or (text is not None and len(text) > 0)
        flags = (HAS_CONTENT if has_content else 0) | (HAS_ATTRIBUTES if attributes else 0)
        if token < 0:
            self.byte(LITERAL | flags)
            self.mb(self.table.add(literal_tag(tag, namespace, tags is not None)))
        else:
            self.switch_page(page)
            self.byte(token | flags)
        if attributes:
            self.attributes(attributes)
        if not has_content:
            return 0
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
        """A child element and its tail."""
        self.element(node, parent, grandparent, depth)
        tail = _tail_of(<Element> node) if type(node) is Element else node.tail
        if tail is not None and len(tail) > 0:
            self.content(tail, False)
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


# -- WBXML straight to XML ---------------------------------------------------------------------

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

    def __dealloc__(self):
        PyMem_Free(self.frames)

    cdef int escape_text(self) except -1:
        """Write the pending text escaped as ``xmlcodec.escape_text`` does, and empty it: runs
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


# -- XML straight to WBXML ---------------------------------------------------------------------

# What the scanner must look at in character data: controls (but tab and newline), "<", "&",
# "]" (for "]]>"), carriage return (line ends are normalised) and every non-ASCII byte.
cdef unsigned char _TEXT_STOP[256]
# ASCII name characters: 1 may start a name, 2 only continue one ([A-Za-z_][A-Za-z0-9_.-]*).
cdef unsigned char _NAME_CHAR[256]


cdef void _fill_tables():
    cdef int c
    for c in range(256):
        _TEXT_STOP[c] = (c < 0x20 and c != 0x09 and c != 0x0A) or c >= 0x80 or c in b"<&]\r"
        _NAME_CHAR[c] = 0
    for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
        _NAME_CHAR[c] = 1
    _NAME_CHAR[c'_'] = 1
    for c in b"0123456789.-":
        _NAME_CHAR[c] = 2


_fill_tables()


cdef inline bint _is_space(unsigned char c):
    return c == 0x20 or c == 0x0A or c == 0x09 or c == 0x0D


cdef Py_ssize_t _xml_char_length(const unsigned char* p, Py_ssize_t available):
    """The length of the UTF-8 sequence at ``p`` if it is a character XML 1.0 allows (a valid,
    shortest encoding of a scalar value other than U+FFFE and U+FFFF), else 0."""
    cdef unsigned char c = p[0]
    if c < 0xC2 or c > 0xF4:
        return 0
    if c < 0xE0:
        return 2 if available >= 2 and p[1] & 0xC0 == 0x80 else 0
    if c < 0xF0:
        if available < 3 or p[1] & 0xC0 != 0x80 or p[2] & 0xC0 != 0x80:
            return 0
        if (c == 0xE0 and p[1] < 0xA0) or (c == 0xED and p[1] > 0x9F):
            return 0  # overlong, or a surrogate
        if c == 0xEF and p[1] == 0xBF and p[2] >= 0xBE:
            return 0  # U+FFFE, U+FFFF
        return 3
    if available < 4 or p[1] & 0xC0 != 0x80 or p[2] & 0xC0 != 0x80 or p[3] & 0xC0 != 0x80:
        return 0
    if (c == 0xF0 and p[1] < 0x90) or (c == 0xF4 and p[1] > 0x8F):
        return 0  # overlong, or beyond U+10FFFF
    return 4


cdef inline bint _is_xml_char(unsigned long code):
    return (code == 0x09 or code == 0x0A or code == 0x0D or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF)


cdef inline int _hex_digit(unsigned char c):
    if c'0' <= c <= c'9':
        return c - c'0'
    if c'a' <= c <= c'f':
        return c - c'a' + 10
    if c'A' <= c <= c'F':
        return c - c'A' + 10
    return -1


cdef int _predefined_entity(const char* name, char* replacement):
    """The length of ``lt;``, ``gt;``, ``amp;``, ``quot;`` or ``apos;`` at ``name`` (the
    character in ``replacement``), or 0."""
    if strncmp(name, b"lt;", 3) == 0:
        replacement[0] = c'<'
        return 3
    if strncmp(name, b"gt;", 3) == 0:
        replacement[0] = c'>'
        return 3
    if strncmp(name, b"amp;", 4) == 0:
        replacement[0] = c'&'
        return 4
    if strncmp(name, b"quot;", 5) == 0:
        replacement[0] = c'"'
        return 5
    if strncmp(name, b"apos;", 5) == 0:
        replacement[0] = c'\''
        return 5
    return 0


cdef inline bint _is_alnum(unsigned char c):
    return c'a' <= (c | 0x20) <= c'z' or c'0' <= c <= c'9'


cdef bint _plain_uri(const unsigned char* uri, Py_ssize_t length):
    """Whether a namespace URI has a plain form every URI parser accepts: empty, or a scheme,
    ":" and unreserved characters, ":" and "/" ("//" right after the scheme starts a host
    name of letters, digits, "." and "-")."""
    cdef Py_ssize_t i = 1
    if length == 0:
        return True
    if not c'a' <= (uri[0] | 0x20) <= c'z':
        return False
    while i < length and (_is_alnum(uri[i]) or uri[i] in b"+.-"):
        i += 1
    if i >= length or uri[i] != c':':
        return False
    i += 1
    if length - i >= 2 and uri[i] == c'/' and uri[i + 1] == c'/':
        i += 2
        while i < length and uri[i] != c'/':
            if not (_is_alnum(uri[i]) or uri[i] in b".-"):
                return False
            i += 1
    while i < length:
        if not (_is_alnum(uri[i]) or uri[i] in b"-._~:/+"):
            return False
        i += 1
    return True


cdef size_t _FNV_BASIS = (<size_t> 0xCBF29CE4) << 32 | 0x84222325  # FNV-1a 64-bit offset basis


cdef inline size_t _fnv1a_bytes(const unsigned char* data, Py_ssize_t length, size_t hash):
    cdef Py_ssize_t i
    for i in range(length):
        hash = (hash ^ data[i]) * 1099511628211ULL
    return hash


cdef int _utf8_encode(unsigned long code, char* out):
    """Write ``code`` (a scalar value) as UTF-8 at ``out`` (room for 4 bytes); the byte count."""
    if code < 0x80:
        out[0] = <char> code
        return 1
    if code < 0x800:
        out[0] = <char> (0xC0 | (code >> 6))
        out[1] = <char> (0x80 | (code & 0x3F))
        return 2
    if code < 0x10000:
        out[0] = <char> (0xE0 | (code >> 12))
        out[1] = <char> (0x80 | ((code >> 6) & 0x3F))
        out[2] = <char> (0x80 | (code & 0x3F))
        return 3
    out[0] = <char> (0xF0 | (code >> 18))
    out[1] = <char> (0x80 | ((code >> 12) & 0x3F))
    out[2] = <char> (0x80 | ((code >> 6) & 0x3F))
    out[3] = <char> (0x80 | (code & 0x3F))
    return 4


cdef enum:
    # What the stream needs to know of an element, besides its token.
    _IS_DATA = 1  # SyncML <Data>: OPAQUE or not by the Meta Type rules
    _IS_TYPE = 2  # a <Type>: the Meta Type rules read its text
    _IS_METINF_TYPE = 4  # the MetInf <Type> of SyncML, whose text may be rewritten
    _IS_META = 8
    _IS_OPAQUE_PARENT = 16  # Data under it is OPAQUE by default (syncml.OPAQUE_PARENTS)
    _IS_VERDTD = 32  # <VerDTD>: as the root's child it picks the language's version
    _TREE_ONLY = 64  # written as LITERAL, or not of the language: left to the tree path
    # A scanner step's outcome: carry on, or leave the document to the tree path.
    _GO_ON = 0
    _GIVE_UP = 1
    # The first <Meta> child of an element: not seen yet, open, closed.
    _META_NONE = 0
    _META_OPEN = 1
    _META_CLOSED = 2
    _OPAQUE_AUTO = 0
    _OPAQUE_ALWAYS = 1
    _OPAQUE_NEVER = 2
    _TOKEN_SLOTS = 256  # a power of two
    _MAX_STREAM_DEPTH = 200  # well under libxml2's own limit (256)
    _MAX_STREAM_TEXT = 9000000  # well under libxml2's limit on a text node (10 MB)


cdef struct _Token:
    size_t hash
    int name_length, namespace_length
    char name[32]
    char namespace[48]
    int page, token, flags


cdef class _TokenCache:
    """(namespace, name) as bytes -> a language's token and rules, in a direct-mapped table of C
    structs: what the stream looks up per element without making a string."""
    cdef object language
    cdef bint syncml
    cdef _Token slots[_TOKEN_SLOTS]
    cdef _Token spare  # for names or namespaces too long for a slot

    def __init__(self, language):
        self.language = language
        self.syncml = language.family == "syncml"

    cdef _Token* find(self, const char* name, int name_length, const char* namespace,
                      int namespace_length, size_t hash) except NULL:
        cdef _Token* slot = &self.slots[(hash ^ (hash >> 29)) & (_TOKEN_SLOTS - 1)]
        if (slot.hash == hash and slot.name_length == name_length
                and slot.namespace_length == namespace_length
                and memcmp(slot.name, name, name_length) == 0
                and memcmp(slot.namespace, namespace, namespace_length) == 0):
            return slot
        if name_length >= 32 or namespace_length >= 48:
            slot = &self.spare
        slot.hash = hash
        slot.name_length = name_length
        slot.namespace_length = namespace_length
        memcpy(slot.name, name, min(name_length, 31))
        memcpy(slot.namespace, namespace, min(namespace_length, 47))
        self.resolve(slot, name[:name_length].decode("ascii"),
                     namespace[:namespace_length].decode("ascii") if namespace_length else None)
        return slot

    cdef int resolve(self, _Token* slot, str tag, object namespace) except -1:
        """What the tree path does with such an element: ``xmlcodec.resolve_element`` under
        this language, then the encoder's token look-up and SyncML rules."""
        slot.flags = _TREE_ONLY
        language, namespace = resolve_element(self.language, namespace, tag)
        if language is not self.language:
            return 0
        tags = self.language.tags_for_namespace(namespace)
        found = tags.get(tag) if tags is not None else None
        if found is None:
            return 0
        slot.page, slot.token = found
        slot.flags = ((_IS_DATA if self.syncml and tag == "Data" else 0)
                      | (_IS_TYPE if tag == "Type" else 0)
                      | (_IS_META if tag == "Meta" else 0)
                      | (_IS_OPAQUE_PARENT if tag in _OPAQUE_PARENTS else 0)
                      | (_IS_VERDTD if tag == "VerDTD" else 0))
        if (self.syncml and tag == "Type"
                and self.language.page_namespace(slot.page) == METINF_NAMESPACE):
            slot.flags |= _IS_METINF_TYPE
        return 0


cdef object _token_caches = BoundedCache(limit=64)


cdef struct _Level:
    const unsigned char* name  # in the input, for matching the end tag
    const unsigned char* namespace  # the default namespace in scope, in the input
    int name_length, namespace_length
    size_t namespace_hash
    Py_ssize_t token_at  # where the token byte is in the output (its content flag is set later)
    int flags, page, meta
    bint has_content, has_children
    bint first_meta  # the first <Meta> child of its parent
    bint first_type  # the first <Type> child of that first <Meta>
    bint type_found  # its first <Meta> has a <Type> (text in the stream's type_texts)
    bint consulted  # the Data rules read its Meta Type before its first <Meta> came


cdef class _XMLToWBXML(_Output):
    """XML bytes straight to WBXML while scanning them, for the documents most traffic consists
    of: UTF-8, tags of one language in default namespaces, character data, references and CDATA,
    no attributes, comments or processing instructions, no internal DTD subset, Data whose Meta
    Type comes before it. On anything else, and on any error, ``convert`` returns None and the
    caller takes the tree path (lxml), so the output is always exactly ``encode(decode(xml))``.
    The scanner gives up on whatever libxml2 might not accept, never the other way round."""
    cdef bytes data
    cdef const unsigned char* buf  # the data's bytes, NUL-terminated as every bytes object
    cdef Py_ssize_t end, pos, max_string
    cdef int depth, max_depth, page, version, opaque_mode
    cdef bint type_rewrite, textual_public_id, verdtd_seen
    cdef object language, forced_language, public_id, root_tag, root_namespace
    cdef object flushed_text  # the text of the last element flushed, when a rule reads it
    cdef _TokenCache tokens
    cdef _Output text  # the open run of character data, decoded
    cdef _SharedStrings shared  # None without the string table
    cdef _Level* levels
    cdef list type_texts  # per level: the text of its first Meta's first Type

    def __dealloc__(self):
        PyMem_Free(self.levels)

    cdef bint at(self, const char* literal):
        """Whether the input at ``pos`` starts with ``literal``."""
        cdef Py_ssize_t length = strlen(literal)
        return self.end - self.pos >= length and memcmp(self.buf + self.pos, literal, length) == 0

    cdef Py_ssize_t skip_space(self):
        """Step over XML white space at ``pos``; how much there was."""
        cdef Py_ssize_t start = self.pos
        while self.pos < self.end and _is_space(self.buf[self.pos]):
            self.pos += 1
        return self.pos - start

    cdef int quoted(self, const unsigned char** value, Py_ssize_t* length, bint pubid) except -1:
        """A quoted literal at ``pos`` of printable ASCII (PubidChars when ``pubid``): its
        place and length, without the quotes."""
        cdef unsigned char quote = self.buf[self.pos], c
        cdef Py_ssize_t start
        if quote != c'"' and quote != c'\'':
            return _GIVE_UP
        self.pos += 1
        start = self.pos
        while self.pos < self.end and self.buf[self.pos] != quote:
            c = self.buf[self.pos]
            if c < 0x20 or c > 0x7E or c == c'<' or c == c'&' or (
                    pubid and c not in b" -'()+,./:=?;!*#@$_%" and not _NAME_CHAR[c]):
                return _GIVE_UP
            self.pos += 1
        if self.pos >= self.end:
            return _GIVE_UP
        value[0] = self.buf + start
        length[0] = self.pos - start
        self.pos += 1
        return _GO_ON

    cdef int pseudo_attribute(self, const char* name, const unsigned char** value,
                              Py_ssize_t* length) except -1:
        """`` name="value"`` in the XML declaration, if it comes next (``value`` NULL if not)."""
        cdef Py_ssize_t start = self.pos
        value[0] = NULL
        if not self.skip_space() or not self.at(name):
            self.pos = start
            return _GO_ON
        self.pos += strlen(name)
        self.skip_space()
        if not self.at(b"="):
            return _GIVE_UP
        self.pos += 1
        self.skip_space()
        return self.quoted(value, length, False)

    cdef int declaration(self) except -1:
        """``<?xml version="1.0" encoding="UTF-8" standalone="..."?>``, each part checked."""
        cdef const unsigned char* value
        cdef Py_ssize_t length
        self.pos += 5
        if (self.pseudo_attribute(b"version", &value, &length) or value == NULL
                or length != 3 or memcmp(value, b"1.0", 3) != 0):
            return _GIVE_UP
        if self.pseudo_attribute(b"encoding", &value, &length):
            return _GIVE_UP
        if value != NULL and (<bytes> value[:length]).upper() != b"UTF-8":
            return _GIVE_UP
        if self.pseudo_attribute(b"standalone", &value, &length):
            return _GIVE_UP
        if value != NULL and not ((length == 3 and memcmp(value, b"yes", 3) == 0)
                                  or (length == 2 and memcmp(value, b"no", 2) == 0)):
            return _GIVE_UP
        self.skip_space()
        if not self.at(b"?>"):
            return _GIVE_UP
        self.pos += 2
        return _GO_ON

    cdef int doctype(self) except -1:
        """``<!DOCTYPE name [PUBLIC "pubid" "system" | SYSTEM "system"]>``: no internal subset.
        The public id names the language, as lxml's ``docinfo.public_id`` does for the tree."""
        cdef const unsigned char* value
        cdef Py_ssize_t length
        self.pos += 9
        if not self.skip_space() or not _NAME_CHAR[self.buf[self.pos]] & 1:
            return _GIVE_UP
        while _NAME_CHAR[self.buf[self.pos]] or self.buf[self.pos] == c':':
            self.pos += 1
        if self.skip_space():
            if self.at(b"PUBLIC"):
                self.pos += 6
                if not self.skip_space() or self.quoted(&value, &length, True):
                    return _GIVE_UP
                self.public_id = (<bytes> value[:length]).decode("ascii")
                if not self.skip_space() or self.system_literal():
                    return _GIVE_UP
            elif self.at(b"SYSTEM"):
                self.pos += 6
                if not self.skip_space() or self.system_literal():
                    return _GIVE_UP
            self.skip_space()
        if not self.at(b">"):
            return _GIVE_UP
        self.pos += 1
        return _GO_ON

    cdef int system_literal(self) except -1:
        """A DOCTYPE's system id: quoted printable ASCII, no fragment."""
        cdef const unsigned char* value
        cdef Py_ssize_t length
        if self.quoted(&value, &length, False) or memchr(value, c'#', length) != NULL:
            return _GIVE_UP
        return _GO_ON

    cdef int prolog(self) except -1:
        """Everything before the root's start tag: a UTF-8 byte order mark, the XML declaration,
        white space and a DOCTYPE."""
        cdef bint had_doctype = False
        if self.at(b"\xef\xbb\xbf"):
            self.pos += 3
        if self.at(b"<?xml") and _is_space(self.buf[self.pos + 5]):
            if self.declaration():
                return _GIVE_UP
        while True:
            self.skip_space()
            if self.at(b"<!DOCTYPE") and not had_doctype:
                had_doctype = True
                if self.doctype():
                    return _GIVE_UP
            elif self.at(b"<") and _NAME_CHAR[self.buf[self.pos + 1]] & 1:
                return _GO_ON
            else:
                return _GIVE_UP

    cdef int character_data(self) except -1:
        """Character data up to the next markup, appended to ``text`` decoded: references
        replaced, line ends normalised to LF, every character checked."""
        cdef Py_ssize_t start = self.pos, length
        cdef unsigned char c
        while True:
            while not _TEXT_STOP[self.buf[self.pos]]:
                self.pos += 1
            c = self.buf[self.pos]
            if c == c'<' or self.pos >= self.end:
                return self.text.write(<const char*> self.buf + start, self.pos - start)
            if c >= 0x80:
                length = _xml_char_length(self.buf + self.pos, self.end - self.pos)
                if length == 0:
                    return _GIVE_UP
                self.pos += length
            elif c == c']':
                if self.buf[self.pos + 1] == c']' and self.buf[self.pos + 2] == c'>':
                    return _GIVE_UP  # "]]>" is not allowed in character data
                self.pos += 1
            elif c == c'\r' or c == c'&':
                self.text.write(<const char*> self.buf + start, self.pos - start)
                if c == c'&':
                    if self.reference():
                        return _GIVE_UP
                else:
                    self.newline()
                start = self.pos
            else:
                return _GIVE_UP  # a control character

    cdef int newline(self) except -1:
        """CR LF or a lone CR at ``pos``: one LF, as XML parsers read it."""
        self.pos += 2 if self.buf[self.pos + 1] == c'\n' else 1
        return self.text.byte(b"\n")

    cdef int reference(self) except -1:
        """A character reference or predefined entity at ``pos``, appended decoded."""
        cdef const unsigned char* p = self.buf + self.pos + 1
        cdef unsigned long code = 0
        cdef int digits = 0, value
        cdef char encoded[4]
        if p[0] == c'#':
            p += 1
            if p[0] == c'x':
                p += 1
                while digits < 7:
                    value = _hex_digit(p[0])
                    if value < 0:
                        break
                    code = code * 16 + value
                    p += 1
                    digits += 1
            else:
                while digits < 8 and c'0' <= p[0] <= c'9':
                    code = code * 10 + (p[0] - c'0')
                    p += 1
                    digits += 1
            if digits == 0 or p[0] != c';' or not _is_xml_char(code):
                return _GIVE_UP
            self.text.write(encoded, _utf8_encode(code, encoded))
            p += 1
        else:
            digits = _predefined_entity(<const char*> p, encoded)
            if digits == 0:
                return _GIVE_UP
            self.text.byte(encoded[0])
            p += digits
        self.pos = p - self.buf
        return _GO_ON

    cdef int cdata(self) except -1:
        """A CDATA section at ``pos``: its characters, checked, join the character data."""
        cdef Py_ssize_t start, length
        cdef unsigned char c
        self.pos += 9
        start = self.pos
        while self.pos < self.end:
            c = self.buf[self.pos]
            if c == c']' and self.buf[self.pos + 1] == c']' and self.buf[self.pos + 2] == c'>':
                self.text.write(<const char*> self.buf + start, self.pos - start)
                self.pos += 3
                return _GO_ON
            if c >= 0x80:
                length = _xml_char_length(self.buf + self.pos, self.end - self.pos)
                if length == 0:
                    return _GIVE_UP
                self.pos += length
            elif c == c'\r':
                self.text.write(<const char*> self.buf + start, self.pos - start)
                self.newline()
                start = self.pos
            elif c < 0x20 and c != 0x09 and c != 0x0A:
                return _GIVE_UP
            else:
                self.pos += 1
        return _GIVE_UP  # not closed

    cdef int start_tag(self) except -1:
        """``<name xmlns="uri">`` or ``<name/>``: the only attribute taken is a default
        namespace declaration."""
        cdef const unsigned char* name = self.buf + self.pos + 1
        cdef const unsigned char* namespace = <const unsigned char*> b""  # none declared
        cdef Py_ssize_t name_length, namespace_length = 0, spaced
        cdef size_t namespace_hash = _FNV_BASIS
        cdef bint declared = False, empty
        if self.depth:
            namespace = self.levels[self.depth].namespace
            namespace_length = self.levels[self.depth].namespace_length
            namespace_hash = self.levels[self.depth].namespace_hash
        self.pos += 1
        while _NAME_CHAR[self.buf[self.pos]]:
            self.pos += 1
        name_length = self.buf + self.pos - name
        if name_length > 64:
            return _GIVE_UP
        while True:
            spaced = self.skip_space()
            if self.at(b">") or self.at(b"/>"):
                empty = self.buf[self.pos] == c'/'
                self.pos += 2 if empty else 1
                break
            if not spaced or declared or not self.at(b"xmlns"):
                return _GIVE_UP
            self.pos += 5
            self.skip_space()
            if not self.at(b"="):
                return _GIVE_UP
            self.pos += 1
            self.skip_space()
            if self.quoted(&namespace, &namespace_length, False) \
                    or not _plain_uri(namespace, namespace_length):
                return _GIVE_UP
            namespace_hash = _fnv1a_bytes(namespace, namespace_length, _FNV_BASIS)
            declared = True
        return self.open_element(name, name_length, namespace, namespace_length,
                                 namespace_hash, empty)

    cdef int end_tag(self) except -1:
        """``</name>``, which must close the innermost open element."""
        cdef _Level* level = &self.levels[self.depth]
        self.pos += 2
        if (self.depth == 0 or self.end - self.pos < level.name_length
                or memcmp(self.buf + self.pos, level.name, level.name_length) != 0):
            return _GIVE_UP
        self.pos += level.name_length
        self.skip_space()
        if not self.at(b">"):
            return _GIVE_UP
        self.pos += 1
        return self.close_element()

    cdef int open_element(self, const unsigned char* name, Py_ssize_t name_length,
                          const unsigned char* namespace, Py_ssize_t namespace_length,
                          size_t namespace_hash, bint empty) except -1:
        """Start an element: its parent's run of content ends, its token is written (the content
        flag set later, if content comes), and the Meta Type rules note a first Meta or Type."""
        cdef _Level* parent = NULL
        cdef _Level* level
        cdef _Token* token
        if self.depth == 0:
            if self.language is not None or self.begin(name, name_length, namespace,
                                                       namespace_length):
                return _GIVE_UP  # a second root, or one the stream does not take
        else:
            parent = &self.levels[self.depth]
            if parent.first_type or (parent.flags & _IS_VERDTD and self.depth == 2):
                return _GIVE_UP  # a text the rules read, split by elements
            if self.flush(parent, True):
                return _GIVE_UP
        if self.depth + 1 > self.max_depth:
            return _GIVE_UP
        token = self.tokens.find(<const char*> name, name_length, <const char*> namespace,
                                 namespace_length,
                                 _fnv1a_bytes(name, name_length, namespace_hash))
        if token.flags & _TREE_ONLY:
            return _GIVE_UP
        level = &self.levels[self.depth + 1]
        memset(level, 0, sizeof(_Level))
        level.name, level.name_length = name, name_length
        level.namespace, level.namespace_length = namespace, namespace_length
        level.namespace_hash = namespace_hash
        level.flags, level.page = token.flags, token.page
        if parent is not NULL:
            self.mark_content(parent)
            parent.has_children = True
            if token.flags & _IS_META and parent.meta == _META_NONE:
                if parent.consulted:
                    return _GIVE_UP  # the Data rules looked for this Meta before it came
                parent.meta = _META_OPEN
                level.first_meta = True
            elif (token.flags & _IS_TYPE and parent.first_meta
                  and not self.levels[self.depth - 1].type_found):
                self.levels[self.depth - 1].type_found = True
                level.first_type = True
        self.depth += 1
        self.type_texts[self.depth] = None
        if token.page != self.page:
            self.byte(SWITCH_PAGE)
            self.byte(token.page)
            self.page = token.page
        level.token_at = self.size
        self.byte(token.token)
        return self.close_element() if empty else _GO_ON

    cdef int close_element(self) except -1:
        """End the innermost element: its last run of content, END if it has content, and what
        the rules learn from it (its parent's first Meta is complete, a Type's text, VerDTD)."""
        cdef _Level* level = &self.levels[self.depth]
        if self.flush(level, False):
            return _GIVE_UP
        if level.has_content:
            self.byte(END)
        if level.first_meta:
            self.levels[self.depth - 1].meta = _META_CLOSED
        if level.first_type:
            self.type_texts[self.depth - 2] = self.flushed_text
        if level.flags & _IS_VERDTD and self.depth == 2 and not self.verdtd_seen:
            self.verdtd_seen = True
            if self.check_version(self.flushed_text):
                return _GIVE_UP
        self.depth -= 1
        return _GO_ON

    cdef inline void mark_content(self, _Level* level):
        """Set the content flag on an element's token, written before its content was known."""
        if not level.has_content:
            level.has_content = True
            self.out[level.token_at] |= HAS_CONTENT

    cdef int flush(self, _Level* level, bint before_child) except -1:
        """Write the open run of character data in ``level``: its text (before its first child)
        or its last child's tail. Text a rule reads is kept in ``flushed_text``."""
        cdef Py_ssize_t length = self.text.size, i
        cdef bint as_opaque = False
        cdef bytes rewritten
        self.flushed_text = None
        if length == 0:
            return _GO_ON
        if before_child or level.has_children:  # between elements: indentation is dropped
            for i in range(length):
                if not _is_space(self.text.out[i]):
                    break
            else:
                self.text.size = 0
                return _GO_ON
        if length > self.max_string or length > _MAX_STREAM_TEXT:
            return _GIVE_UP
        self.text.size = 0
        if level.has_children:
            return self.string(self.text.out, length)
        self.mark_content(level)
        if level.flags & (_IS_TYPE | _IS_VERDTD):
            self.flushed_text = PyUnicode_DecodeUTF8(self.text.out, length, NULL)
            if level.flags & _IS_METINF_TYPE and self.type_rewrite:
                rewritten = utf8(type_for_wbxml(self.flushed_text))
                return self.string(PyBytes_AS_STRING(rewritten), PyBytes_GET_SIZE(rewritten))
        if level.flags & _IS_DATA:
            if self.opaque_mode == _OPAQUE_AUTO:
                if self.data_is_opaque(&as_opaque):
                    return _GIVE_UP
            else:
                as_opaque = self.opaque_mode == _OPAQUE_ALWAYS
        if not as_opaque:
            return self.string(self.text.out, length)
        if self.version == 0:
            return _GIVE_UP  # WBXML 1.0 has no OPAQUE: the tree path raises
        self.byte(OPAQUE)
        self.mb(length)
        return self.write(self.text.out, length)

    cdef int string(self, const char* data, Py_ssize_t length) except -1:
        """An inline string (STR_I): the bytes, NUL-terminated; a candidate for the string
        table as the encoder's strings are."""
        if self.shared is not None and length >= _SHARED_MIN_LENGTH:  # bytes >= characters
            text = PyUnicode_DecodeUTF8(data, length, NULL)
            if PyUnicode_GET_LENGTH(text) >= _SHARED_MIN_LENGTH:
                self.shared.record(text, self.size, length + 2)
        self.reserve(length + 2)
        self.out[self.size] = STR_I
        memcpy(self.out + self.size + 1, data, length)
        self.out[self.size + 1 + length] = 0
        self.size += length + 2
        return _GO_ON

    cdef int consult(self, int depth, bint* found) except -1:
        """Whether the element at ``depth`` has a Meta Type (``syncml.DataClassifier``). One
        whose first Meta has not come yet has none so far: should it come, the stream gives up."""
        cdef _Level* level = &self.levels[depth]
        if level.meta == _META_OPEN:
            return _GIVE_UP
        if level.meta == _META_NONE:
            level.consulted = True
        found[0] = level.type_found
        return _GO_ON

    cdef int data_is_opaque(self, bint* opaque) except -1:
        """``syncml.DataClassifier.is_opaque`` for the <Data> at ``depth``: the Meta Type of its
        parent, else of its grandparent, else whether the grandparent is Add, Replace, ..."""
        cdef int owner = 0
        cdef bint found = False
        if self.depth > 1:
            if self.consult(self.depth - 1, &found):
                return _GIVE_UP
            owner = self.depth - 1 if found else 0
        if not found and self.depth > 2:
            if self.consult(self.depth - 2, &found):
                return _GIVE_UP
            owner = self.depth - 2 if found else 0
        if owner:
            type_text = self.type_texts[owner]
            if type(type_text) is str:
                if type_text in _VOBJECT_TYPES:
                    opaque[0] = True
                    return _GO_ON
                if type_text.lower() in _EMBEDDED_TYPES:
                    opaque[0] = False
                    return _GO_ON
        opaque[0] = self.depth > 2 and self.levels[self.depth - 2].flags & _IS_OPAQUE_PARENT
        return _GO_ON

    cdef int begin(self, const unsigned char* name, Py_ssize_t name_length,
                   const unsigned char* namespace, Py_ssize_t namespace_length) except -1:
        """At the root: the language, as ``parse_xml`` reads the root and ``encode_wbxml`` picks
        the language from it. The stream takes documents whose elements all resolve in it."""
        tag = (<bytes> name[:name_length]).decode("ascii")
        uri = (<bytes> namespace[:namespace_length]).decode("ascii") if namespace_length else None
        document = language_for_public_id(self.public_id) if self.public_id else None
        read, self.root_namespace = resolve_element(document, uri, tag)
        self.root_tag = tag
        language = self.forced_language or self.root_language(None)
        if (language is None or read is not language
                or (language.public_id is None and language.fpi is None)):
            return _GIVE_UP
        self.language = language
        self.tokens = _token_caches.get(language)
        if self.tokens is None:
            self.tokens = _token_caches.remember(language, _TokenCache(language))
        return _GO_ON

    cdef object root_language(self, object version):
        """``syncml.root_language`` for the root read, with ``version`` its VerDTD."""
        language = language_for_namespace(self.root_namespace, self.root_tag, version)
        if language is None and self.root_namespace is not None:
            language = language_for_namespace(self.root_namespace, None, version)
        return language

    cdef int check_version(self, object text) except -1:
        """The root's VerDTD may pick another version of the language: then the tokens written
        so far may be wrong, and the tree path takes the document."""
        if self.forced_language is not None:
            return _GO_ON
        version = text.strip() if type(text) is str else None
        return _GO_ON if self.root_language(version) is self.language else _GIVE_UP

    cdef object convert(self):
        """The WBXML document, or None to leave the input to the tree path."""
        cdef int step
        cdef unsigned char c
        if self.prolog():
            return None
        while self.pos < self.end:
            c = self.buf[self.pos]
            if c == c'<':
                c = self.buf[self.pos + 1]
                if c == c'/':
                    step = self.end_tag()
                elif _NAME_CHAR[c] & 1:
                    step = self.start_tag()
                elif self.depth and self.at(b"<![CDATA["):
                    step = self.cdata()
                else:
                    return None  # a comment, a processing instruction, or not XML
            elif self.depth:
                step = self.character_data()
            else:
                return None
            if step:
                return None
            if self.depth == 0:
                break
        if self.depth or self.language is None:
            return None
        self.skip_space()
        if self.pos != self.end:
            return None
        return self.document()

    cdef bytes document(self):
        """The header, the string table and the body written so far (``_Encoder.document``)."""
        cdef _StringTable table = _StringTable.new()
        cdef bint numeric = self.language.public_id is not None and not self.textual_public_id
        if not numeric:
            start, public_id = start_document(self.language, "string")
            table.write(bytes(start.data), len(start.data))
            table.offsets.update(start.offsets)
        if self.shared is not None:
            self.shared.share(self, table)
        table_data = PyBytes_FromStringAndSize(table.out, table.size)
        if numeric:
            return _numeric_document(self.version, self.language.public_id, table_data,
                                     self.out, self.size)
        return finish_document(self.version, public_id, table_data,
                               PyBytes_FromStringAndSize(self.out, self.size))



def stream_wbxml(xml, *, limits=DEFAULT_LIMITS, language=None, int version=0x03,
                 str public_id="number", bint string_table=False, str opaque_data="auto",
                 bint type_rewrite=True):
    """``encode_wbxml(parse_xml(xml), ...)`` while scanning the XML, for the documents the
    scanner takes (see ``_XMLToWBXML``); None for any other, errors included."""
    cdef _XMLToWBXML stream
    cdef bytes data
    try:
        data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    except UnicodeEncodeError:
        return None
    if len(data) > limits.max_size:
        return None
    stream = _XMLToWBXML()
    stream.data = data
    stream.buf = <const unsigned char*> PyBytes_AS_STRING(data)
    stream.end = PyBytes_GET_SIZE(data)
    stream.max_string = limits.max_string
    stream.max_depth = min(limits.max_depth, _MAX_STREAM_DEPTH)
    stream.levels = <_Level*> PyMem_Malloc((stream.max_depth + 2) * sizeof(_Level))
    if stream.levels == NULL:
        raise MemoryError()
    stream.type_texts = [None] * (stream.max_depth + 2)
    stream.version = version
    stream.opaque_mode = _OPAQUE_MODES[opaque_data]
    stream.type_rewrite = type_rewrite
    stream.textual_public_id = public_id == "string"
    stream.shared = _SharedStrings.new() if string_table else None
    stream.forced_language = language
    stream.text = _Output()
    return stream.convert()


cdef dict _OPAQUE_MODES = {"auto": _OPAQUE_AUTO, "always": _OPAQUE_ALWAYS, "never": _OPAQUE_NEVER}


def xml_to_wbxml(xml, *, limits=DEFAULT_LIMITS, **options):
    """``encode_wbxml(parse_xml(xml, read_lxml, limits), **options)``, streamed when
    ``stream_wbxml`` can."""
    wbxml = stream_wbxml(xml, limits=limits, **options)
    if wbxml is not None:
        return wbxml
    return encode_wbxml(parse_xml(xml, read_lxml, limits), **options)


# -- XML output --------------------------------------------------------------------------------

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
    """Serialise an element tree as a UTF-8 XML document (``xmlcodec.write_xml``, faster)."""
    cdef _FastXMLWriter writer = _FastXMLWriter(pretty)
    writer.parts.append('<?xml version="1.0" encoding="UTF-8"?>' + ("\n" if pretty else ""))
    writer.element(root, None, "", 0)
    if not writer.ok:
        return shared_write_xml(root, pretty)
    if pretty:
        writer.parts.append("\n")
    return "".join(writer.parts).encode("utf-8")

