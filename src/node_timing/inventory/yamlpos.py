"""YAML loading that keeps positions: libyaml composes, a small constructor builds values.

Ansible's YAML semantics: YAML 1.1 types (SafeLoader), ``!unsafe`` is text that is never
templated, ``!vault`` an opaque marker, a repeated key warns and the last one wins, one document
per file, and a tag without a constructor (``!foo``, ``!!python/object``) or a value its tag cannot
hold (``!!int "40s"``) fails the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from node_timing.display import brief, cut
from node_timing.inventory.model import NO_NOQA, LoadProblem, VaultValue
from node_timing.templating import UnsafeText
from node_timing.templating import is_templated as is_templated  # the loaders' import

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _BaseLoader = yaml.SafeLoader

MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
VAULT_HEADER = "$ANSIBLE_VAULT;"

# Limits on what one document may cost to build (docs/limits.md, "Limits and bad input"). libyaml composes an alias as a
# reference to the anchored node, so a "billion laughs" file is small once composed; it explodes
# only when something walks it (building values, repr, templating, output). Refusing documents
# whose aliases would add more than MAX_ALIAS_EXPANSION nodes keeps every later walk bounded.
# MAX_NESTING keeps the recursive constructor (and the loader's own recursion) far from Python's
# recursion limit; no real inventory nests a tenth as deep.
MAX_ALIAS_EXPANSION = 100_000
MAX_NESTING = 100
# Nodes (scalars, lists, mappings, aliases) in one file, counted on libyaml's event stream before
# anything is built: composing and walking cost about 20 µs and 500 bytes per node, so a file of a
# million keys took 72 s and 1.3 GB. A 10,000-host hosts.yaml with two variables per host has
# 80,000 nodes; this leaves room for twenty per host.
MAX_NODES = 500_000
YAML_PREFIX = "tag:yaml.org,2002:"
_INT_DIGITS = 4300  # Python's default int-string limit (sys.int_info.default_max_str_digits)

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
    """Ansible's ``!unsafe``: every text in the value is never templated (its wrap_var)."""
    if isinstance(node, yaml.ScalarNode):
        return UnsafeText(loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return _unsafe(loader.construct_sequence(node, deep=True))
    return _unsafe(loader.construct_mapping(node, deep=True))  # type: ignore[arg-type]


def _unsafe(value: Any) -> Any:
    # Recursion is bounded: documents nest at most MAX_NESTING levels (check_limits).
    if isinstance(value, str):
        return UnsafeText(value)
    if isinstance(value, list):
        return [_unsafe(v) for v in value]
    if isinstance(value, dict):
        return {_unsafe(k): _unsafe(v) for k, v in value.items()}
    return value


def _construct_vault(loader: _Loader, node: yaml.Node) -> VaultValue:
    text = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else ""
    return VaultValue(str(text))


_Loader.add_constructor("!unsafe", _construct_unsafe)
_Loader.add_constructor("!vault", _construct_vault)
_Loader.add_constructor("!vault-encrypted", _construct_vault)
# Output (render's kubespray variables) writes !unsafe text as the text it is.
yaml.representer.SafeRepresenter.add_representer(
    UnsafeText, yaml.representer.SafeRepresenter.represent_str
)


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


def parse_yaml(
    path: str, text: str, *, counted: bool = False
) -> tuple[YamlDocument | None, list[LoadProblem]]:
    """Compose ``text``; a syntax error or several documents give a problem and no document.

    ``counted``: the caller has already held ``text`` to a node limit (:func:`count_nodes`)."""
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
    too_many = None if counted else _count_nodes(path, text)
    if too_many is not None:
        return None, [too_many]
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
        refused = check_limits(node, loader)
        if refused is not None:
            why, where = refused
            m = where.start_mark
            return None, [LoadProblem(path, m.line + 1, m.column + 1, why)]
    return YamlDocument(path, text, node, loader), []


def compose_documents(path: str, text: str) -> list[yaml.Node] | None:
    """Every document of a multi-document file (Kubernetes manifests), within the node limit;
    None when it is too large or no YAML. Nothing is constructed: aliases stay references."""
    if _count_nodes(path, text) is not None:
        return None
    try:
        return list(yaml.compose_all(text, Loader=_BaseLoader))
    except (yaml.YAMLError, ValueError, UnicodeError, RecursionError):
        return None


def count_nodes(text: str, limit: int) -> tuple[int, Any]:
    """The nodes of ``text`` (scalars, aliases, lists, mappings) on libyaml's events, as far as
    it parses, counting stopped one past ``limit`` (with the mark of the node that passed it)."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > limit:
                    return count, event.start_mark
    except (yaml.YAMLError, ValueError, UnicodeError):
        pass
    return count, None


def _count_nodes(path: str, text: str) -> LoadProblem | None:
    """A problem when the document has more than MAX_NODES nodes, found on libyaml's events
    before any node is built: the cost stops at the limit, whatever the file holds."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > MAX_NODES:
                    m = event.start_mark
                    return LoadProblem(
                        path,
                        m.line + 1 if m else 0,
                        m.column + 1 if m else 0,
                        f"not checked: more than {MAX_NODES:,} YAML nodes (values, keys, lists, "
                        "mappings) in one file",
                    )
    except (yaml.YAMLError, ValueError, UnicodeError):
        return None  # composing reports the same error, with its position
    return None


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def check_limits(root: yaml.Node, loader: _Loader | None = None) -> tuple[str, yaml.Node] | None:
    """Why the composed document is refused (too deep, recursive or expanding aliases, or a
    node Ansible's loader cannot construct) and the node to point at, or None.

    One iterative pass over the node graph, each distinct node visited once: the cost is the
    size of the file, whatever its aliases would expand to. Constructing values later (for
    hosts.yaml, while the inventory is built) then cannot fail.
    """
    loader = loader or _Loader("")
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
                return f"not checked: nested deeper than {MAX_NESTING} levels", root
            done[key] = (1 + sum(n for n, _ in sizes), height)
            continue
        if key in done:
            continue
        unbuildable = _unconstructible(loader, node)
        if unbuildable is not None:
            return f"invalid YAML: {unbuildable}", node
        on_path.add(key)
        stack.append((node, True))
        for child in reversed(_children(node)):  # popped in document order: the first problem
            if id(child) in on_path:
                return (
                    "not checked: an alias refers to a node that contains it (a recursive document)",
                    root,
                )
            if id(child) not in done:
                stack.append((child, False))
    extra = done[id(root)][0] - len(done)
    if extra > MAX_ALIAS_EXPANSION:
        return (
            f"not checked: aliases would expand the document by {extra:,} nodes, more than the "
            f"{MAX_ALIAS_EXPANSION:,} allowed (a YAML alias bomb?)",
            root,
        )
    return None


_SCALAR_TAGS = frozenset(
    YAML_PREFIX + t for t in ("null", "bool", "int", "float", "binary", "timestamp")
)
_INT_TAG, _NULL_TAG = YAML_PREFIX + "int", YAML_PREFIX + "null"
_RARE_TAGS = frozenset(YAML_PREFIX + t for t in ("omap", "pairs", "set"))
_OWN_TAGS = frozenset(("!unsafe", "!vault", "!vault-encrypted"))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(YAML_PREFIX) :] if tag.startswith(YAML_PREFIX) else tag


def _unconstructible(loader: _Loader, node: yaml.Node) -> str | None:
    """Why Ansible's loader (a SafeLoader plus ``!unsafe`` and ``!vault``) cannot build ``node``,
    or None. Each node is checked alone, its children by their own visit."""
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag in (STR_TAG, MERGE_TAG) or tag in _OWN_TAGS:  # '<<' as a value: see below
            return None
        if tag == YAML_PREFIX + "value":  # the resolver's type for a bare '=' (YAML 1.1)
            return f"'=' alone is YAML 1.1's value key, which no loader builds (quote it); {_FAILS}"
        if tag not in _SCALAR_TAGS:
            return _unknown_tag(tag)
        text = node.value
        if (tag == _INT_TAG and text.isdigit() and len(text) <= _INT_DIGITS) or tag == _NULL_TAG:
            return None  # the common cases, which cannot fail: no need to build them
        try:
            loader.yaml_constructors[tag](loader, node)
        except Exception as exc:  # each constructor raises its own: ValueError, KeyError, ...
            if isinstance(exc, ValueError) and "limit" in str(exc) and "digits" in str(exc):
                return (
                    f"an integer of more than {_INT_DIGITS:,} digits, which Python refuses to "
                    f"read; {_FAILS}"
                )
            detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
            return (
                f"{brief(str(node.value))} is not a valid {_short_tag(tag)} "
                f"({cut(detail or exc.__class__.__name__)}); {_FAILS}"
            )
        return None
    if tag in _RARE_TAGS:  # rare and small: build it once to see
        try:
            _Loader("").construct_object(node, deep=True)
        except Exception as exc:
            detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
            return f"not a valid {_short_tag(tag)} ({cut(detail)}); {_FAILS}"
        return None
    if tag not in (YAML_PREFIX + "seq", YAML_PREFIX + "map") and tag not in _OWN_TAGS:
        return _unknown_tag(tag)
    if tag in ("!vault", "!vault-encrypted"):
        return None
    items = [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else list(node.value)
    if any(isinstance(v, yaml.ScalarNode) and v.tag == MERGE_TAG for v in items):
        return f"'<<' (YAML's merge key) used as a value (quote it); {_FAILS}"
    if isinstance(node, yaml.MappingNode):
        return _mapping_problem(node)
    return None


_FAILS = "Ansible's YAML loader fails on it too and loads nothing from the file"


def _unknown_tag(tag: str) -> str:
    return (
        f"unknown YAML tag {_short_tag(tag)!r}: Ansible's YAML loader has no constructor for it "
        "(it builds YAML's own types, !unsafe and !vault), fails on it too and loads nothing "
        "from the file"
    )


def _mapping_problem(node: yaml.MappingNode) -> str | None:
    """A key that is a list or mapping (unhashable), or a merge key (``<<``) whose value is no
    mapping or list of mappings: constructing either fails."""
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            targets = value.value if isinstance(value, yaml.SequenceNode) else [value]
            if not all(isinstance(t, yaml.MappingNode) for t in targets):
                return f"a merge key (<<) needs a mapping or a list of mappings; {_FAILS}"
        elif isinstance(key, yaml.CollectionNode) and key.tag not in ("!vault", "!vault-encrypted"):
            return f"a list or mapping used as a mapping key; {_FAILS}"
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
