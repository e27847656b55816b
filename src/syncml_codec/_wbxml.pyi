"""The interface of the compiled core (``src/_wbxml.pyx``), shared by its pure-Python twin
``syncml_codec.fallback``; ``tests/test_interface.py`` keeps the two in step."""

from array import array
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any, ClassVar

from .limits import Limits
from .wbxml.header import Header
from .wbxml.languages import Language
from .wbxml.listing import Nested

class Element:
    tag: str
    namespace: str | None
    attributes: dict[str, str]
    text: str | bytes | None
    children: list[Element]
    tail: str | bytes | None
    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __init__(
        self,
        tag: str,
        namespace: str | None = None,
        attributes: dict[str, str] | None = None,
        text: str | bytes | None = None,
        children: Iterable[Element] | None = None,
        tail: str | bytes | None = None,
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __iter__(self) -> Iterator[Element]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> Element: ...
    def find(self, path: str) -> Element | None: ...
    def findall(self, path: str) -> list[Element]: ...
    def iterfind(self, path: str) -> Iterator[Element]: ...
    def findtext(self, path: str, default: Any = None) -> Any: ...
    def iter(self, tag: str | None = None) -> Iterator[Element]: ...

def decode_wbxml(
    data: bytes,
    *,
    language: Language | None = None,
    limits: Limits = ...,
    unknown_tags: str = "error",
    type_rewrite: bool = True,
    _depth: int = 0,
    _budget: Any = None,
) -> Element: ...
def encode_wbxml(
    root: Any,
    *,
    language: Language | None = None,
    version: int = 3,
    public_id: str = "number",
    string_table: bool = False,
    opaque_data: str = "auto",
    type_rewrite: bool = True,
) -> bytes: ...
def list_tokens(
    data: bytes,
    header: Header,
    limits: Limits,
    indent: str = "",
    base: int = 0,
    nested: Nested | None = None,
) -> Iterator[str]: ...
def measure_wbxml(
    root: Any,
    parent: Any,
    *,
    language: Language | None = None,
    version: int = 3,
    public_id: str = "number",
    opaque_data: str = "auto",
    type_rewrite: bool = True,
    offset_width: int = 1,
) -> tuple[int, array[int], int]: ...
def read_lxml(node: Any, language: Language | None = None, limits: Limits = ...) -> Element: ...
def read_xml(xml: bytes | str, *, limits: Limits = ...) -> Element: ...

class ItemRead:
    target: str | None
    source: str | None
    format: str | None
    type: str | None
    data: Any
    more_data: bool

class CommandRead:
    tag: str
    cmd_id: str | None
    no_resp: bool
    requests: list[ItemRead]
    more_data: bool

def read_command(element: Any) -> CommandRead: ...
def elements_of(commands: Iterable[Any], kind: type[Any]) -> list[Any]: ...
def to_namespace(elements: Iterable[Any], namespace: str | None) -> None: ...
def number_commands(
    elements: Iterable[Any],
    first: int,
    commands: Mapping[str, Collection[str]],
    containers: Collection[str],
) -> array[int]: ...
def joined_answers(elements: Iterable[Any], previous: Any) -> bytearray: ...
def one_digit_sizes(figures: array[int], cmd_ids: array[int], first: int) -> None: ...
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
) -> tuple[int, int, int, int]: ...
def status_element(
    namespace: str | None,
    msg_ref: str | None,
    cmd_ref: str | None,
    cmd: str,
    requests: Iterable[Any],
    data: str,
    answered: Iterable[Any],
) -> Element: ...
def results_element(
    namespace: str | None, msg_ref: str | None, cmd_ref: str | None, items: Iterable[Any]
) -> Element: ...
def result_item(
    namespace: str | None, uri: str, format: str | None, type: str | None, value: Any
) -> Element: ...
def write_xml(root: Any, pretty: bool = False) -> bytes: ...
def wbxml_to_xml(
    data: bytes,
    *,
    pretty: bool = False,
    language: Language | None = None,
    limits: Limits = ...,
    unknown_tags: str = "error",
    type_rewrite: bool = True,
) -> bytes: ...
def xml_to_wbxml(xml: bytes | str, *, limits: Limits = ..., **options: Any) -> bytes: ...
def set_element_reserve(max_bytes: int) -> int: ...
def read_tnds_node(element: Any) -> tuple[Any, ...]: ...
