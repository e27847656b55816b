# What the outbox does once per command, each in one call over all of them
# (``wbxml.packing``, faster). Included by _wbxml.pyx after element.pxi.

cdef enum:
    _FIGURES = 4  # wbxml.packing.FIGURES
    _NUMBER_TEXTS = 1024  # CmdID texts made once


cdef list _number_texts = [str(number) for number in range(_NUMBER_TEXTS)]


cdef inline object _number_text(Py_ssize_t number):
    if 0 <= number < _NUMBER_TEXTS:
        return _number_texts[number]
    return str(number)


cdef inline int _set_text_any(object node, object text) except -1:
    if type(node) is Element:
        return _set_text(<Element> node, text)
    node.text = text
    return 0


cdef enum:
    _NOT_A_COMMAND = 0
    _COMMAND = 1
    _CONTAINER = 2


@cython.final
cdef class _Kinds:
    """Whether elements are commands, or containers of commands: by the tags ``commands``
    and ``containers`` hold, the last name asked about remembered (a package is mostly
    commands of one kind in a row)."""
    cdef object commands, containers
    cdef _Name last_name
    cdef int last_kind

    def __cinit__(self, commands, containers):
        self.commands, self.containers = commands, containers

    cdef int of(self, object element) except -1:
        if type(element) is Element and (<Element> element)._name is self.last_name:
            return self.last_kind
        tag = _tag_of(element)
        kind = (_NOT_A_COMMAND if tag not in self.commands
                else _CONTAINER if tag in self.containers else _COMMAND)
        if type(element) is Element:
            self.last_name, self.last_kind = (<Element> element)._name, kind
        return kind


cdef inline bint _is_syncml_namespace(object namespace):
    return isinstance(namespace, str) and namespace.upper().startswith("SYNCML:SYNCML")


def to_namespace(elements, namespace):
    """``wbxml.packing.to_namespace``."""
    if not _is_syncml_namespace(namespace):
        return
    for top in elements:
        current = _namespace(<Element> top) if type(top) is Element else top.namespace
        if current is namespace or current == namespace or not _is_syncml_namespace(current):
            continue
        pending = [top]
        while pending:
            node = pending.pop()
            if type(node) is Element:
                if _is_syncml_namespace(_namespace(<Element> node)):
                    (<Element> node)._name = _name_for(_tag(<Element> node), namespace)
                pending.extend(_children_of(<Element> node))
            else:
                if _is_syncml_namespace(node.namespace):
                    node.namespace = namespace
                pending.extend(node.children)


def number_commands(elements, Py_ssize_t first, commands, containers):
    """``wbxml.packing.number_commands``."""
    cdef array.array counts = array.array("q")
    cdef list tops = list(elements)
    cdef Py_ssize_t numbered = 0, index
    cdef _Kinds kinds = _Kinds(commands, containers)
    array.resize(counts, len(tops))
    for index in range(len(tops)):
        counts.data.as_longlongs[index] = _number_command(
            tops[index], first, &numbered, kinds)
    return counts


cdef Py_ssize_t _number_command(object top, Py_ssize_t first, Py_ssize_t* numbered,
                                _Kinds kinds) except -1:
    """Number the CmdIDs of one command and of the commands inside it (without recursion);
    how many there were."""
    cdef Py_ssize_t before = numbered[0]
    cdef int kind = kinds.of(top)
    if kind == _NOT_A_COMMAND:
        return 0
    if kind == _COMMAND:  # the usual command: no walk
        _number_one(top, _number_text(first + before), kinds.commands)
        numbered[0] += 1
        return 1
    cdef list pending = [(top,)]
    cdef list positions = [0]
    while pending:
        children = pending[-1]
        if positions[-1] >= len(children):
            pending.pop()
            positions.pop()
            continue
        element = children[positions[-1]]
        positions[-1] += 1
        kind = kinds.of(element)
        if kind == _NOT_A_COMMAND:
            continue
        _number_one(element, _number_text(first + numbered[0]), kinds.commands)
        numbered[0] += 1
        if kind == _CONTAINER:
            nested = _children_any(element)
            pending.append(nested if _is_sequence(nested) else list(nested))
            positions.append(0)
    return numbered[0] - before


cdef int _number_one(object element, object text, object commands) except -1:
    """Set the text of ``element``'s first CmdID child, or give it one where the model would."""
    for child in _children_any(element):
        if _tag_of(child) == "CmdID":
            return _set_text_any(child, text)
    cdef list children = element.children
    after = commands[_tag_of(element)]
    cdef Py_ssize_t place = len(children), index
    for index in range(len(children)):
        if _tag_of(children[index]) in after:
            place = index
            break
    namespace = _namespace(<Element> element) if type(element) is Element else element.namespace
    children.insert(place, _leaf("CmdID", namespace, text))
    return 0


def joined_answers(elements, previous):
    """``wbxml.packing.joined_answers``."""
    cdef list commands = list(elements)
    cdef bytearray joined = bytearray(len(commands))
    cdef Py_ssize_t index = 0
    for element in commands:
        if (previous is not None and _tag_of(element) == "Results"
                and _tag_of(previous) == "Status"):
            joined[index] = _refs(previous) == _refs(element)
        previous = element
        index += 1
    return joined


cdef tuple _refs(object element):
    cdef object msg_ref = None, cmd_ref = None
    cdef bint seen_msg_ref = False, seen_cmd_ref = False
    for child in _children_any(element):
        tag = _tag_of(child)
        if tag == "MsgRef" and not seen_msg_ref:
            msg_ref, seen_msg_ref = _text_any(child), True
        elif tag == "CmdRef" and not seen_cmd_ref:
            cmd_ref, seen_cmd_ref = _text_any(child), True
    return msg_ref, cmd_ref


cdef inline long long _extra_digits(long long first, long long count):
    """``wbxml.packing._digits``."""
    cdef long long extra = 0, power = 10, last = first + count - 1
    while power <= last:
        extra += last - (first if first > power else power) + 1
        if power > last // 10:  # the next power is past the last (and may not fit)
            break
        power *= 10
    return extra


def one_digit_sizes(long long[:] figures, const long long[:] cmd_ids, long long first):
    """``wbxml.packing.one_digit_sizes``."""
    cdef Py_ssize_t index
    if figures.shape[0] != _FIGURES * cmd_ids.shape[0]:
        raise ValueError("figures and CmdID counts of different commands")
    for index in range(cmd_ids.shape[0]):
        figures[_FIGURES * index] -= _extra_digits(first, cmd_ids[index])
        first += cmd_ids[index]


def fit(const long long[:] figures, const long long[:] cmd_ids, const unsigned char[:] joined,
        Py_ssize_t start, Py_ssize_t stop, long long size, long long page, long long cmd_id,
        long long max_size, final_costs):
    """``wbxml.packing.fit``."""
    cdef Py_ssize_t position = start, end, index
    cdef long long after, after_page, after_id, final
    cdef bint with_final = final_costs is not None
    cdef long long final_on_zero = final_costs[0] if with_final else 0
    cdef long long final_on_other = final_costs[1] if with_final else 0
    if stop > cmd_ids.shape[0] or stop > joined.shape[0] or stop * _FIGURES > figures.shape[0]:
        raise ValueError("fewer figures than commands")
    if start < 0:
        raise ValueError("a negative start")
    while position < stop:
        end = position + 1
        while end < stop and joined[end]:
            end += 1
        after, after_page, after_id = size, page, cmd_id
        for index in range(position, end):
            after += figures[_FIGURES * index] + _extra_digits(after_id, cmd_ids[index])
            if figures[_FIGURES * index + 2] != after_page:
                after += 2  # SWITCH_PAGE and the page
            after_page = figures[_FIGURES * index + 3]
            after_id += cmd_ids[index]
        final = 0
        if end == stop and with_final:
            final = final_on_other if after_page else final_on_zero
        if after + final > max_size:
            break
        position, size, page, cmd_id = end, after, after_page, after_id
    return position, size, page, cmd_id


def elements_of(commands, kind):
    """``wbxml.packing.elements_of``."""
    cdef list elements = []
    cdef type checked = None  # the type of the last command (a package is mostly one type)
    for command in commands:
        if type(command) is not checked:
            if not isinstance(command, kind):
                raise TypeError(f"expected a command, not {type(command).__name__}")
            checked = type(command)
        elements.append(command.element)
    return elements
