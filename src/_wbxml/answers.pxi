# The DPU's work on elements, each piece in one call: reading a received command and building
# the element trees of its answers (``wbxml.answers``, faster). Included by _wbxml.pyx after
# element.pxi.


@cython.final
cdef class ItemRead:
    """``wbxml.answers.ItemRead``."""
    cdef readonly object target, source, format, type, data
    cdef readonly bint more_data

    def __init__(self, target, source, format, type, data, more_data):
        self.target, self.source, self.format, self.type = target, source, format, type
        self.data, self.more_data = data, more_data


@cython.final
cdef class CommandRead:
    """``wbxml.answers.CommandRead``."""
    cdef readonly object tag, cmd_id
    cdef readonly bint no_resp, more_data
    cdef readonly list requests

    def __init__(self, tag, cmd_id, no_resp, list requests):
        self.tag, self.cmd_id, self.no_resp, self.requests = tag, cmd_id, no_resp, requests
        self.more_data = bool(requests) and (<ItemRead> requests[-1]).more_data


cdef inline object _text_any(object node):
    return _text_of(<Element> node) if type(node) is Element else node.text


def read_command(element):
    """``wbxml.answers.read_command``."""
    cdef object cmd_id = None, format = None, type_ = None
    cdef bint no_resp = False, seen_cmd_id = False, seen_meta = False
    cdef list items = []
    for child in _children_any(element):
        tag = _tag_of(child)
        if tag == "Item":
            items.append(child)
        elif tag == "CmdID":
            if not seen_cmd_id:
                cmd_id, seen_cmd_id = _text_any(child), True
        elif tag == "NoResp":
            no_resp = True
        elif tag == "Meta" and not seen_meta:
            format, type_ = _format_and_type(child)
            seen_meta = format is not None or type_ is not None
    cdef CommandRead read = CommandRead.__new__(CommandRead)
    read.tag, read.cmd_id, read.no_resp = _tag_of(element), cmd_id, no_resp
    read.requests = [_read_item(item, format, type_) for item in items]
    read.more_data = bool(read.requests) and (<ItemRead> read.requests[-1]).more_data
    return read


cdef ItemRead _read_item(object element, object command_format, object command_type):
    cdef ItemRead read = ItemRead.__new__(ItemRead)
    cdef object format = None, type_ = None, uri
    for child in _children_any(element):
        tag = _tag_of(child)
        if tag == "Target" or tag == "Source":
            uri = None
            for part in _children_any(child):
                if _tag_of(part) == "LocURI":
                    uri = _text_any(part)
                    break
            if tag == "Target":
                read.target = uri
            else:
                read.source = uri
        elif tag == "Meta":
            format, type_ = _format_and_type(child)
        elif tag == "Data":
            parts = _children_any(child)
            read.data = parts[0] if len(parts) else _text_any(child)  # a document, or text
        elif tag == "MoreData":
            read.more_data = True
    read.format = format or command_format
    read.type = type_ or command_type
    return read


cdef tuple _format_and_type(object meta):
    cdef object format = None, type_ = None
    for part in _children_any(meta):
        tag = _tag_of(part)
        if tag == "Format":
            format = _text_any(part)
        elif tag == "Type":
            type_ = _text_any(part)
    return format, type_


cdef inline Element _leaf(object tag, object namespace, object text):
    cdef Element element = _new_element(_name_for(tag, namespace))
    _set_text(element, text)
    return element


cdef inline Element _branch(object tag, object namespace, list children):
    cdef Element element = _new_element(_name_for(tag, namespace))
    _set_children(element, children)
    return element


def status_element(namespace, msg_ref, cmd_ref, cmd, requests, data, answered):
    """``wbxml.answers.status_element``."""
    cdef list asked = list(requests)
    cdef list parts = [_leaf("MsgRef", namespace, msg_ref), _leaf("CmdRef", namespace, cmd_ref),
                       _leaf("Cmd", namespace, cmd)]
    for request in asked:
        target = request.target
        if target:
            parts.append(_leaf("TargetRef", namespace, target))
    for request in asked:
        source = request.source
        if source:
            parts.append(_leaf("SourceRef", namespace, source))
    parts.append(_leaf("Data", namespace, data))
    for item in answered:
        parts.append(item.element)
    return _branch("Status", namespace, parts)


def results_element(namespace, msg_ref, cmd_ref, items):
    """``wbxml.answers.results_element``."""
    cdef list parts = [_leaf("MsgRef", namespace, msg_ref), _leaf("CmdRef", namespace, cmd_ref)]
    for item in items:
        parts.append(item.element)
    return _branch("Results", namespace, parts)


def result_item(namespace, uri, format, type, value):
    """``wbxml.answers.result_item``."""
    cdef list meta = [_leaf("Format", METINF_NAMESPACE, format)]
    if type:
        meta.append(_leaf("Type", METINF_NAMESPACE, type))
    cdef list parts = [_branch("Source", namespace, [_leaf("LocURI", namespace, uri)]),
                       _branch("Meta", namespace, meta)]
    if isinstance(value, (str, bytes)):
        parts.append(_leaf("Data", namespace, value))
    elif value is not None:
        parts.append(_branch("Data", namespace, [value]))
    return _branch("Item", namespace, parts)
