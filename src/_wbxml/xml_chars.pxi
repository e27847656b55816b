# XML characters for the scanner: byte classes, entities, UTF-8 writing.
# Included by _wbxml.pyx (one compilation unit); order matters.

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
