"""Minimal text edits on a YAML file: every byte outside the edited spans stays as it was.

A round trip through a YAML library re-emits the whole file: ruamel keeps comments but reflows
long lines, re-indents sequences and drops some blank lines, so untouched lines would change too.
Here the file is only *composed* (PyYAML's pure-Python composer, whose marks give the start and
end of every node as character offsets) to locate spans; the changes are then spliced into the
original text: a scalar's span replaced, a key's lines removed, new lines inserted with the
indentation of their siblings. The caller re-parses the result to check that it means what was
intended.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from typing import Any

import yaml


class EditError(Exception):
    """An edit that cannot be made safely (the finding stays, with this reason)."""


@dataclass
class Pair:
    mapping: yaml.MappingNode
    key: yaml.Node
    value: yaml.Node
    path: tuple[Any, ...]  # keys from the root to ``mapping``
    alias: bool = False  # the value is an alias: its span is elsewhere


@dataclass(frozen=True)
class TextEdit:
    start: int
    end: int
    text: str


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """``text`` with every edit spliced in, in position order; overlapping edits are refused."""
    ordered = sorted(enumerate(edits), key=lambda e: (e[1].start, e[1].end, e[0]))
    out: list[str] = []
    pos = 0
    for _, edit in ordered:
        if edit.start < pos:
            raise EditError("two changes overlap")
        out.append(text[pos : edit.start])
        out.append(edit.text)
        pos = max(pos, edit.end)
    out.append(text[pos:])
    return "".join(out)


class YamlText:
    """A YAML file's text, composed once, and the edits planned on it."""

    def __init__(self, text: str) -> None:
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        self.text = text[len(self.bom) :]
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        loader = yaml.SafeLoader(_composable(self.text))
        try:
            self.root: yaml.Node | None = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise EditError(f"cannot parse: {' '.join(str(exc).split())}") from None
        finally:
            loader.dispose()
        self._line_starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self.edits: list[TextEdit] = []
        self._pairs: list[Pair] = []
        seen: set[int] = set()
        if self.root is not None:
            self._walk(self.root, (), seen)

    # ----------------------------------------------------------------------------- locating

    def _walk(self, node: yaml.Node, path: tuple[Any, ...], seen: set[int]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                alias = id(value) in seen
                self._pairs.append(Pair(node, key, value, path, alias))
                if not alias and isinstance(key, yaml.ScalarNode):
                    self._walk(value, (*path, key.value), seen)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*path, i), seen)

    @staticmethod
    def _loader_line(pair: Pair) -> int:
        """The 1-based line the inventory loader reports for a variable (see yamlpos.entry)."""
        value, key = pair.value, pair.key
        block = isinstance(value, yaml.CollectionNode) and not value.flow_style
        if block and value.start_mark.line != key.start_mark.line:
            return int(key.start_mark.line) + 1
        return int(value.start_mark.line) + 1

    def variable(self, line: int, name: str) -> Pair:
        """The pair of variable ``name`` whose value the loader placed on ``line``."""
        found = [
            p
            for p in self._pairs
            if isinstance(p.key, yaml.ScalarNode)
            and p.key.value == name
            and self._loader_line(p) == line
        ]
        if len(found) != 1:
            raise EditError(f"{name} not found on line {line}")
        return found[0]

    def root_mapping(self) -> yaml.MappingNode | None:
        if self.root is None or (
            isinstance(self.root, yaml.ScalarNode) and self.root.tag == "tag:yaml.org,2002:null"
        ):
            return None
        if not isinstance(self.root, yaml.MappingNode):
            raise EditError("the file is not a mapping of variables")
        return self.root

    def top_level(self, name: str) -> Pair | None:
        root = self.root_mapping()
        if root is None:
            return None
        found = [p for p in self._pairs if p.mapping is root and _key_is(p.key, name)]
        return found[-1] if found else None

    @staticmethod
    def key_in(mapping: yaml.Node, key: str, pairs: list[Pair]) -> Pair | None:
        found = [p for p in pairs if p.mapping is mapping and _key_is(p.key, key)]
        if len(found) > 1:
            raise EditError(f"key {key!r} is repeated")
        return found[0] if found else None

    def dict_key(self, var: Pair, key: str) -> Pair | None:
        if var.alias or not isinstance(var.value, yaml.MappingNode):
            raise EditError(f"{_name(var)} is not a mapping written here")
        return self.key_in(var.value, key, self._pairs)

    def pairs_of(self, mapping: yaml.Node) -> list[Pair]:
        return [p for p in self._pairs if p.mapping is mapping]

    # ----------------------------------------------------------------------------- geometry

    def _line_start(self, line: int) -> int:
        """Offset of 0-based ``line`` (the end of the text past the last line)."""
        return self._line_starts[line] if line < len(self._line_starts) else len(self.text)

    def _last_line(self, node: yaml.Node) -> int:
        """0-based line of the node's last character."""
        if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
            return self._last_line(node.value[-1][1])
        if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            return self._last_line(node.value[-1])
        end = node.end_mark
        if end.column == 0 and end.line > node.start_mark.line:
            return int(end.line) - 1
        return int(end.line)

    def _after_lines(self, line: int) -> tuple[int, str]:
        """Offset where a line goes after 0-based ``line``, and a newline to prefix if needed."""
        at = self._line_start(line + 1)
        if line + 1 >= len(self._line_starts) and not self.text.endswith("\n"):
            return len(self.text), self.newline
        return at, ""

    def _owns_line(self, node: yaml.Node) -> bool:
        start = self._line_start(node.start_mark.line)
        return self.text[start : node.start_mark.index].strip() == ""

    def indent_step(self) -> int:
        for p in self._pairs:
            v = p.value
            if isinstance(v, yaml.MappingNode) and not v.flow_style and v.value and not p.alias:
                step = v.value[0][0].start_mark.column - p.key.start_mark.column
                if step > 0:
                    return int(step)
        return 2

    # ------------------------------------------------------------------------------- edits

    def set_value(self, pair: Pair, value: Any) -> None:
        node = pair.value
        if pair.alias or not isinstance(node, yaml.ScalarNode) or node.style in ("|", ">"):
            raise EditError(f"{_name(pair)} is not a single-line scalar written here")
        flow = self._in_flow(pair)
        text = scalar_text(value, node.style, flow)
        if node.start_mark.index == node.end_mark.index:  # `key:` with no value
            self.edits.append(TextEdit(node.start_mark.index, node.end_mark.index, " " + text))
            return
        self.edits.append(TextEdit(node.start_mark.index, node.end_mark.index, text))

    def rename(self, pair: Pair, new_key: str, value: Any = None) -> None:
        if not isinstance(pair.key, yaml.ScalarNode):
            raise EditError("complex key")
        style = pair.key.style if pair.key.style in ('"', "'") else None
        key_text = scalar_text(new_key, style, self._in_flow(pair))
        self.edits.append(TextEdit(pair.key.start_mark.index, pair.key.end_mark.index, key_text))
        if value is not None:
            self.set_value(pair, value)

    def _in_flow(self, pair: Pair) -> bool:
        return bool(pair.mapping.flow_style)

    def delete(self, pair: Pair) -> None:
        mapping = pair.mapping
        siblings = self.pairs_of(mapping)
        if mapping.flow_style:
            i = next(n for n, p in enumerate(siblings) if p is pair)
            end = pair.value.end_mark.index
            if len(siblings) == 1:
                self.edits.append(TextEdit(pair.key.start_mark.index, end, ""))
            elif i < len(siblings) - 1:
                nxt = siblings[i + 1].key.start_mark.index
                self.edits.append(TextEdit(pair.key.start_mark.index, nxt, ""))
            else:
                prev = siblings[i - 1].value.end_mark.index
                self.edits.append(TextEdit(prev, end, ""))
            return
        if not self._owns_line(pair.key):
            raise EditError(f"{_name(pair)} does not start its own line")
        first = pair.key.start_mark.line
        last = self._last_line(pair.key) if pair.alias else self._last_line(pair.value)
        start, (end, _) = self._line_start(first), self._after_lines(last)
        if len(siblings) == 1:
            parent = next((p for p in self._pairs if p.value is mapping and not p.alias), None)
            if parent is not None:
                # An emptied dict stays a dict: dropping the variable would let a dict of lower
                # precedence win instead (Ansible replaces dicts, it does not merge them).
                colon = self.text.index(":", parent.key.end_mark.index)
                self.edits.append(TextEdit(colon + 1, colon + 1, " {}"))
        self.edits.append(TextEdit(start, end, ""))

    def insert(
        self, mapping: yaml.MappingNode | None, after: Pair | None, key: str, value: Any
    ) -> None:
        """Add ``key: value`` to ``mapping`` (None: the document root), after ``after`` or last."""
        if mapping is None:
            lines = self._block_lines(key, value, 0)
            at, prefix = (
                len(self.text),
                ("" if not self.text or self.text.endswith("\n") else self.newline),
            )
            self.edits.append(TextEdit(at, at, prefix + lines))
            return
        siblings = self.pairs_of(mapping)
        if mapping.flow_style:
            text = f"{scalar_text(key, None, True)}: {flow_text(value)}"
            if not siblings:
                at = mapping.start_mark.index + 1
                self.edits.append(TextEdit(at, at, text))
            else:
                at = (after or siblings[-1]).value.end_mark.index
                self.edits.append(TextEdit(at, at, ", " + text))
            return
        anchor = after or siblings[-1]
        indent = siblings[0].key.start_mark.column
        last = self._last_line(anchor.key) if anchor.alias else self._last_line(anchor.value)
        at, prefix = self._after_lines(last)
        self.edits.append(TextEdit(at, at, prefix + self._block_lines(key, value, indent)))

    def _block_lines(self, key: str, value: Any, indent: int) -> str:
        pad = " " * indent
        if isinstance(value, dict):
            step = self.indent_step()
            out = f"{pad}{scalar_text(key, None, False)}:{self.newline}"
            for k, v in value.items():
                out += self._block_lines(str(k), v, indent + step)
            return out
        return (
            f"{pad}{scalar_text(key, None, False)}: {scalar_text(value, None, False)}{self.newline}"
        )

    # ------------------------------------------------------------------------------ result

    def result(self) -> str:
        return self.bom + apply_edits(self.text, self.edits)


def _composable(text: str) -> str:
    """``text`` with every tab between tokens made a space, character for character.

    libyaml, which the loader (and Ansible) reads with, accepts a tab before a comment, after a
    colon or at the end of a line; PyYAML's pure-Python scanner, used here for its character
    offsets, refuses it. Such a tab separates tokens and means nothing, so replacing it keeps
    every offset and every value; tabs inside a token (a quoted or block scalar) are kept. The
    edits are still spliced into the original text, tabs and all.
    """
    if "\t" not in text:
        return text
    loader_class = getattr(yaml, "CSafeLoader", None)
    if loader_class is None:  # pragma: no cover - PyYAML without libyaml reads what we read
        return text
    spans: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=loader_class):
            if token.end_mark.index > token.start_mark.index:
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return text  # the pure-Python scanner reports the error itself
    starts = [s for s, _ in spans]
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch == "\t":
            at = bisect.bisect_right(starts, i) - 1
            if at < 0 or i >= spans[at][1]:
                chars[i] = " "
    return "".join(chars)


def _key_is(node: yaml.Node, name: str) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == name


def _name(pair: Pair) -> str:
    return str(getattr(pair.key, "value", "?"))


def _loads(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return _FAILED


_FAILED = object()


def scalar_text(value: Any, style: str | None, flow: bool) -> str:
    """``value`` as a YAML scalar, in the original quoting style when that reads back the same."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    candidates = []
    if style == "'":
        candidates.append("'" + text.replace("'", "''") + "'")
    if style in ("'", '"') or style is None:
        if style is None:
            candidates.append(text)
        candidates.append(json.dumps(text, ensure_ascii=False))
    for candidate in candidates:
        probe = f"{{k: {candidate}}}" if flow else f"k: {candidate}\n"
        if _loads(probe) == {"k": value} and "\n" not in candidate and " #" not in candidate:
            return candidate
    return json.dumps(text, ensure_ascii=False)


def flow_text(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{scalar_text(str(k), None, True)}: {flow_text(v)}" for k, v in value.items()
            )
            + "}"
        )
    return scalar_text(value, None, True)
