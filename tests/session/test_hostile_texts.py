"""Every text of the first message each side sends, replaced in turn by texts a parser may
choke on (digits of other scripts, numbers of thousands of digits, NUL, signs, an empty text),
given to the other side: only SyncMLError is raised, a refused message leaves the server's state
as it was and the genuine message still goes through (the session fuzz target's check,
``helpers.sessions.play``, run over every text rather than at random)."""

from __future__ import annotations

import copy
import warnings

import pytest

import syncml_codec
from syncml_codec import SyncMLError

from helpers.sessions import Recording, play, record_session

pytestmark = pytest.mark.usefixtures("codec")

HOSTILE = ["²", "1²", "٣", "9" * 5_000, "18446744073709551616", "-1", "+5", "", "\x00", " 7 "]


@pytest.fixture(scope="module")
def recording() -> Recording:
    return record_session()


@pytest.mark.parametrize("side", [0, 1], ids=["to-the-server", "to-the-device"])
def test_each_text_of_a_first_message_replaced_by_a_hostile_one(recording, side):
    sent = (recording.from_client, recording.from_server)[side][0]
    document = syncml_codec.decode(sent)
    leaves = sum(1 for node in document.iter() if not node.children)
    for index in range(leaves):
        for text in HOSTILE:
            changed = copy.deepcopy(document)
            leaf = [node for node in changed.iter() if not node.children][index]
            leaf.text = text
            try:
                data = syncml_codec.encode(changed)
            except SyncMLError:
                continue  # a text this element cannot hold in WBXML
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the odd shapes are warned about
                play(recording, bytes([side, 0]) + data)
