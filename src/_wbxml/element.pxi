# The Element: the compiled tree node (a shared name and one content field) and its accessors.
# Included by _wbxml.pyx (one compilation unit); order matters.

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
    strings (which the encoders refuse) get a _Name of their own, holding them as given.

    Threads share ``_recent_names``: a slot is read and taken (a reference of our own), or
    replaced, with no Python code in between, and the name it held is released only after the
    slot holds the new one, since releasing may run code that lets another thread in. A
    critical section on ``_names`` does the same in a free-threaded build; ``_names`` is only
    used through single dict operations.
    """
    cdef size_t key = (<size_t> <PyObject*> tag) ^ ((<size_t> <PyObject*> namespace) >> 3)
    cdef size_t index = ((key >> 4) ^ (key >> 13)) & (_NAME_SLOTS - 1)
    cdef _Name name = None
    cdef PyObject* previous
    with cython.critical_section(_names):
        if _recent_names[index] != NULL:
            name = <_Name> _recent_names[index]
    if name is not None and name.tag is tag and name.namespace is namespace:
        return name
    cdef bint plain = type(tag) is str and (namespace is None or type(namespace) is str)
    name = _names.get((tag, namespace)) if plain else None
    if name is None:
        name = _Name.__new__(_Name)
        name.tag, name.namespace = tag, namespace
        if plain and len(_names) < _NAMES_KEPT:
            _names[(tag, namespace)] = name
    Py_INCREF(name)
    with cython.critical_section(_names):
        previous = _recent_names[index]
        _recent_names[index] = <PyObject*> name
    Py_XDECREF(previous)
    return name


cdef _Name _NO_NAME = _name_for(None, None)  # an Element made by __new__ alone


cdef int _remember_token(_Name name, object language, int page, int token, int rules) except -1:
    """Note ``name``'s token in ``language`` for the encoder's next look-up of it.

    Threads share the names. A reader checks ``tokens_language`` and reads the three numbers
    with no Python code in between, so a writer must never let another thread run while
    ``tokens_language`` names a language the numbers are not from. The previous language is held
    here until the writes are done, so replacing it runs no destructor (which could let another
    thread run); in a free-threaded build the critical section on the name does the same.
    """
    cdef object previous = name.tokens_language
    with cython.critical_section(name):
        name.tokens_language = None
        name.page, name.token, name.rules = page, token, rules
        name.tokens_language = language
    return 0


@cython.no_gc
@cython.final
cdef class _RareFields:
    """Everything an Element holds, for the few elements whose content does not fit its one
    ``_content`` field: attributes, a tail, or both text and children (see ``Element``)."""
    cdef object text, children, attributes, tail


@cython.no_gc
cdef class Element:
    """One node of the neutral element tree (see ``syncml_codec.wbxml.element``; same fields and behaviour).

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
        """Equal fields and equal children, compared without recursion (a tree may be as deep
        as the decoding limits let it be); NotImplemented for what is no element."""
        cdef list firsts = [self], seconds = [other]  # pairs to compare, at equal places
        cdef bint top = True
        while firsts:
            first, second = firsts.pop(), seconds.pop()
            if type(first) is not Element:  # an element of the other implementation, or else
                if first != second:
                    return False
                continue
            try:
                if not _same_fields(<Element> first, second):
                    return False
                children = _children_of(<Element> first)
                others = _children_any(second)
            except AttributeError:
                if top:
                    return NotImplemented
                return False
            top = False
            if len(children) != len(others):
                return False
            firsts.extend(children)
            seconds.extend(others)
        return True

    __hash__ = None

    def __iter__(self):
        return iter(_children_of(self))

    def __len__(self):
        if type(self._content) is Element:
            return 1
        children = _raw_children(self)
        return 0 if children is None else len(children)

    def __getitem__(self, index):
        return _children_of(self)[index]

    def find(self, path):
        """The first element ``path`` selects (``SyncHdr/SessionID``, ``.//LocURI``), or None."""
        if type(path) is str and "/" not in <str> path and path != "*" and path != ".":
            for child in _children_of(self):
                if _tag_of(child) == path:
                    return child
            return None
        return next(iterfind(self, path), None)

    def findall(self, path):
        """Every element ``path`` selects, in document order."""
        return list(iterfind(self, path))

    def iterfind(self, path):
        """The elements ``path`` selects, in document order."""
        return iterfind(self, path)

    def findtext(self, path, default=None):
        """The text of the first element ``path`` selects, or ``default`` (also when it has no
        text)."""
        found = self.find(path)
        return default if found is None or found.text is None else found.text

    def iter(self, tag=None):
        """This element and its descendants in document order, those named ``tag`` if given."""
        return iter_elements(self, tag)

    def __deepcopy__(self, memo):
        """The subtree copied without recursion (``wbxml.element.copy_tree``)."""
        return _copy_tree(self, memo)

    def __reduce__(self):
        return (Element, (_tag(self), _namespace(self), _attributes_of(self), _text_of(self),
                          self.children, _tail_of(self)))


cdef Element _shallow_copy(Element element):
    """A copy of ``element`` without its children."""
    cdef Element copied = _new_element(element._name)
    content = element._content
    if type(content) is _RareFields:
        rare = <_RareFields> content
        _set_text(copied, rare.text)
        attributes = rare.attributes
        if attributes or rare.tail is not None:
            copied_rare = _rare_fields(copied)
            copied_rare.attributes = dict(attributes) if attributes else None
            copied_rare.tail = rare.tail
    elif content is None or type(content) is str:
        copied._content = content
    return copied


cdef object _copy_tree(Element root, dict memo):
    """``wbxml.element.copy_tree`` for compiled Elements: the same copy (``memo`` keeps shared
    elements shared, what is not an Element is copied by ``copy.deepcopy``), a leaf's copy
    without an empty children list."""
    found = memo.get(id(root))
    if found is not None:
        return found
    top = memo[id(root)] = _shallow_copy(root)
    cdef list pending = [(root, top)]
    cdef list copies
    while pending:
        source, target = pending.pop()
        children = _children_of(<Element> source)
        if not children:
            continue
        copies = []
        PyObject_GC_UnTrack(copies)  # as the Elements are (see Element)
        for child in children:
            copied = memo.get(id(child))
            if copied is None:
                if isinstance(child, type(source)):
                    copied = memo[id(child)] = _shallow_copy(<Element> child)
                    pending.append((child, copied))
                else:
                    copied = deepcopy(child, memo)
            copies.append(copied)
        _set_children(<Element> target, copies)
    return top


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


cdef inline bint _same_fields(Element element, object other) except -1:
    """Whether ``element`` and ``other`` (any element node) agree but for their children."""
    return (_tag(element) == other.tag and _namespace(element) == other.namespace
            and _text_of(element) == other.text and _tail_of(element) == other.tail
            and (_attributes_of(element) or {}) == (_attributes_any(other) or {}))


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
