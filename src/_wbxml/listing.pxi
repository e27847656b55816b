# The annotated token listing of ``python -m syncml_codec dump`` (``wbxml.listing``, faster):
# the same lines and errors, the tokens read with the decoder's primitive readers.
# Included by _wbxml.pyx after decoder.pxi.

cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    bint PyUnicode_IS_ASCII(object text)

cdef const char* _HEX_DIGITS = b"0123456789ABCDEF"
cdef enum:
    _COLUMN = 28  # the bytes column: up to 8 bytes in hex, " ..." when there are more, padded
    _MAX_HEX = 8

cdef dict _LISTING_FLAGS = {0: " (empty)", HAS_CONTENT: " (content)",
                            HAS_ATTRIBUTES: " (attributes)",
                            HAS_CONTENT | HAS_ATTRIBUTES: " (content, attributes)"}


cdef Py_ssize_t _write_prefix(char* out, const unsigned char* buf, Py_ssize_t offset,
                              Py_ssize_t end, unsigned long long shown_offset, int digits):
    """The offset in ``digits`` hex digits, two spaces and the bytes column; its length."""
    cdef int i
    cdef Py_ssize_t n = 0, count = min(end - offset, <Py_ssize_t> _MAX_HEX)
    for i in range(digits):
        out[digits - 1 - i] = _HEX_DIGITS[shown_offset & 15]
        shown_offset >>= 4
    n = digits
    out[n] = b" "
    out[n + 1] = b" "
    n += 2
    cdef Py_ssize_t column = n
    for i in range(count):
        if i:
            out[n] = b" "
            n += 1
        out[n] = _HEX_DIGITS[buf[offset + i] >> 4]
        out[n + 1] = _HEX_DIGITS[buf[offset + i] & 15]
        n += 2
    if end - offset > _MAX_HEX:
        memcpy(out + n, b" ...", 4)
        n += 4
    while n < column + _COLUMN:
        out[n] = b" "
        n += 1
    return n


cdef str _listing_line(const unsigned char* buf, Py_ssize_t offset, Py_ssize_t end,
                       Py_ssize_t base, str pad, str what):
    """``f"{base + offset:08X}  {bytes column}{pad}{what}"``, made in place when ASCII."""
    cdef unsigned long long shown_offset = <unsigned long long> (base + offset)
    cdef int digits = 8
    while digits < 16 and shown_offset >> (4 * digits):
        digits += 1
    cdef char prefix[16 + 2 + _COLUMN]
    cdef Py_ssize_t n = _write_prefix(prefix, buf, offset, end, shown_offset, digits)
    if not (PyUnicode_IS_ASCII(pad) and PyUnicode_IS_ASCII(what)):
        return prefix[:n].decode("ascii") + pad + what
    cdef Py_ssize_t pad_length = PyUnicode_GET_LENGTH(pad)
    cdef Py_ssize_t what_length = PyUnicode_GET_LENGTH(what)
    line = PyUnicode_New(n + pad_length + what_length, 127)
    cdef char* out = <char*> PyUnicode_DATA(line)
    memcpy(out, prefix, n)
    memcpy(out + n, PyUnicode_DATA(pad), pad_length)
    memcpy(out + n + pad_length, PyUnicode_DATA(what), what_length)
    return line


cdef str _shown_text(str value):
    """``wbxml.listing.shown_text``."""
    if PyUnicode_GET_LENGTH(value) <= 60:
        return repr(value)
    return f"{value[:60]!r} ... ({len(value)} chars)"


def list_tokens(bytes data, header, limits, str indent="", Py_ssize_t base=0, nested=None):
    """Yield the listing's line for each token of the body (``wbxml.listing.list_tokens``)."""
    cdef _Decoder reader = _Decoder(data, header, limits, "error", True, 0, Budget(limits))
    cdef const unsigned char* buf = reader.buf
    cdef Py_ssize_t size = reader.size, pos = header.body_offset, start, index_pos, offset
    cdef unsigned char byte
    cdef int tag_page = 0, attr_page = 0, max_depth = limits.max_depth
    cdef bint in_attributes = False
    tag_names = header.language.tag_names  # page -> the names of its tags by code
    cdef dict tag_lines = {}  # (page << 8 | byte) -> what a known tag's line says
    cdef list pads = [indent]  # the indentation of the open elements' content, outermost first
    names = tag_names.get(0)
    while pos < size:
        start = pos
        byte = buf[pos]
        pos += 1
        payload = None
        if byte == SWITCH_PAGE:
            if pos >= size:
                raise DecodeError("truncated SWITCH_PAGE", start)
            if in_attributes:
                attr_page = buf[pos]
            else:
                tag_page = buf[pos]
                names = tag_names.get(tag_page)
            what = f"SWITCH_PAGE {buf[pos]}"
            pos += 1
        elif byte == END:
            in_attributes = False
            if len(pads) > 1:
                pads.pop()
            what = "END"
        elif byte == STR_I:
            what = "STR_I " + _shown_text(reader.termstr(&pos))
        elif byte == STR_T:
            index_pos = pos
            index = reader.mb(&index_pos)
            what = f"STR_T @{index} " + _shown_text(reader.table_ref(&pos, "STR_T"))
        elif byte == ENTITY:
            what = f"ENTITY U+{ord(reader.entity(&pos, start)):04X}"
        elif byte == OPAQUE:
            offset = reader.opaque_span(&pos, start)
            payload = data[offset:pos]
            what = f"OPAQUE {pos - offset} bytes"
        elif EXT_I_0 <= byte <= EXT_I_2:
            what = "EXT " + _shown_text(reader.termstr(&pos))
        elif EXT_T_0 <= byte <= EXT_T_2:
            what = "EXT " + _shown_text(reader.table_ref(&pos, "EXT_T"))
        elif EXT_0 <= byte <= EXT_2:
            what = f"EXT {byte:#04x}"
        elif byte == PI:
            if in_attributes:
                raise DecodeError("PI inside an attribute list", start)
            in_attributes = True
            what = f"PI {byte:#04x}"
        elif in_attributes:
            if byte == LITERAL:
                if not reader.table and pos < size and buf[pos] == 0:
                    name = "xmlns"  # Nokia phones name xmlns this way, with no string table
                    pos += 1
                else:
                    name = reader.table_ref(&pos, "LITERAL")
                what = f"ATTR_LITERAL {byte:#04x}" + (f" {name!r}" if name else "")
            elif byte == LITERAL_A or byte == LITERAL_C or byte == LITERAL_AC:
                raise DecodeError(f"tag token {byte:#04x} inside an attribute list", start)
            else:
                what = f"{'ATTR_START' if byte < 0x80 else 'ATTR_VALUE'} {byte:#04x}"
        else:
            if byte == LITERAL or byte == LITERAL_A or byte == LITERAL_C or byte == LITERAL_AC:
                name = reader.table_ref(&pos, "LITERAL")
                if not name:
                    raise DecodeError("LITERAL tag with an empty name", start)
                what = f"<{name}>  LITERAL_TAG page {tag_page}{_LISTING_FLAGS[byte & 0xC0]}"
            else:
                what = tag_lines.get(tag_page << 8 | byte)
                if what is None:
                    tag = (names[byte & 0x3F] if names else None) or "?unknown"
                    what = f"<{tag}>  TAG page {tag_page}{_LISTING_FLAGS[byte & 0xC0]}"
                    tag_lines[tag_page << 8 | byte] = what
            in_attributes = byte & HAS_ATTRIBUTES
            if byte & HAS_CONTENT and len(pads) > max_depth:  # as a decode counts depth
                raise LimitError(f"elements nested deeper than {max_depth}", start, "max_depth")
            yield _listing_line(buf, start, pos, base, <str> pads[-1], what)
            if byte & HAS_CONTENT:
                pads.append(<str> pads[-1] + "  ")
            continue
        yield _listing_line(buf, start, pos, base, <str> pads[-1], what)
        if payload is not None and nested is not None:
            yield from nested(payload, <str> pads[-1] + "  ", base + offset, len(pads) - 1)
