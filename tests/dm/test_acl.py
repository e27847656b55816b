"""Access control lists: the grammar, exact server ids, '*', inheritance of the whole value."""

from __future__ import annotations

import pytest

from syncml_codec.dm import DEFAULT_ROOT_ACL, Acl, TreeError

SONERA = (
    "Add=www.sonera.fi-8765&Delete=www.sonera.fi-8765&Replace=www.sonera.fi-8765+321_ibm.com&Get=*"
)


def test_the_specs_example_reads_and_writes_back():
    acl = Acl.parse(SONERA)
    assert str(acl) == SONERA
    assert acl.entries["Replace"] == ("www.sonera.fi-8765", "321_ibm.com")
    assert acl.allows("Replace", "321_ibm.com") and acl.allows("Get", "anyone")
    assert not acl.allows("Exec", "www.sonera.fi-8765")


def test_server_ids_match_whole_never_as_substrings():
    acl = Acl.parse("Get=mysrv+srv2")
    assert acl.allows("Get", "mysrv") and acl.allows("Get", "srv2")
    for near in ("srv", "mysr", "mysrv+srv2", "srv2 ", ""):
        assert not acl.allows("Get", near), near


def test_a_star_allows_every_server():
    acl = Acl.parse("Get=a+*")
    assert acl.allows("Get", "b") and not acl.allows("Replace", "a")


@pytest.mark.parametrize(
    "text", ["Get", "Get=", "Get=a+", "Copy=a", "get=a", "Get=a b", "Get=a&", "Get=a=b", "Get=**"]
)
def test_acls_that_break_the_grammar_are_400(text):
    with pytest.raises(TreeError) as raised:
        Acl.parse(text)
    assert raised.value.status == 400


def test_an_empty_acl_inherits_the_nearest_ancestors_whole_value():
    own, parent, root = Acl.parse(""), Acl.parse("Get=a"), DEFAULT_ROOT_ACL
    assert not own and str(own) == ""
    effective = Acl.effective([own, parent, root])
    assert effective is parent
    # inheritance is of the whole value: the parent's Get=a does not borrow the root's Add=*
    assert not effective.allows("Add", "a") and DEFAULT_ROOT_ACL.allows("Add", "a")
    assert Acl.effective([Acl(), Acl()]) == Acl()


def test_the_acl_of_a_node_a_server_adds_without_replace_on_its_parent():
    acl = Acl.for_creator("srv1")
    assert str(acl) == "Add=srv1&Delete=srv1&Replace=srv1"
    assert not acl.allows("Get", "srv1") and not acl.allows("Add", "srv2")


def test_a_command_named_twice_is_one_entry():
    assert str(Acl.parse("Get=a&Get=b+a")) == "Get=a+b"
