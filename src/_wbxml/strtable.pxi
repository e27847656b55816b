# The string table: candidate strings noted while the body is written, shared afterwards.
# Included by _wbxml.pyx (one compilation unit); order matters.

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
