"""The one module that reads and writes YAML.

Loading is strict and predictable:
- PyYAML's C parser builds the node tree (fast); we build Python values from the nodes
  ourselves, so every plain scalar stays the string that was typed (`NO`, `12:30`, `0123`,
  `1e3` never turn into a bool, an int or a float). Only a plain `~`/`null`/empty value is None.
  Field types (dates, amounts, counts) are applied afterwards by the models.
- Duplicate keys, aliases, anchors, tags, merge keys, non-scalar keys, several documents,
  deep nesting, oversized files, NUL bytes and invalid UTF-8 are refused with a position.
- Every key and value keeps its line and column, so a validation error can point at it.

Dumping is canonical: the same data always gives the same bytes, so load -> dump of a file
rjc wrote is byte-identical and a change shows in `git diff` as the lines it touched.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from rjc.errors import Problem, RjcError

MAX_BYTES = 1 << 20  # a record is ~2 KB; a CoSA case with years of weekly meetings ~50 KB
MAX_DEPTH = 32  # records nest 4-5 levels deep

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
# libyaml's composer recurses on the C stack and crashes around 50k levels of nesting, so a
# document that could be that deep is first measured with the (iterative) event parser.
_COMPOSE_SAFE_NESTING = 5000

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


@dataclass
class Document:
    """Plain data loaded from one file, with where each key and value stands (1-based)."""

    data: dict
    value_at: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_at: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column for a location, falling back to its nearest known ancestor.

        Steps that are not in the file (a union's tag in a pydantic error location, or a
        missing field) are skipped, so the answer is the deepest thing that does exist.
        """
        found: Loc = ()
        for step in loc:
            if found + (step,) in self.value_at:
                found = found + (step,)
        if key and found in self.key_at:
            return self.key_at[found]
        return self.value_at.get(found, (1, 1))

    def sub(self, loc: Loc) -> "Document":
        """The part at `loc` as a document of its own, keeping the file's line numbers."""
        data = self.data
        for step in loc:
            data = data[step]
        size = len(loc)
        return Document(data,
                        {k[size:]: v for k, v in self.value_at.items() if k[:size] == loc},
                        {k[size:]: v for k, v in self.key_at.items() if k[:size] == loc})


def load(source: bytes | str, path: str = "<input>") -> Document:
    """Parse one YAML document holding a mapping; raise YamlError naming the spot."""
    size = len(source) if isinstance(source, bytes) else len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlError(path, 0, 0, "file-too-large", f"file is {size:,} bytes; rjc refuses files over {MAX_BYTES:,}")
    text = decode(source, path)
    if sum(text.count(c) for c in "[{-:?") > _COMPOSE_SAFE_NESTING:
        _check_nesting(text, path)
    reject_anchors(text, path)
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, col = _in_file(text, mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise YamlError(path, line, col, "yaml-syntax", message) from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 0, 0, "yaml-syntax", str(exc)) from None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null" and not node.value):
        raise YamlError(path, 1, 1, "empty-file", "file is empty; expected a mapping of fields")
    if not isinstance(node, yaml.MappingNode):
        raise YamlError(path, node.start_mark.line + 1, node.start_mark.column + 1,
                        "not-a-mapping", "expected a mapping of fields (key: value) at top level")
    builder = _Builder(path)
    data = builder.build(node, (), 0)
    return Document(data, builder.value_at, builder.key_at)


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
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        offset = bad.start()
        line = text.count("\n", 0, offset) + 1
        raise YamlError(path, line, offset - text.rfind("\n", 0, offset), "encoding",
                        f"control character U+{ord(bad.group()):04X} is not allowed in YAML text")
    return text


# YAML's printable set: libyaml refuses everything else, but without a line or column.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _check_nesting(text: str, path: str) -> None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise YamlError(path, mark.line + 1, mark.column + 1, "too-deep",
                                    f"nesting deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # compose reports the syntax error with its position


class _Builder:
    """Builds dicts, lists, strings and None from a node tree, recording positions."""

    def __init__(self, path: str):
        self.path = path
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
            implicit = _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False)) if not node.style else _TAG + "str"
            if node.tag != implicit or node.tag not in _SCALAR_TAGS:
                self.fail(node, "tag", f"tags such as {_short_tag(node.tag)} are not allowed")
            if node.tag == _TAG + "null" and not node.style:
                return None
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
            if key_node.tag == _TAG + "merge":
                self.fail(key_node, "alias", "merge keys (<<) are not allowed; write the fields out")
            key = key_node.value
            if key in result:
                first = self.key_at[loc + (key,)][0]
                self.fail(key_node, "duplicate-key", f"duplicate key '{key}' (first at line {first})")
            self.key_at[loc + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, loc + (key,), depth + 1)
        return result


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


class _Dumper(_BaseDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value used twice (one date object in two fields) is written out twice


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
