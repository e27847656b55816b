# XML straight to WBXML: a scanner over the XML bytes, without a tree.
# Included by _wbxml.pyx (one compilation unit); order matters.

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
        cdef _Token token
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
        self.tokens.find(<const char*> name, name_length, <const char*> namespace,
                         namespace_length, _fnv1a_bytes(name, name_length, namespace_hash),
                         &token)
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
        if uri is None and document is None:
            return _GIVE_UP  # its VerDTD, anywhere in its header, names its version

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
