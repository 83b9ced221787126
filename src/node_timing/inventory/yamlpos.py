"""YAML loading that keeps positions: libyaml composes, a small constructor builds values.

Ansible's YAML semantics: YAML 1.1 types (SafeLoader), ``!unsafe`` is a plain string, ``!vault``
an opaque marker, a repeated key warns and the last one wins, one document per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from node_timing.inventory.model import NO_NOQA, LoadProblem, VaultValue

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _BaseLoader = yaml.SafeLoader

MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
VAULT_HEADER = "$ANSIBLE_VAULT;"

# Limits on what one document may cost to build (docs/limits.md). libyaml composes an alias as a
# reference to the anchored node, so a "billion laughs" file is small once composed; it explodes
# only when something walks it (building values, repr, templating, output). Refusing documents
# whose aliases would add more than MAX_ALIAS_EXPANSION nodes keeps every later walk bounded.
# MAX_NESTING keeps the recursive constructor (and the loader's own recursion) far from Python's
# recursion limit; no real inventory nests a tenth as deep.
MAX_ALIAS_EXPANSION = 100_000
MAX_NESTING = 100

_NOQA_RE = re.compile(r"#\s*noqa\b(?::?\s*([^#]*))?", re.IGNORECASE)


def parse_noqa(line: str) -> frozenset[str]:
    """Rule ids from a ``# noqa: a, b`` comment in ``line``; ``{"*"}`` for a bare ``# noqa``."""
    if "noqa" not in line.lower():
        return NO_NOQA
    found: set[str] = set()
    for m in _NOQA_RE.finditer(line):
        ids = [i for i in re.split(r"[\s,]+", (m.group(1) or "").strip()) if i]
        found.update(ids or ["*"])
    return frozenset(found)


def is_templated(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records repeated keys instead of silently dropping them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.note_duplicates(node)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def note_duplicates(self, node: yaml.MappingNode) -> None:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                mark = key_node.start_mark
                self.duplicates.append((str(key_node.value), mark.line + 1, mark.column + 1))
            seen.add(key_node.value)


def _construct_unsafe(loader: _Loader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return str(loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _construct_vault(loader: _Loader, node: yaml.Node) -> VaultValue:
    text = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else ""
    return VaultValue(str(text))


_Loader.add_constructor("!unsafe", _construct_unsafe)
_Loader.add_constructor("!vault", _construct_vault)
_Loader.add_constructor("!vault-encrypted", _construct_vault)


@dataclass
class Entry:
    """One key of a mapping with the positions a Value needs."""

    key: str
    value: Any
    line: int
    column: int
    noqa: frozenset[str]
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    key_noqa: dict[str, frozenset[str]] = field(default_factory=dict)
    vault: bool = False


class YamlDocument:
    """A parsed YAML file: its root node and the means to build values with positions."""

    def __init__(self, path: str, text: str, node: yaml.Node | None, loader: _Loader) -> None:
        self.path = path
        self.text = text
        self.root = node
        self._loader = loader
        self._lines: list[str] | None = None
        self.problems: list[LoadProblem] = []

    def line_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def construct(self, node: yaml.Node) -> Any:
        value = self._loader.construct_object(node, deep=True)
        self._flush_duplicates()
        return value

    def _flush_duplicates(self) -> None:
        for key, line, col in self._loader.duplicates:
            self.problems.append(
                LoadProblem(
                    self.path,
                    line,
                    col,
                    f"duplicate key {key!r}: the last one wins",
                    kind="yaml-load",
                    severity="error",
                )
            )
        self._loader.duplicates.clear()

    def pairs(self, node: yaml.Node) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        """Key/value node pairs of a mapping node (merge keys flattened, duplicates noted)."""
        if not isinstance(node, yaml.MappingNode):
            return iter(())
        self._loader.note_duplicates(node)
        self._flush_duplicates()
        if any(k.tag == MERGE_TAG for k, _ in node.value):
            try:
                self._loader.flatten_mapping(node)
            except yaml.YAMLError as exc:
                self.problems.append(_problem(self.path, exc))
                return iter(())
        return iter(list(node.value))

    def key_of(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == STR_TAG:
            return node.value
        return self.construct(node)

    def entry(self, key_node: yaml.Node, value_node: yaml.Node) -> Entry:
        """Build a variable entry: the value, its position, noqa, dict key positions."""
        key = self.key_of(key_node)
        value = self.construct(value_node)
        vmark, kmark = value_node.start_mark, key_node.start_mark
        block = isinstance(value_node, yaml.CollectionNode) and not value_node.flow_style
        if block and vmark.line != kmark.line:
            line, column = kmark.line + 1, kmark.column + 1
        else:
            line, column = vmark.line + 1, vmark.column + 1
        noqa = parse_noqa(self.line_text(kmark.line + 1))
        if vmark.line != kmark.line and not block:
            noqa = noqa | parse_noqa(self.line_text(vmark.line + 1))
        key_positions: dict[str, tuple[int, int]] = {}
        key_noqa: dict[str, frozenset[str]] = {}
        if isinstance(value_node, yaml.MappingNode):
            for sub_key, sub_value in value_node.value:
                if sub_key.tag == MERGE_TAG:
                    continue
                name = str(self.key_of(sub_key))
                km = sub_key.start_mark
                key_positions[name] = (km.line + 1, km.column + 1)
                ids = parse_noqa(self.line_text(km.line + 1))
                if sub_value.start_mark.line != km.line:
                    ids = ids | parse_noqa(self.line_text(sub_value.start_mark.line + 1))
                if ids:
                    key_noqa[name] = ids
        return Entry(
            key=key if isinstance(key, str) else str(key),
            value=value,
            line=line,
            column=column,
            noqa=noqa,
            key_positions=key_positions,
            key_noqa=key_noqa,
            vault=isinstance(value, VaultValue),
        )


def _problem(path: str, exc: yaml.YAMLError) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    col = mark.column + 1 if mark is not None else 0
    msg = " ".join(str(getattr(exc, "problem", None) or exc).split())
    ctx = getattr(exc, "context", None)
    if ctx:
        msg = f"{' '.join(str(ctx).split())}: {msg}"
    return LoadProblem(path, line, col, f"invalid YAML: {msg}", kind="yaml-load")


def parse_yaml(path: str, text: str) -> tuple[YamlDocument | None, list[LoadProblem]]:
    """Compose ``text``; a syntax error or several documents give a problem and no document."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.lstrip().startswith(VAULT_HEADER):
        return None, [
            LoadProblem(
                path,
                1,
                1,
                "vault-encrypted file: not decrypted, its variables are not checked",
                kind="vault",
                severity="info",
            )
        ]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, [_problem(path, exc)]
    except RecursionError:  # the pure-Python composer (no libyaml) recurses per level
        return None, [
            LoadProblem(path, 0, 0, f"not checked: nested deeper than {MAX_NESTING} levels")
        ]
    except (ValueError, UnicodeError) as exc:  # pragma: no cover - defensive
        return None, [LoadProblem(path, 0, 0, f"cannot read: {exc}", kind="yaml-load")]
    if node is not None:
        refused = check_limits(node)
        if refused is not None:
            m = node.start_mark
            return None, [LoadProblem(path, m.line + 1, m.column + 1, f"not checked: {refused}")]
    return YamlDocument(path, text, node, loader), []


def check_limits(root: yaml.Node) -> str | None:
    """Why the composed document is refused (too deep, recursive or expanding aliases), or None.

    One iterative pass over the node graph, each distinct node visited once: the cost is the
    size of the file, whatever its aliases would expand to.
    """
    done: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes it expands to, height)
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            sizes = [done[id(c)] for c in _children(node)]
            height = 1 + max((h for _, h in sizes), default=0)
            if height > MAX_NESTING:
                return f"nested deeper than {MAX_NESTING} levels"
            done[key] = (1 + sum(n for n, _ in sizes), height)
            continue
        if key in done:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                return "an alias refers to a node that contains it (a recursive document)"
            if id(child) not in done:
                stack.append((child, False))
    extra = done[id(root)][0] - len(done)
    if extra > MAX_ALIAS_EXPANSION:
        return (
            f"aliases would expand the document by {extra:,} nodes, more than the "
            f"{MAX_ALIAS_EXPANSION:,} allowed (a YAML alias bomb?)"
        )
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
