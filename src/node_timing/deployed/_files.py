"""Reading a node's files: confined to the node's root, bounded, parsed with positions.

A node root is a directory standing for a node's ``/`` (a collected copy, a mounted image, or ``/``
itself). Every file is read through the inventory loader's bounded reader: regular files only, at
most ``MAX_FILE_SIZE``, never through a symlink that leaves the root (a collected
``kubelet-config.yaml -> /etc/shadow`` must not read the analysing machine's file). Whatever cannot
be read becomes a :class:`LoadProblem`; nothing here raises on bad input.

``_evaluation`` is the one place the package imports the evaluation's names from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from node_timing import knowledge
from node_timing.deployed._evaluation import EXTRA_ARG, format_problem
from node_timing.deployed._evaluation import K8S_DEFAULT as K8S_DEFAULT
from node_timing.deployed._evaluation import Source as Source
from node_timing.findings import Location
from node_timing.inventory.model import LoadProblem
from node_timing.inventory.read import Reader, decode_text, read_bounded
from node_timing.inventory.yamlpos import (
    MAX_NODES,
    YamlDocument,
    count_nodes,
    parse_noqa,
    parse_yaml,
)
from node_timing.knowledge import KubeVersion
from node_timing.settings import SettingError, parse_value

# Where a deployed value comes from (Source.kind); K8S_DEFAULT when nothing sets it.
FLAG = "flag"  # a command-line flag (a kubelet.env / kubeadm-flags.env word, a Pod's command)
CONFIG_FILE = "config-file"  # a field of the kubelet's --config file or of a kubeadm config
DROP_IN = "config-drop-in"  # a field of a kubelet --config-dir drop-in
ENVIRONMENT = "environment"  # a variable of the kubelet's process environment

# A kubeadm configuration or a file of many documents: more would be no node's configuration.
MAX_DOCUMENTS = 64


@dataclass
class NodeFiles:
    """The files of one node root, read at most once each, and what went wrong reading them."""

    root: str
    problems: list[LoadProblem] = field(default_factory=list)
    _reader: Reader = field(init=False, repr=False)
    _texts: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._reader = Reader(root=os.path.realpath(self.root), problems=self.problems)

    def shown(self, node_path: str) -> str:
        """The path a finding names for the node's absolute ``node_path``."""
        return os.path.join(self.root, node_path.lstrip("/"))

    def exists(self, node_path: str) -> bool:
        """True when something (file, directory, link) is at ``node_path`` under the root."""
        return os.path.lexists(self.shown(node_path))

    @property
    def read_files(self) -> list[str]:
        """Every file read so far (shown paths), in reading order."""
        return list(dict.fromkeys(self._reader.files))

    def text(self, node_path: str) -> str | None:
        """The UTF-8 text of ``node_path`` (None and a problem when it cannot be read)."""
        shown = self.shown(node_path)
        if shown in self._texts:
            return self._texts[shown]
        data = self._reader.read(shown)
        text = decode_text(shown, data, self.problems) if data is not None else None
        self._texts[shown] = text
        return text

    def listdir(self, node_path: str) -> list[str]:
        """Sorted names in the directory ``node_path`` (empty and a problem when unreadable)."""
        return self._reader.listdir(self.shown(node_path), frozenset(), "deployed") or []


def node_path(path: str) -> str:
    """A path as the node sees it: relative paths are relative to ``/`` (the unit's working
    directory), ``..`` cannot climb above the root."""
    return os.path.normpath("/" + path.lstrip("/"))  # normpath keeps a leading "//"


# ---------------------------------------------------------------------------------------------
# Values


def checked_source(
    setting: str,
    kind: str,
    name: str,
    raw: Any,
    location: Location,
    noqa: frozenset[str] = frozenset(),
    *,
    typed: bool = False,
) -> Source:
    """A Source for ``raw``, with the problem the component would have with it.

    ``typed`` values come from a YAML file the component decodes into typed fields (a
    KubeletConfiguration: a bare number is no duration, ``"40"`` no int32), checked as the linter
    checks ``kubelet_config_extra_args``; flags and kubeadm's extraArgs are strings.
    """
    problem = format_problem(setting, EXTRA_ARG if typed else kind, name, raw)
    if problem:
        return Source(setting, kind, name, raw, location, noqa, problem=problem)
    try:
        value = parse_value(setting, "0" if raw == 0 and not isinstance(raw, bool) else raw)
    except SettingError as exc:
        return Source(setting, kind, name, raw, location, noqa, problem=str(exc))
    return Source(setting, kind, name, raw, location, noqa, value=value)


def default_source(setting: str, value: Any, location: Location) -> Source:
    """The component's own default for ``setting`` (parsed), placed at ``location``."""
    return Source(setting, K8S_DEFAULT, setting, None, location, value=value)


def resolve(
    paths: list[str],
    found: Mapping[str, list[Source]],
    version: KubeVersion,
    base: Location,
) -> tuple[dict[str, tuple[Source, ...]], dict[str, Any]]:
    """Every setting's sources (the component's default first, then ``found`` in precedence
    order) and its running value: the last source's, or the default when that one is unusable
    (the rules report why)."""
    sources: dict[str, tuple[Source, ...]] = {}
    values: dict[str, Any] = {}
    for path in paths:
        default = parse_value(path, knowledge.default_for(path, version))
        chain = [default_source(path, default, base), *found.get(path, [])]
        values[path] = chain[-1].value if chain[-1].usable else default
        sources[path] = tuple(chain)
    return sources, values


def read_text(path: str, problems: list[LoadProblem]) -> str | None:
    """The UTF-8 text of a file named on the command line, read bounded (None and a problem).

    A symlink the user named is followed (``/etc/kubernetes/kubelet-config.yaml`` may be one);
    its target is still only read when it is a regular file of bounded size.
    """
    data = read_bounded(os.path.realpath(path), problems, shown=path)
    return decode_text(path, data, problems) if data is not None else None


def is_zero(raw: Any) -> bool:
    """True for a value the kubelet's defaulting treats as unset: ``0``, ``"0"``, ``"0s"``, ``""``."""
    if isinstance(raw, bool) or raw is None:
        return raw is None
    if isinstance(raw, int | float):
        return raw == 0
    if isinstance(raw, str):
        text = raw.strip()
        return text == "" or re.fullmatch(r"0+(\.0*)?([a-zµμ]+)?", text) is not None
    return False


# ---------------------------------------------------------------------------------------------
# Shell-like words with positions (systemd unit lines, environment files, kubelet flags)


@dataclass(frozen=True)
class Word:
    """One word of a line, unquoted, with the 1-based line and column its text starts at."""

    text: str
    line: int
    column: int
    noqa: frozenset[str] = frozenset()


def split_words(
    text: str, line: int, column: int, noqa: frozenset[str] = frozenset()
) -> list[Word]:
    """``text`` split at whitespace as systemd splits an unquoted ``$VAR``; ``column`` is where
    ``text`` starts."""
    return [Word(m.group(0), line, column + m.start(), noqa) for m in re.finditer(r"\S+", text)]


_SPACES = re.compile(r"\s*")
_PLAIN = re.compile(r"[^\s\"'\\]+")


def quoted_words(
    text: str,
    line: int,
    column: int,
    noqa: frozenset[str] = frozenset(),
    *,
    limit: int | None = None,
) -> list[Word]:
    """``text`` split into words at whitespace outside quotes; quotes removed, a backslash keeps
    the next character. A word's column is that of its first character of content. At most
    ``limit`` words (the rest of the line is not read)."""
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n and (limit is None or len(words) < limit):
        i = _SPACES.match(text, i).end()  # type: ignore[union-attr]  # \s* always matches
        if i >= n:
            break
        start = i
        content_start: int | None = None
        out: list[str] = []
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch in "\"'":
                end = text.find(ch, i + 1)
                if end < 0:  # an unterminated quote runs to the end of the line
                    end = n
                if content_start is None:
                    content_start = i + 1
                out.append(
                    text[i + 1 : end].replace("\\" + ch, ch) if ch == '"' else text[i + 1 : end]
                )
                i = end + 1
                continue
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if content_start is None:
                content_start = i
            plain = _PLAIN.match(text, i)  # a run of ordinary characters at once
            end = plain.end() if plain else i + 1
            out.append(text[i:end])
            i = end
        words.append(
            Word(
                "".join(out),
                line,
                column + (content_start if content_start is not None else start),
                noqa,
            )
        )
    return words


def assignment(word: Word) -> tuple[str, Word] | None:
    """``KEY=VALUE`` as (KEY, the value as a Word at its own column), or None."""
    name, eq, value = word.text.partition("=")
    if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return None
    return name, replace(word, text=value, column=word.column + len(name) + 1)


def env_file(text: str, strays: list[int] | None = None) -> dict[str, list[Word]]:
    """Variables of a systemd ``EnvironmentFile`` (also ``/etc/default`` style files).

    ``KEY=VALUE`` lines; ``#``/``;`` comment lines; an ``export`` prefix tolerated. A value may be
    quoted (quotes removed) and may continue on the next line after a trailing backslash, inside
    quotes or not (the backslash and newline dropped, the spaces kept): kubespray's
    ``KUBELET_ARGS="--config=... \\`` spans many lines. Each value is the list of its pieces, one
    per line, each at its own line and column. The last assignment of a name wins (systemd).
    ``strays`` receives the numbers of the lines that are none of these.
    """
    out: dict[str, list[Word]] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        raw_line = lines[i]
        number = i + 1
        i += 1
        stripped = raw_line.lstrip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("export "):
            stripped = stripped[7:].lstrip()
        offset = len(raw_line) - len(stripped)
        name, eq, value = stripped.partition("=")
        name = name.strip()
        if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            if strays is not None:
                strays.append(number)  # no assignment: not an environment file's line
            continue
        noqa = parse_noqa(raw_line)
        col = offset + stripped.index("=") + 2  # 1-based column of the value's first character
        pieces: list[Word] = []
        quote = value[:1] if value[:1] in ("'", '"') else ""
        if quote:
            value, col = value[1:], col + 1
        while True:
            if quote and quote in value.replace("\\" + quote, ""):
                end = _closing(value, quote)
                pieces.append(Word(_unescape(value[:end], quote), number, col, noqa))
                break
            more = value.endswith("\\")
            body = value[:-1] if more else value
            if not quote:
                body = body.rstrip() if not more else body
            pieces.append(Word(_unescape(body, quote), number, col, noqa))
            if not (more or quote) or i >= len(lines):
                break
            value, number, col = lines[i], i + 1, 1
            noqa = parse_noqa(value)
            i += 1
        out[name] = pieces
    return out


def _closing(value: str, quote: str) -> int:
    """Index of the first unescaped ``quote`` in ``value`` (its length when there is none)."""
    j = 0
    while j < len(value):
        if value[j] == "\\" and quote == '"':
            j += 2
            continue
        if value[j] == quote:
            return j
        j += 1
    return len(value)


def _unescape(text: str, quote: str) -> str:
    return text.replace('\\"', '"') if quote == '"' else text


def flag_values(words: list[Word], names: dict[str, str]) -> Iterator[tuple[str, str, Word]]:
    """``(setting, flag name, value word)`` for each flag among ``words`` whose name (without
    dashes) is a key of ``names`` (→ setting). ``--name=value`` and ``--name value`` both count;
    later occurrences come later (pflag: the last one wins)."""
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if not w.text.startswith("-"):
            continue
        name, eq, value = w.text.lstrip("-").partition("=")
        setting = names.get(name)
        if setting is None:
            continue
        if eq:
            # replace() keeps the word's subclass (and with it the file it was read from)
            yield setting, name, replace(w, text=value, column=w.column + w.text.index("=") + 1)
        elif i < len(words):
            yield setting, name, words[i]
            i += 1


# ---------------------------------------------------------------------------------------------
# YAML


@dataclass(frozen=True)
class Document:
    """One YAML document of a file, composed with positions (lines of the whole file)."""

    doc: YamlDocument
    line_offset: int  # lines before the document's first line in the file

    def location(self, node: yaml.Node) -> Location:
        m = node.start_mark
        return Location(self.doc.path, m.line + 1 + self.line_offset, m.column + 1)

    def noqa(self, node: yaml.Node) -> frozenset[str]:
        return parse_noqa(self.doc.line_text(node.start_mark.line + 1))

    def mapping(self, node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """``{key: (key node, value node)}`` of a mapping node with string keys; {} otherwise."""
        if not isinstance(node, yaml.MappingNode):
            return {}
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in self.doc.pairs(node):
            if isinstance(k, yaml.ScalarNode):
                out[str(k.value)] = (k, v)
        return out

    def value(self, node: yaml.Node) -> Any:
        """The Python value of a scalar node (YAML 1.1 types), None for anything else."""
        if not isinstance(node, yaml.ScalarNode):
            return None
        try:
            return self.doc.construct(node)
        except (yaml.YAMLError, ValueError, TypeError):
            return node.value


_DOC_START = re.compile(r"^---(?:[ \t]|$)")


def documents(path: str, text: str, problems: list[LoadProblem]) -> list[Document]:
    """The documents of a YAML stream, each parsed by the linter's bounded YAML parser.

    The stream is cut at ``---`` lines (a marker at column 0 always starts a document, even
    inside a block scalar); each part is parsed on its own and its positions shifted back, so a
    multi-document kubeadm configuration keeps the file's line numbers.
    """
    lines = text.splitlines(keepends=True)
    parts: list[tuple[int, str]] = []
    start = 0
    for i, line in enumerate(lines):
        if _DOC_START.match(line) and i > start:
            parts.append((start, "".join(lines[start:i])))
            start = i
        elif _DOC_START.match(line):
            start = i
    parts.append((start, "".join(lines[start:])))
    if len(parts) > MAX_DOCUMENTS:
        problems.append(
            LoadProblem(
                path, 0, 0, f"not checked: more than {MAX_DOCUMENTS} YAML documents in one file"
            )
        )
        return []
    parts = [
        (offset, part)
        for offset, part in parts
        if part.strip()
        and not all(
            not ln.strip()
            or ln.lstrip().startswith("#")
            or (_DOC_START.match(ln) and not ln[3:].strip())
            for ln in part.splitlines()
        )
    ]
    # The node limit holds for the whole file, counted on every document before any is built.
    budget = MAX_NODES
    for offset, part in parts:
        used, mark = count_nodes(part, budget)
        if mark is not None:
            problems.append(
                LoadProblem(
                    path,
                    mark.line + 1 + offset,
                    mark.column + 1,
                    f"not checked: more than {MAX_NODES:,} YAML nodes (values, keys, lists, "
                    "mappings) in one file",
                )
            )
            return []
        budget -= used
    out: list[Document] = []
    for offset, part in parts:
        doc, found = parse_yaml(path, part, counted=True)
        problems.extend(replace(p, line=p.line + offset) if p.line else p for p in found)
        if doc is None or doc.root is None:
            continue
        document = Document(doc, offset)
        out.append(document)
    return out


def flush(document: Document, problems: list[LoadProblem]) -> None:
    """Move the problems met while building values (repeated keys) into ``problems``."""
    problems.extend(
        replace(p, line=p.line + document.line_offset) if p.line else p
        for p in document.doc.problems
    )
    document.doc.problems.clear()
