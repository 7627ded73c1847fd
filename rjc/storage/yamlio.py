"""The one module that reads and writes YAML.

Loading is strict and predictable:
- PyYAML's C parser builds the node tree (fast); we build Python values from the nodes
  ourselves, so every plain scalar stays the string that was typed (`NO`, `12:30`, `0123`,
  `1e3` never turn into a bool, an int or a float). Only a plain `~`/`null`/empty value is None.
  Field types (dates, amounts, counts) are applied afterwards by the models.
- Duplicate keys, aliases, anchors, tags, merge keys, non-scalar keys, several documents,
  deep nesting, oversized files, NUL bytes and invalid UTF-8 are refused with a position.
- Every key and value keeps its line and column, so a validation error can point at it. They
  are found only when first asked for: a valid file needs none, and is built faster without.

Dumping is canonical: the same data always gives the same bytes, so load -> dump of a file
rjc wrote is byte-identical and a change shows in `git diff` as the lines it touched.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

from rjc.storage.controls import CONTROL, describe, visible
from rjc.storage.errors import Problem, RjcError

MAX_BYTES = 1 << 20  # a record is ~2 KB; a CoSA case with years of weekly meetings ~50 KB
MAX_DEPTH = 32  # records nest 4-5 levels deep

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_STR, _NULL, _MERGE = _TAG + "str", _TAG + "null", _TAG + "merge"
# libyaml's composer recurses on the C stack and crashes around 50k levels of nesting, so a
# document that could be that deep is first measured with the (iterative) event parser.
_COMPOSE_SAFE_NESTING = 5000

if TYPE_CHECKING:  # one type for both: the C loader has the pure one's interface
    Loader = yaml.SafeLoader
else:
    Loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
# The pure dumper, on purpose: libyaml escapes characters beyond the BMP (a family name such
# as 𠮷田 would be written as "\U00020BB7田"), so C and pure output would differ by machine.
_BaseDumper = yaml.SafeDumper
_RESOLVER = yaml.resolver.Resolver()

Loc = tuple  # a path into the data: ("agreements", 0, "items", 2, "amount")


class YamlError(RjcError):
    """A file that is not acceptable YAML for rjc; carries one located problem."""

    def __init__(self, path: str, line: int, col: int, rule: str, message: str):
        problem = Problem(path, line, col, rule, message)
        super().__init__(str(problem), [problem])
        self.problem = problem


class Document:
    """Plain data loaded from one file, with where each key and value stands (1-based).

    Positions are needed only to place a problem, and most files have none: a document loaded
    from text finds them when first asked for, by building that text again with positions.
    """

    def __init__(self, data: dict, value_at: dict[Loc, tuple[int, int]] | None = None,
                 key_at: dict[Loc, tuple[int, int]] | None = None, *, text: str | None = None,
                 path: str = "<input>"):
        self.data = data
        self._text = text  # kept only until the positions are found
        self._path = path
        self._value_at = value_at if value_at is not None or text is not None else {}
        self._key_at = key_at if key_at is not None or text is not None else {}

    @property
    def value_at(self) -> dict[Loc, tuple[int, int]]:
        if self._value_at is None:
            self._find_positions()
        assert self._value_at is not None  # set by _find_positions
        return self._value_at

    @property
    def key_at(self) -> dict[Loc, tuple[int, int]]:
        if self._key_at is None:
            self._find_positions()
        assert self._key_at is not None  # set by _find_positions
        return self._key_at

    def _find_positions(self) -> None:
        # The text was accepted once, so this build cannot fail; its data equals self.data.
        assert self._text is not None  # positions are still to find only while the text is kept
        builder = _Builder(self._path)
        builder.build(_top_mapping(_compose(self._text, self._path, Loader), self._path), (), 0)
        self._value_at, self._key_at, self._text = builder.value_at, builder.key_at, None

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column for a location, falling back to its nearest known ancestor.

        Steps that are not in the file (a union's tag in a pydantic error location, or a
        missing field) are skipped, so the answer is the deepest thing that does exist.
        """
        value_at = self.value_at
        found: Loc = ()
        for step in loc:
            if found + (step,) in value_at:
                found = found + (step,)
        if key and found in self.key_at:
            return self.key_at[found]
        return value_at.get(found, (1, 1))

    def sub(self, loc: Loc) -> Document:
        """The part at `loc` as a document of its own, keeping the file's line numbers."""
        data = self.data
        for step in loc:
            data = data[step]
        size = len(loc)
        return Document(data,
                        {k[size:]: v for k, v in self.value_at.items() if k[:size] == loc},
                        {k[size:]: v for k, v in self.key_at.items() if k[:size] == loc})


def load(source: bytes | str, path: str = "<input>", *, positions: bool = False) -> Document:
    """Parse one YAML document holding a mapping; raise YamlError naming the spot.

    The positions of keys and values are found when first asked for, or at once with
    `positions=True` (for a caller that reads a file only to place a problem in it).
    """
    size = len(source) if isinstance(source, bytes) else len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlError(path, 0, 0, "file-too-large", f"file is {size:,} bytes; rjc refuses files over {MAX_BYTES:,}")
    text = decode(source, path)
    # (a text no longer than the limit cannot hold more indicators than that: no need to count)
    if len(text) > _COMPOSE_SAFE_NESTING and sum(text.count(c) for c in "[{-:?") > _COMPOSE_SAFE_NESTING:
        _check_nesting(text, path)
    reject_anchors(text, path)
    controls = _may_hold_controls(text)
    if not positions and not controls and "!" not in text:
        # The common case, fast: a text without `!` has no tags, so the tags of its nodes are the
        # resolver's and need no checking. Anything else to refuse is left to the full build.
        try:
            data = _plain(_top_mapping(_compose(text, path, _PlainLoader), path), 0)
            return Document(data, text=text, path=path)
        except _Unusual:
            pass
    builder = _Builder(path, controls=controls)
    data = builder.build(_top_mapping(_compose(text, path, Loader), path), (), 0)
    return Document(data, builder.value_at, builder.key_at)


def _may_hold_controls(text: str) -> bool:
    """Whether a value may hold a control character once decoded. `decode` refused them raw but for
    the bidirectional ones; the others come only from escapes in double quotes (`"\\e"`, `"\\x9b"`)."""
    return "\\" in text or (not text.isascii() and _RAW_CONTROL.search(text) is not None)


_RAW_CONTROL = re.compile("[\x85\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _compose(text: str, path: str, loader: type) -> yaml.Node | None:
    """The node tree of the one document in `text`; YamlError for a syntax error."""
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        if _LIBYAML_TOO_DEEP in str(exc):
            _check_nesting(text, path, yaml.SafeLoader)
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, col = _in_file(text, mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise YamlError(path, line, col, "yaml-syntax", message) from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 0, 0, "yaml-syntax", str(exc)) from None


def _top_mapping(node: yaml.Node | None, path: str) -> yaml.MappingNode:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL and not node.value):
        raise YamlError(path, 1, 1, "empty-file", "file is empty; expected a mapping of fields")
    if not isinstance(node, yaml.MappingNode):
        raise YamlError(path, node.start_mark.line + 1, node.start_mark.column + 1,
                        "not-a-mapping", "expected a mapping of fields (key: value) at top level")
    return node


# --- the fast build: data only, for text without tags ----------------------------------------


class _Unusual(Exception):
    """Something the fast build leaves to the full one, which refuses it with its position."""


# First characters of the plain scalars the resolver may read as null or as a tag rjc refuses
# (`<<`, `=`...); every other plain scalar is kept as a string whatever the resolver calls it.
_SPECIAL_START = frozenset(start for start, resolvers in Loader.yaml_implicit_resolvers.items()
                           if any(tag == _NULL or tag not in _SCALAR_TAGS for tag, _ in resolvers))


class _PlainLoader(Loader):
    """A loader whose resolver runs only where its answer matters to `_plain`: the resolver's
    regular expressions, tried on every scalar, are a quarter of the cost of composing."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value[:1] in _SPECIAL_START:
            return super().resolve(kind, value, implicit)
        return _DEFAULT_TAG[kind]

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass  # rjc has no path resolvers

    def ascend_resolver(self) -> None:
        pass


_DEFAULT_TAG = {yaml.ScalarNode: _STR, yaml.SequenceNode: _TAG + "seq", yaml.MappingNode: _TAG + "map"}


def _plain(node: yaml.Node, depth: int) -> Any:
    """Plain data for a node composed by _PlainLoader from text without tags; `depth` counts the
    collections around it. No alias gets here: it needs an anchor, and reject_anchors refused those."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL:
            return None  # only a plain scalar resolves to null
        if node.tag in _SCALAR_TAGS:
            return node.value
        raise _Unusual  # `<<`, `=`... as a value: a tag
    if depth >= MAX_DEPTH:
        raise _Unusual  # too deep
    depth += 1
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, depth) for item in node.value]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE or key_node.value in result:
            raise _Unusual  # a complex, merge or duplicate key
        result[key_node.value] = _plain(value_node, depth)
    return result


def _in_file(text: str, line: int, col: int) -> tuple[int, int]:
    """A position that exists in the file. libyaml puts an error found at the end of a text that
    does not end with a line break on a line after the last one; it is the end of the last line."""
    lines = _LINE_BREAK.split(text)  # the last one is empty when the text ends with a line break
    if line <= len(lines):
        return line, col
    return len(lines), len(lines[-1]) + 1


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # the line breaks YAML knows


def decode(source: bytes | str, path: str) -> str:
    """Text of a file rjc reads as YAML: UTF-8, no NUL or control characters (YamlError otherwise)."""
    if isinstance(source, str):
        text = source
    else:
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = source.count(b"\n", 0, exc.start) + 1
            col = exc.start - (source.rfind(b"\n", 0, exc.start) + 1) + 1
            raise YamlError(path, line, col, "encoding",
                            "file is not valid UTF-8 text (binary data or another encoding)") from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise YamlError(path, line, offset - text.rfind("\n", 0, offset),
                        "encoding", "file contains a NUL byte; it is binary, not YAML text")
    text = text.removeprefix("\ufeff")
    # (most files are printable ASCII, which deleting the printable bytes shows 5x faster)
    bad = None if text.isascii() and not text.encode("ascii").translate(None, _PRINTABLE_ASCII) \
        else _NOT_PRINTABLE.search(text)
    if bad:
        offset = bad.start()
        line = text.count("\n", 0, offset) + 1
        raise YamlError(path, line, offset - text.rfind("\n", 0, offset), "encoding",
                        f"control character U+{ord(bad.group()):04X} is not allowed in YAML text")
    return text


# YAML's printable set: libyaml refuses everything else, but without a line or column.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PRINTABLE_ASCII = bytes([0x09, 0x0a, 0x0d, *range(0x20, 0x7f)])


def _check_nesting(text: str, path: str, loader: type = Loader) -> None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
                    raise YamlError(path, line, col, "too-deep",
                                    f"nesting deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if loader is not yaml.SafeLoader and _LIBYAML_TOO_DEEP in str(exc):
            _check_nesting(text, path, yaml.SafeLoader)
        return  # compose reports the syntax error with its position


# libyaml (from PyYAML 6.0.4) stops at 1,000 levels with this, far past rjc's own limit; the
# pure parser, which has no such limit, then finds the first level too deep, to name its place.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


class _Builder:
    """Builds dicts, lists, strings and None from a node tree, recording positions."""

    def __init__(self, path: str, *, controls: bool = False):
        self.path = path
        self.controls = controls  # look for control characters in every key and value
        self.value_at: dict[Loc, tuple[int, int]] = {}
        self.key_at: dict[Loc, tuple[int, int]] = {}
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, rule: str, message: str):
        raise YamlError(self.path, node.start_mark.line + 1, node.start_mark.column + 1, rule, message)

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        """Plain data for a node; `depth` counts the collections around it (top mapping: 0)."""
        if not isinstance(node, yaml.ScalarNode) and depth + 1 > MAX_DEPTH:
            self.fail(node, "too-deep", f"nesting deeper than {MAX_DEPTH} levels")
        # An alias makes the composer hand back the very same node object again.
        if id(node) in self.seen:
            self.fail(node, "alias", "aliases (*name) are not allowed; write the value out")
        self.seen.add(id(node))
        self.value_at[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            # An explicit tag shows as a tag other than the one the value would get by itself
            # (`!!null call her back` would otherwise silently become None).
            implicit = _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False)) if not node.style else _STR
            if node.tag != implicit or node.tag not in _SCALAR_TAGS:
                self.fail(node, "tag", f"tags such as {_short_tag(node.tag)} are not allowed")
            if node.tag == _NULL and not node.style:
                return None
            if self.controls:
                self.refuse_controls(node, loc)
            return node.value
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                self.fail(node, "tag", f"tags such as {_short_tag(node.tag)} are not allowed")
            return [self.build(item, loc + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.tag != _TAG + "map":
            self.fail(node, "tag", f"tags such as {_short_tag(node.tag)} are not allowed")
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "complex-key", "keys must be plain names")
            if key_node.tag == _MERGE:
                self.fail(key_node, "alias", "merge keys (<<) are not allowed; write the fields out")
            key = key_node.value
            here = loc + (key,)
            if self.controls:
                self.refuse_controls(key_node, here, key=True)
            if key in result:
                self.fail(key_node, "duplicate-key", f"duplicate key '{key}' (first at line {self.key_at[here][0]})")
            self.key_at[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, here, depth + 1)
        return result


    def refuse_controls(self, node: yaml.ScalarNode, loc: Loc, *, key: bool = False) -> None:
        found = CONTROL.search(node.value)
        if found:
            self.fail(node, "control-character", f"{_dotted(loc)}: control character {describe(found.group())} "
                                                 f"is not allowed in {'a field name' if key else 'text'}")


def _dotted(loc: Loc) -> str:
    """`agreements[0].items[1].amount`; the file itself for the top level."""
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{visible(step)}" for step in loc).lstrip(".")
    return text or "(file)"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def reject_anchors(text: str, path: str) -> None:
    """Refuse anchors (&name) even when unused: rjc files never need them."""
    if "&" not in text:
        return
    try:
        tokens = list(yaml.scan(text, Loader=Loader))
    except yaml.YAMLError:
        return  # compose reports the syntax error with its position
    for token in tokens:
        if isinstance(token, yaml.AnchorToken):
            mark = token.start_mark
            raise YamlError(path, mark.line + 1, mark.column + 1, "alias",
                            "anchors (&name) are not allowed; write the value out")


# --- dumping ---------------------------------------------------------------------------


# A string is written plain only when every common YAML reader takes it back as that string.
# PyYAML's own resolver (YAML 1.1, the dumper's) covers `yes`, `12:30`, `2024-03-05`; these are
# what the other readers' resolvers take for something else besides, so that `05059` or `0o17`
# is quoted too. Their regular expressions are copied, not hand-listed forms, so the rule is
# theirs (ruamel is not a dependency of rjc; the tests read every written file with it):
_OTHER_READINGS = [
    # ruamel.yaml's resolvers (ruamel/yaml/resolver.py), YAML 1.2 and 1.1: bool, float, int
    r"true|True|TRUE|false|False|FALSE",
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
    r"""[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN)""",
    r"""[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN)""",
    r"""[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+""",
    r"""[-+]?0b[0-1_]+
        |[-+]?0?[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+
        |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+""",
    r"<<|~|null|Null|NULL|=",
    r"""[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?""",
    # the YAML 1.2 core schema (spec 1.2.2, 10.3.2), which the editors' language server reads by
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+",
    # go-yaml (yq): a plain scalar starting with a digit or sign, less its `_`, read by Go's
    # strconv (base prefixes in either case, a leading 0 as octal), and dates with 1-digit parts
    r"[-+0-9][0-9_]*(?:[xX][0-9a-fA-F_]+|[bBoO][0-7_]+)?|[-+0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9_]+)?",
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?",
]
_OTHER_READING = re.compile("|".join(f"(?:{pattern})" for pattern in _OTHER_READINGS), re.X)


class _Dumper(_BaseDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value used twice (one date object in two fields) is written out twice

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        tag = super().resolve(kind, value, implicit)
        if tag == _STR and kind is yaml.ScalarNode and implicit[0] and _OTHER_READING.fullmatch(value):
            return _TAG + "other"  # not str: the emitter quotes the string
        return tag


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # The emitter would put a NEL (U+0085) in single quotes, where it reads back as a space.
    style = '"' if "\x85" in value else "|" if "\n" in value else None
    return dumper.represent_scalar(_TAG + "str", value, style=style)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    return dumper.represent_scalar(_TAG + ("float" if "." in text else "int"), text)


def _represent_time(dumper: yaml.SafeDumper, value: dt.time) -> yaml.Node:
    return _represent_str(dumper, value.isoformat(timespec="minutes" if not value.second else "seconds"))


def _represent_enum(dumper: yaml.SafeDumper, value: enum.Enum) -> yaml.Node:
    return _represent_str(dumper, str(value.value))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(dt.time, _represent_time)
_Dumper.add_multi_representer(enum.Enum, _represent_enum)


def dump(data: dict, *, header: str | None = None) -> str:
    """Canonical YAML for plain data (dicts in field order, dates, Decimals, enums)."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1 << 16, indent=2)
    return (f"# {header}\n" if header else "") + body


def parser_version() -> str:
    """PyYAML's version and the loader in use: the C one, on libyaml (with its version), or the
    pure one. They have parsed some input differently, so the cache keys on this."""
    libyaml = "pure-python loader"
    if Loader is getattr(yaml, "CSafeLoader", None):
        from yaml import _yaml

        libyaml = f"libyaml {_yaml.get_version_string()}"
    return f"PyYAML {yaml.__version__}, {libyaml}"
