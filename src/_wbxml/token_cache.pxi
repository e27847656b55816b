# The scanner's token cache: (namespace, name) bytes -> a language's token and rules.
# Included by _wbxml.pyx (one compilation unit); order matters.

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
    structs: what the stream looks up per element without making a string.

    One cache per language is shared by every thread. A slot is only ever read or written whole,
    by C code that runs no Python code in between, inside a critical section on the cache: with
    the GIL no other thread runs during the copy, and in a free-threaded build the critical
    section keeps the copy whole. Resolving a name runs Python code (where another thread may
    run and claim the same slot), so it fills an entry of its own, copied into the slot after;
    callers get their own copy, so a later overwrite of the slot cannot change what they read.
    """
    cdef object language
    cdef bint syncml
    cdef _Token slots[_TOKEN_SLOTS]

    def __init__(self, language):
        self.language = language
        self.syncml = language.family == "syncml"

    cdef int find(self, const char* name, int name_length, const char* namespace,
                  int namespace_length, size_t hash, _Token* found) except -1:
        """Copy the entry of (namespace, name) into ``found``, resolved and kept if it is new.
        Names of 32 bytes or more, or namespaces of 48 or more, are resolved each time."""
        cdef _Token* slot = &self.slots[(hash ^ (hash >> 29)) & (_TOKEN_SLOTS - 1)]
        cdef bint hit
        with cython.critical_section(self):
            hit = (slot.hash == hash and slot.name_length == name_length
                   and slot.namespace_length == namespace_length
                   and memcmp(slot.name, name, name_length) == 0
                   and memcmp(slot.namespace, namespace, namespace_length) == 0)
            if hit:
                found[0] = slot[0]
        if hit:
            return 0
        memset(found, 0, sizeof(_Token))
        found.hash = hash
        found.name_length = name_length
        found.namespace_length = namespace_length
        memcpy(found.name, name, min(name_length, 31))
        memcpy(found.namespace, namespace, min(namespace_length, 47))
        self.resolve(found, name[:name_length].decode("ascii"),
                     namespace[:namespace_length].decode("ascii") if namespace_length else None)
        if name_length < 32 and namespace_length < 48:
            with cython.critical_section(self):
                slot[0] = found[0]
        return 0

    cdef int resolve(self, _Token* slot, str tag, object namespace) except -1:
        """What the tree path does with such an element: ``xml.reader.resolve_element`` under
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
