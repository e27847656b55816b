# cython: language_level=3, cdivision=True
"""Compiled WBXML tree builder and serializer: the hot loops of syncml_codec.

The twin of ``syncml_codec.fallback``: the same interface (``syncml_codec/_wbxml.pyi``), trees,
bytes and errors (message and offset). Token tables, the header, the string table and the SyncML
rules come from the shared pure-Python modules; only the per-byte and per-element work lives here.

One compilation unit, one ``.pxi`` per job (below, in the order they depend on each other): the
Element and its reserve; the DPU's reading of commands and its answers; the outbox's per-command
work; decoding WBXML into a tree; listing its tokens; reading lxml trees; encoding a tree as WBXML
(with the string table); WBXML straight to XML (a stream, no tree); XML straight to WBXML (a
scanner, no tree); writing a tree as XML; reading TNDS nodes. The two streams take the common
documents and give up on the rest, which then takes the tree path, so their output is always the tree path's.
"""

cimport cython
from cpython cimport array
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
    int PyUnicode_KIND(object text)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index)
    void* PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    int PyUnicode_1BYTE_KIND
from libc.stdint cimport uint32_t, uint64_t, uintptr_t
from libc.string cimport memchr, memcmp, memcpy, memmove, memset, strcmp, strlen, strncmp
from sys import intern

cimport lxml.includes.etreepublic as lxml_api
from lxml.includes.tree cimport XML_ELEMENT_NODE, const_xmlChar, xmlNode, xmlNs

from syncml_codec.errors import DecodeError, EncodeError, LimitError
from syncml_codec.limits import (
    DEFAULT_LIMITS,
    MAX_NESTED_DOCUMENTS,
    SHARED_LIMITS,
    Budget,
    check_size,
)
from syncml_codec.wbxml.header import read_header, table_bytes
from copy import deepcopy
from syncml_codec.wbxml.path import iter_elements, iterfind
from syncml_codec.wbxml.languages import (
    METINF_NAMESPACE,
    BoundedCache,
    language_for_namespace,
    language_for_public_id,
)
from syncml_codec.wbxml.strtable import (
    SharedStrings,
    finish_document,
    start_document,
    utf8,
)
from syncml_codec.xml.reader import (
    at_node,
    marked,
    node_attributes,
    own_attributes,
    parse_xml,
    resolve_element,
    settle,
)
from syncml_codec.xml.writer import RESERVED_URIS, XML_NAME, escape_attribute, escape_text
from syncml_codec.xml.writer import write_xml as shared_write_xml
from syncml_codec.wbxml.languages.ddf import DMDDF_NAMESPACE
from syncml_codec.wbxml.tnds import read_tnds_node as shared_read_tnds_node
from syncml_codec.wbxml.rules import (
    bind_prefixes,
    prefixed_name,
    unbind_prefixes,
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

__all__ = ["Element", "decode_wbxml", "elements_of", "encode_wbxml", "fit", "joined_answers",
           "list_tokens", "measure_wbxml", "number_commands", "one_digit_sizes", "read_command",
           "read_lxml", "read_tnds_node", "read_xml", "result_item", "results_element",
           "set_element_reserve", "status_element", "to_namespace", "wbxml_to_xml", "write_xml",
           "xml_to_wbxml"]

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

include "_wbxml/element.pxi"
include "_wbxml/reserve.pxi"
include "_wbxml/answers.pxi"
include "_wbxml/packing.pxi"
include "_wbxml/decoder_parts.pxi"
include "_wbxml/decoder.pxi"
include "_wbxml/listing.pxi"
include "_wbxml/lxml_reader.pxi"
include "_wbxml/output.pxi"
include "_wbxml/strtable.pxi"
include "_wbxml/encoder.pxi"
include "_wbxml/xml_stream.pxi"
include "_wbxml/xml_chars.pxi"
include "_wbxml/token_cache.pxi"
include "_wbxml/xml_scanner.pxi"
include "_wbxml/xml_writer.pxi"
include "_wbxml/tnds.pxi"
