# The element trees of the answers a DM client sends, each built in one call
# (``wbxml.answers``, faster). Included by _wbxml.pyx after element.pxi.


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
