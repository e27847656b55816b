"""What the outbox does once per command, each in one call over all of them (a 10 MB package is
thirty thousand commands): taking their elements, putting them in the message's SyncML
namespace, numbering their CmdIDs, keeping each Results with the Status before it, taking the
digits of CmdIDs out of measured sizes, and working out how many measured commands fit a
message.

The compiled core has a twin of each (``_wbxml.elements_of``, ``_wbxml.number_commands``, ...)
that gives the same; the outbox uses the implementation in use.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from .element import Element

__all__ = [
    "FIGURES",
    "elements_of",
    "fit",
    "joined_answers",
    "number_commands",
    "one_digit_sizes",
    "to_namespace",
]

#: Figures a measured command has (``measure_wbxml``'s): its size without a leading page switch,
#: the page in force before it, the page it starts in, the page in force after it.
FIGURES = 4
_SWITCH_PAGE = 2  # SWITCH_PAGE and a page number below 128


def elements_of(commands: Iterable[Any], kind: type[Any]) -> list[Any]:
    """The element of each of ``commands``, each checked to be a ``kind`` (TypeError naming
    the type of the first that is not)."""
    elements = []
    for command in commands:
        if not isinstance(command, kind):
            raise TypeError(f"expected a command, not {type(command).__name__}")
        elements.append(command.element)
    return elements


def to_namespace(elements: Iterable[Any], namespace: str | None) -> None:
    """Put the command ``elements`` that are in another SyncML namespace than the SyncML
    ``namespace`` (made for another SyncML version) in it, with every SyncML element inside
    them; nothing when ``namespace`` is none of SyncML's."""
    if not _is_syncml_namespace(namespace):
        return
    for top in elements:
        if top.namespace == namespace or not _is_syncml_namespace(top.namespace):
            continue
        pending = [top]
        while pending:
            node = pending.pop()
            if _is_syncml_namespace(node.namespace):
                node.namespace = namespace
            pending.extend(node.children)


def _is_syncml_namespace(namespace: Any) -> bool:
    """Whether ``namespace`` is one of SyncML's (``SYNCML:SYNCML1.2``, any version or case)."""
    return isinstance(namespace, str) and namespace.upper().startswith("SYNCML:SYNCML")


def number_commands(
    elements: Sequence[Any],
    first: int,
    commands: Mapping[str, Collection[str]],
    containers: Collection[str],
) -> array[int]:
    """Number the CmdIDs of the command ``elements`` (their tags the keys of ``commands``) and
    of the commands inside those of them that are ``containers``, in document order, from
    ``first``; how many CmdIDs each of ``elements`` holds (its own included). A command's first
    CmdID child is numbered; one without gets a CmdID before its first child whose tag
    ``commands`` gives for it (as the model adds one)."""
    counts = array("q")
    numbered = 0
    for top in elements:
        before = numbered
        pending = [iter((top,))]
        while pending:
            for element in pending[-1]:
                if element.tag not in commands:
                    continue
                _number(element, str(first + numbered), commands)
                numbered += 1
                if element.tag in containers:
                    pending.append(iter(element))
                    break
            else:
                pending.pop()
        counts.append(numbered - before)
    return counts


def _number(element: Any, text: str, commands: Mapping[str, Collection[str]]) -> None:
    for child in element:
        if child.tag == "CmdID":
            child.text = text
            return
    children = element.children
    after = commands[element.tag]
    place = next((i for i, child in enumerate(children) if child.tag in after), len(children))
    children.insert(place, Element("CmdID", element.namespace, None, text))


def joined_answers(elements: Sequence[Any], previous: Any) -> bytearray:
    """For each of the command ``elements``, whether it is the Results of the command that the
    Status right before it answers (``previous`` before the first, None for none): the two
    travel in one message."""
    joined = bytearray(len(elements))
    for index, element in enumerate(elements):
        if element.tag == "Results" and previous is not None and previous.tag == "Status":
            joined[index] = _refs(previous) == _refs(element)
        previous = element
    return joined


def _refs(element: Any) -> tuple[Any, Any]:
    """The text of the first MsgRef and the first CmdRef (as the model reads them)."""
    msg_ref = cmd_ref = None
    seen_msg_ref = seen_cmd_ref = False
    for child in element:
        if child.tag == "MsgRef" and not seen_msg_ref:
            msg_ref, seen_msg_ref = child.text, True
        elif child.tag == "CmdRef" and not seen_cmd_ref:
            cmd_ref, seen_cmd_ref = child.text, True
    return msg_ref, cmd_ref


def one_digit_sizes(figures: array[int], cmd_ids: array[int], first: int) -> None:
    """Take out of each command's size (``figures``, the command holding ``cmd_ids`` CmdIDs)
    the digits beyond one of its CmdIDs, the commands numbered in order from ``first``: the
    sizes ``fit`` works with."""
    if len(figures) != FIGURES * len(cmd_ids):
        raise ValueError("figures and CmdID counts of different commands")
    for index, count in enumerate(cmd_ids):
        figures[FIGURES * index] -= _digits(first, count)
        first += count


def fit(
    figures: array[int],
    cmd_ids: array[int],
    joined: bytes | bytearray,
    start: int,
    stop: int,
    size: int,
    page: int,
    cmd_id: int,
    max_size: int,
    final_costs: tuple[int, int] | None,
) -> tuple[int, int, int, int]:
    """Place the commands from ``start`` on, a unit at a time (a command and those joined to
    it), in a message of ``size`` bytes so far, whose last command ended in ``page``, whose next
    CmdID is ``cmd_id``; while the message stays within ``max_size``, with Final after the unit
    that ends at ``stop`` (the last waiting): ``final_costs`` is what Final adds after page 0
    and after another (None: no Final). Each command costs its size (``figures``, measured with
    CmdIDs of one digit), a page switch where it starts in a page other than the one in force,
    and its CmdIDs' digits beyond one. Gives where placing stopped, and the message's size,
    page and next CmdID there."""
    if stop > len(cmd_ids) or stop > len(joined) or stop * FIGURES > len(figures):
        raise ValueError("fewer figures than commands")
    if start < 0:
        raise ValueError("a negative start")
    position = start
    while position < stop:
        end = position + 1
        while end < stop and joined[end]:
            end += 1
        after, after_page, after_id = size, page, cmd_id
        for index in range(position, end):
            command_size, _, first_page, end_page = figures[FIGURES * index : FIGURES * index + 4]
            after += command_size + _digits(after_id, cmd_ids[index])
            if first_page != after_page:
                after += _SWITCH_PAGE
            after_page, after_id = end_page, after_id + cmd_ids[index]
        final = 0
        if end == stop and final_costs is not None:
            final = final_costs[1 if after_page else 0]
        if after + final > max_size:
            break
        position, size, page, cmd_id = end, after, after_page, after_id
    return position, size, page, cmd_id


def _digits(first: int, count: int) -> int:
    """The bytes CmdIDs ``first`` .. ``first + count - 1`` add over one digit each: for each
    power of ten up to the last, the numbers from it on take a digit more."""
    extra, power, last = 0, 10, first + count - 1
    while power <= last:
        extra += last - max(first, power) + 1
        power *= 10
    return extra
