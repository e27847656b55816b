# What every writer of WBXML shares: child look-ups, text checks, the output buffer.
# Included by _wbxml.pyx (one compilation unit); order matters.

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
    if body_size:  # none when only measuring (body may be NULL)
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
