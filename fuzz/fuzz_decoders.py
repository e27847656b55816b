"""Coverage-guided fuzzing of every decoder with atheris (libFuzzer for Python).

Targets:
  wbxml-cython   the compiled decoder, plus round trips of what it decodes
  wbxml-python   the pure-Python decoder, plus round trips
  differential   both decoders on each input: the same tree, or the same error at the same offset;
                 the compiled WBXML->XML stream writes what its tree path writes; and both
                 token listings (dump) make the same lines and stop at the same error
  xml            both XML readers (compiled over libxml2's nodes, and pure) on each input: the same
                 tree or the same error, plus round trips; and the compiled XML->WBXML scanner
                 writes what the tree path writes
  notification   the DM and DS notification decoders
  tree           TNDS and DDF documents (XML or WBXML) loaded into a management tree by both
                 implementations: the same tree or the same error, and a loaded tree saves and
                 loads back identical
  dpu            messages (XML or WBXML) processed by the DPU against a device tree with a
                 FUMO plug-in: every command answered, nothing raised but DecodeError and
                 ModelError for bytes that are no message
  session        a message given to a client or a server session at any step of a recorded
                 session (the first byte picks the side, the second the step): nothing raised
                 but the documented SyncMLError, a refused message leaves the server's state
                 as it was and the genuine message still goes through, an accepted one leaves
                 a state that saves and restores

Anything but DecodeError from a decoder (or TreeError from the tree) is a finding, and so is a
round trip that changes the tree.

    fuzz/build_extension.sh fuzz        # the extension with coverage instrumentation
    python fuzz/fuzz_decoders.py TARGET [--instrumented] [libFuzzer flags] [CORPUS_DIR ...]
    python fuzz/fuzz_decoders.py TARGET --replay FILE_OR_DIR ...   # check inputs, no fuzzing
    python fuzz/fuzz_decoders.py wbxml-cython --instrumented -max_total_time=3600 \
        fuzz/corpus/wbxml-cython

The corpus directory is seeded from vectors/ on first use. libFuzzer writes crashers as
``crash-*`` files; each one found is kept under tests/fuzz_regressions/ as a regression test.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Options the xml target converts each input to WBXML with (one per input, by its length).
XML_TO_WBXML_OPTIONS = (
    {},
    {"opaque_data": "always", "version": 0},
    {"opaque_data": "never"},
    {"type_rewrite": False, "version": 1},
    {"string_table": True},
    {"string_table": True, "public_id": "string", "opaque_data": "always"},
)

TARGETS = (
    "wbxml-cython",
    "wbxml-python",
    "differential",
    "xml",
    "notification",
    "tree",
    "dpu",
    "session",
)


def _prepare(argv: list[str]) -> tuple[str, list[str]]:
    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: {argv[0]} {{{','.join(TARGETS)}}} [--instrumented] [libFuzzer args]")
    target = argv[1]
    rest = argv[2:]
    if "--instrumented" in rest:
        rest.remove("--instrumented")
        sys.path.insert(0, str(HERE / "build" / "fuzz"))
    return target, rest


def seed(corpus: Path, target: str) -> None:
    """Fill an empty corpus directory with the vectors of ``target``'s input kind."""
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    if target == "xml":
        sources = sorted((ROOT / "vectors" / "xml").glob("*.xml"))
    elif target == "notification":
        sources = []
        for name, data in _notification_seeds().items():
            (corpus / name).write_bytes(data)
    elif target == "tree":
        sources = sorted((ROOT / "src" / "syncml_codec" / "dm" / "mo").glob("*.ddf"))
        for name, data in _tree_seeds().items():
            (corpus / name).write_bytes(data)
    elif target == "dpu":
        sources = sorted((ROOT / "vectors").glob("libwbxml*/dm*.wbxml"))
    elif target == "session":
        sources = []
        for name, data in _session_seeds().items():
            (corpus / name).write_bytes(data)
    else:
        sources = sorted((ROOT / "vectors").glob("libwbxml*/*.wbxml"))
    for index, source in enumerate(sources):
        (corpus / f"seed-{index:03d}-{source.name}").write_bytes(source.read_bytes())


def _notification_seeds() -> dict[str, bytes]:
    from syncml_codec.security.notification import Notification, SyncAlert, SyncNotification

    dm = Notification(
        server_id="com.mgmtsrv.manage",
        session_id=0x1234,
        ui_mode=1,
        initiator=0,
        vendor_data=b"\x01\x02",
    )
    ds = SyncNotification(
        server_id="PC Suite Data Sync",
        syncs=(SyncAlert(206, "Contacts"), SyncAlert(207, "Calendar", 0x07)),
    )
    return {"seed-dm": dm.encode("secret", b"nonce"), "seed-ds": ds.encode("", b"")}


def _tree_seeds() -> dict[str, bytes]:
    from syncml_codec import encode
    from syncml_codec.dm import ManagementTree

    tree = ManagementTree(clock=lambda: 1_000_000_000.0)
    tree.add("./Vendor/ISP/GWName", "gw.example.com")
    tree.add("./Vendor/ISP/Port", "8080", format="int")
    tree.add("./Vendor/ISP/Key", b"\x00\xff")
    tree.replace("./Vendor?prop=ACL", "Get=*&Replace=srv")
    tree.replace("./Vendor/ISP/Port?prop=Title", "port")
    return {
        "seed-tnds.wbxml": tree.to_tnds_wbxml(),
        "seed-tnds.xml": encode(tree.to_tnds(), format="xml"),
        "seed-tnds-flat.wbxml": tree.to_tnds_wbxml(nested=False),
    }


def _session_seeds() -> dict[str, bytes]:
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers.sessions import HMAC_BOTH_WAYS, record_session

    seeds = {}
    for hmac, options in enumerate(({}, HMAC_BOTH_WAYS)):
        recording = record_session(**options)
        for side, messages in enumerate((recording.from_client, recording.from_server)):
            for step, data in enumerate(messages):
                seeds[f"seed-{hmac}-{side}-{step:02d}"] = bytes([hmac * 2 + side, step]) + data
    return seeds


def make_check(target: str) -> Callable[[bytes], None]:
    """The check one input goes through for ``target``: raises on a finding."""
    from syncml_codec import DecodeError, EncodeError, Limits, _impl, api, fallback
    from syncml_codec.dm import Ddf, FumoHandler, ManagementTree, Processor, TreeError, device_tree
    from syncml_codec.model import Message, ModelError
    from syncml_codec.security.notification import Notification, SyncNotification
    from syncml_codec.wbxml.header import read_header

    sys.path.insert(0, str(ROOT / "tests"))
    from helpers.roundtrip import assert_round_trips, decode_with_each_implementation
    from helpers.sessions import fuzz_recordings, play_one_of

    recordings = fuzz_recordings() if target == "session" else ()

    if target in ("wbxml-cython", "differential") and "cython" not in _impl.IMPLEMENTATIONS:
        sys.exit("the compiled extension is not built")

    # Limits an input of a few KB can cross (every other input is decoded under them), so the
    # fuzzers reach each limit's check in both implementations.
    tight = Limits(
        max_depth=48, max_string=2048, max_opaque=4096, max_elements=400, max_output=12_000
    )

    def limits_for(data: bytes) -> Limits:
        return tight if len(data) % 2 else Limits()

    def decode_with(name: str, data: bytes) -> None:
        _impl.use(name)
        try:
            tree = _impl.codec.decode_wbxml(data, limits=limits_for(data))
        except DecodeError:
            return
        assert_round_trips(tree)

    def listing(module: Any, data: bytes, limits: Limits) -> Any:
        lines: list[str] = []
        try:
            header = read_header(data)
            if header.language is not None:
                lines.extend(module.list_tokens(data, header, limits))
        except DecodeError as error:
            return lines, error.offset, error.message
        return lines

    def outcome(convert: Callable[[bytes], Any], data: bytes) -> Any:
        try:
            return convert(data)
        except DecodeError as error:
            return (error.offset, error.message)
        except EncodeError as error:  # a tree XML cannot carry
            return str(error)

    def check(data: bytes) -> None:
        if target == "wbxml-cython":
            decode_with("cython", data)
        elif target == "wbxml-python":
            decode_with("python", data)
        elif target == "differential":
            compiled_module = _impl.IMPLEMENTATIONS["cython"]
            limits = limits_for(data)
            compiled = outcome(lambda raw: compiled_module.decode_wbxml(raw, limits=limits), data)
            pure = outcome(lambda raw: fallback.decode_wbxml(raw, limits=limits), data)
            if compiled != pure:
                raise AssertionError(f"decoders disagree: {compiled!r} != {pure!r}")
            # The compiled WBXML->XML stream against its own tree path (the trees agree).
            streamed = outcome(lambda raw: compiled_module.wbxml_to_xml(raw, limits=limits), data)
            written = outcome(
                lambda raw: compiled_module.write_xml(
                    compiled_module.decode_wbxml(raw, limits=limits)
                ),
                data,
            )
            if streamed != written:
                raise AssertionError(f"XML stream disagrees: {streamed!r} != {written!r}")
            # dump's token listing: the same lines, and the same error after them.
            listed = {
                name: listing(module, data, limits)
                for name, module in (("cython", compiled_module), ("python", fallback))
            }
            if listed["cython"] != listed["python"]:
                raise AssertionError(f"listings disagree: {listed!r}")
        elif target == "xml":
            xml = data if not api.is_wbxml(data) else b"<" + data
            outcomes = decode_with_each_implementation(xml)
            if any(outcome != outcomes["python"] for outcome in outcomes.values()):
                raise AssertionError(f"implementations disagree: {outcomes!r}")
            if not isinstance(outcomes[_impl.name], tuple):
                assert_round_trips(outcomes[_impl.name], from_xml=True)
            if "cython" in _impl.IMPLEMENTATIONS:
                # The compiled XML->WBXML scanner against the tree path, under varied options.
                options = XML_TO_WBXML_OPTIONS[len(xml) % len(XML_TO_WBXML_OPTIONS)]
                streamed = outcome(
                    lambda raw: _impl.IMPLEMENTATIONS["cython"].xml_to_wbxml(raw, **options), xml
                )
                encoded = outcome(lambda raw: fallback.xml_to_wbxml(raw, **options), xml)
                if streamed != encoded:
                    raise AssertionError(f"XML->WBXML disagrees: {streamed!r} != {encoded!r}")
        elif target == "dpu":
            try:
                message = Message.from_bytes(data, limits=limits_for(data))
            except (DecodeError, ModelError):
                return
            processor = Processor(dpu_tree(), "srv")
            processor.mount(
                "./FwUpdate/x1",
                FumoHandler("./FwUpdate/x1", download=lambda url: 404, install=lambda pkg: 200),
            )
            answers = processor.process(message)
            answered = {answer.cmd_ref for answer in answers if answer.TAG == "Status"}
            for command in message.commands:
                if processor.aborted:
                    break
                expected = command.TAG not in ("Status", "Results") and not command.no_resp
                if expected and command.cmd_id not in answered:
                    raise AssertionError(f"{command.TAG} {command.cmd_id} got no Status")
        elif target == "session":
            play_one_of(recordings, data)
        elif target == "tree":
            outcomes = {name: load_tree(name, data) for name in sorted(_impl.IMPLEMENTATIONS)}
            if len(set(map(repr, outcomes.values()))) > 1:
                raise AssertionError(f"implementations disagree: {outcomes!r}")
        else:
            for kind in (Notification, SyncNotification):
                with contextlib.suppress(DecodeError):
                    kind.decode(data)

    def load_tree(name: str, data: bytes) -> Any:
        """What one implementation makes of ``data`` as TNDS and as DDF; a loaded tree must
        save and load back identical."""
        _impl.use(name)
        limits = limits_for(data)
        try:
            tree = ManagementTree.from_tnds(data, limits=limits, clock=lambda: 0.0)
        except (DecodeError, TreeError) as error:
            loaded: Any = (type(error).__name__, str(error))
        else:
            loaded = snapshot(tree)
            again = ManagementTree.from_tnds(tree.to_tnds_wbxml())
            if snapshot(again) != loaded:
                raise AssertionError("a loaded tree does not load back identical")
        try:
            described: Any = [uri for uri, _ in Ddf.parse(data, limits=limits).walk()]
        except (DecodeError, TreeError) as error:
            described = (type(error).__name__, str(error))
        return loaded, described

    def dpu_tree() -> Any:
        device = device_tree(dev_id="IMEI:1", man="M", mod="X", clock=lambda: 0.0)
        device.replace(".?prop=ACL", "Add=*&Get=*&Replace=srv&Delete=srv&Exec=srv")
        device.add("./Vendor/a", "1")
        device.add("./FwUpdate/x1", format="node", type="urn:oma:mo:oma-fumo:1.0")
        return device

    def snapshot(tree: Any) -> list[Any]:
        return [(uri, tree.properties(uri), tree.get(uri)) for uri in tree.walk()]

    return check


def replay(target: str, paths: list[str]) -> int:
    """Run the check over files (and the files in directories): the corpus, or findings."""
    check = make_check(target)
    files = [
        p
        for arg in paths
        for p in (sorted(Path(arg).iterdir()) if Path(arg).is_dir() else [Path(arg)])
        if p.is_file()
    ]
    failed = 0
    for path in files:
        try:
            check(path.read_bytes())
        except Exception as error:
            failed += 1
            print(f"{path}: {type(error).__name__}: {error}")
    print(f"{target}: {len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main() -> None:
    target, args = _prepare(sys.argv)
    if "--replay" in args:
        sys.exit(replay(target, [arg for arg in args if arg != "--replay"]))
    import atheris

    checks: list = []
    atheris.Setup([sys.argv[0], *args], lambda data: checks[0](data))
    with atheris.instrument_imports():
        checks.append(make_check(target))
    # Seeding after the instrumented imports: the seeds of some targets are made with the
    # package, which imported first would stay uninstrumented (libFuzzer then runs blind).
    corpora = [arg for arg in args if not arg.startswith("-")]
    if corpora:
        seed(Path(corpora[0]), target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
