"""The DPU: processing a message of 2,000 Get and Replace commands against a 100,000-node tree,
against decoding and encoding that message and its answer (the codec work of the exchange)."""

from __future__ import annotations

import random
from collections.abc import Callable

from tree import FANOUT, sample_tree

import syncml_codec
from syncml_codec.dm import Processor
from syncml_codec.model import Get, Item, Message, Meta, Replace

COMMANDS = 2_000
NODES = 100_000


def dpu_operations(
    nodes: int = NODES, commands: int = COMMANDS
) -> dict[tuple[str, str], Callable[[], object]]:
    tree = sample_tree(nodes)
    tree.replace(".?prop=ACL", "Add=*&Get=*&Replace=*")
    for folder in range((nodes + FANOUT - 1) // FANOUT):
        tree.replace(f"./N{folder}?prop=ACL", "Get=*&Replace=*")
    picker = random.Random(2)
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source="srv", final=True)
    for number in range(commands):
        index = picker.randrange(nodes)
        uri = f"./N{index // FANOUT}/L{index % FANOUT}"
        if number % 2:
            message.add(Get(items=[Item(target=uri)]))
        else:
            message.add(
                Replace(items=[Item(target=uri, data=f"v{number}", meta=Meta(format="chr"))])
            )
    data = message.to_wbxml()
    received = Message.from_bytes(data)
    processor = Processor(tree, "srv")
    answer = processor.answer(received, msg_id=2).element
    answer_data = syncml_codec.encode(answer)
    return {
        ("process 2,000 commands", "cython"): lambda: processor.process(received),
        ("decode the message", "cython"): lambda: syncml_codec.decode(data),
        ("encode the message", "cython"): lambda: syncml_codec.encode(received.element),
        ("decode the answer", "cython"): lambda: syncml_codec.decode(answer_data),
        ("encode the answer", "cython"): lambda: syncml_codec.encode(answer),
    }
