"""Rewrite the timing flags of an existing control-plane static Pod manifest, and nothing else.

The manifest is treated as text, line by line, so comments, quoting, key order and every other
flag stay byte for byte. In the command list (block style, ``- --flag=value`` per line):
a timing flag's value is replaced in place (indentation and quotes kept), a missing timing flag
is added after the last flag line with the same indentation and quotes, a repeated timing flag
keeps its first line only, and flags the Kubernetes version no longer accepts are removed
(``--pod-eviction-timeout`` from 1.27: kube-controller-manager does not start with it).
Patching its own output changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from node_timing import knowledge
from node_timing.knowledge import KubeVersion
from node_timing.render.args import RenderError, pairs
from node_timing.settings import Settings

# component key in the knowledge base → binary and container name
COMPONENTS = {"controller_manager": "kube-controller-manager", "apiserver": "kube-apiserver"}

_ITEM = re.compile(r"^(?P<prefix>[ \t]*-[ \t]+)(?P<body>.*)$")
_BINARY = re.compile(
    r"""^["']?(?:\S*/)?(?P<binary>kube-controller-manager|kube-apiserver)["']?[ \t]*(?:#.*)?$"""
)
_CONTAINER = re.compile(
    r"""^[ \t]*(?:-[ \t]+)?name:[ \t]+["']?"""
    r"""(?P<name>kube-controller-manager|kube-apiserver)["']?[ \t]*$"""
)
_FLAG = re.compile(
    r"""^(?P<q>["']?)--(?P<name>[A-Za-z0-9][A-Za-z0-9-]*)(?:=(?P<value>[^"'\s#]*))?(?P=q)"""
    r"""(?P<rest>[ \t]*(?:\#.*)?)$"""
)
_ANY_FLAG = re.compile(r"""^["']?--""")


_IMAGE = re.compile(
    r"""^[ \t]*(?:-[ \t]+)?image:[ \t]+["']?(?P<ref>[^"'\s#]+)["']?[ \t]*(?:#.*)?$"""
)


def image_version(text: str) -> KubeVersion | None:
    """The Kubernetes version of the component a manifest runs, from its image tag.

    kubeadm writes ``image: registry.k8s.io/kube-controller-manager:v1.31.4``; a digest
    (``@sha256:...``) is ignored, and a tag that is not a version (``latest``, a build id) gives
    None. The image named after the manifest's component wins over any other container's.
    """
    found: list[tuple[bool, KubeVersion]] = []
    for line in text.splitlines():
        m = _IMAGE.match(line)
        if not m:
            continue
        ref = m.group("ref").split("@", 1)[0]
        name, _, tag = ref.rpartition(":")
        if not name or "/" in tag:  # "host:port/name" without a tag
            continue
        try:
            version = KubeVersion.parse(tag)
        except knowledge.KnowledgeError:
            continue
        found.append((name.rsplit("/", 1)[-1] in COMPONENTS.values(), version))
    if not found:
        return None
    return max(found, key=lambda item: item[0])[1]


def read_manifest(path: str) -> bytes | None:
    """The bytes of the manifest at ``path``, None when there is none.

    Only a regular file of at most the inventory loader's size limit is read: the path comes from
    the command line, and a FIFO would block forever, ``/dev/zero`` never ends, and a manifest is
    a few KiB. Other problems raise :class:`RenderError` with the reason.
    """
    import os

    from node_timing.inventory.read import read_bounded

    if not os.path.lexists(path):
        return None
    problems: list[Any] = []
    data = read_bounded(os.path.realpath(path), problems, shown=path)
    if data is None:
        raise RenderError(
            problems[0].message.removeprefix("not checked: ") if problems else "cannot read"
        )
    return data


@dataclass(frozen=True)
class PatchResult:
    text: str
    component: str
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _split_ending(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body) :]


def detect_component(lines: list[str]) -> tuple[str, int | None]:
    """The component of a manifest and the line index of its binary in the command list, if any."""
    for i, line in enumerate(lines):
        m = _ITEM.match(_split_ending(line)[0])
        if m:
            b = _BINARY.match(m.group("body"))
            if b:
                return _component_of(b.group("binary")), i
    for line in lines:
        c = _CONTAINER.match(_split_ending(line)[0])
        if c:
            return _component_of(c.group("name")), None
    raise RenderError(
        "not a kube-controller-manager or kube-apiserver manifest: found neither the binary in a "
        "command list nor the container name"
    )


def _component_of(binary: str) -> str:
    return next(key for key, name in COMPONENTS.items() if name == binary)


def _flag_block(lines: list[str], binary_line: int | None) -> tuple[int, int]:
    """``[start, end)`` of the list that holds the flags: the items sharing one ``- `` prefix."""
    start = None
    first = 0 if binary_line is None else binary_line
    for i in range(first, len(lines)):
        m = _ITEM.match(_split_ending(lines[i])[0])
        if m and (i == binary_line or _ANY_FLAG.match(m.group("body"))):
            start = i
            break
    if start is None:
        raise RenderError("found no `- --flag=value` lines in a block-style command list")
    m = _ITEM.match(_split_ending(lines[start])[0])
    assert m is not None
    prefix = m.group("prefix")
    end = start
    while end < len(lines):
        item = _ITEM.match(_split_ending(lines[end])[0])
        if not item or item.group("prefix") != prefix:
            break
        end += 1
    return start, end


def _newline_of(lines: list[str]) -> str:
    for line in lines:
        ending = _split_ending(line)[1]
        if ending:
            return ending
    return "\n"


def patch_manifest(text: str, settings: Settings, version: KubeVersion) -> PatchResult:
    """The manifest with its timing flags set from ``settings`` for ``version``."""
    lines = text.splitlines(keepends=True)
    component, binary_line = detect_component(lines)
    start, end = _flag_block(lines, binary_line)
    wanted = dict(pairs(settings, component, version))
    removed = {
        name
        for name, fact in knowledge.removed_flags().items()
        if fact["component"] == component and knowledge.flag_removed(name, version)
    }
    seen: set[str] = set()
    changes: list[str] = []
    out: list[str] = []
    anchor: int | None = None  # index in `out` of the line new flags follow: the last flag line
    for i, line in enumerate(lines):
        if not start <= i < end:
            out.append(line)
            continue
        body, ending = _split_ending(line)
        item = _ITEM.match(body)
        assert item is not None
        flag = _FLAG.match(item.group("body"))
        name = flag.group("name") if flag else None
        if flag and name in removed:
            changes.append(f"removed --{name} (Kubernetes {version.minor_text} does not accept it)")
            continue
        if flag and name in wanted:
            if name in seen:
                changes.append(f"removed a repeated --{name}")
                continue
            seen.add(name)
            if flag.group("value") != wanted[name]:
                q, rest = flag.group("q"), flag.group("rest")
                line = f"{item.group('prefix')}{q}--{name}={wanted[name]}{q}{rest}{ending}"
                changes.append(f"--{name}: {flag.group('value')} -> {wanted[name]}")
        out.append(line)
        if anchor is None or _ANY_FLAG.match(item.group("body")):
            anchor = len(out) - 1
    missing = [name for name in wanted if name not in seen]
    if missing:
        out[:] = _insert(out, anchor, [f"--{n}={wanted[n]}" for n in missing], lines)
        changes += [f"added --{n}={wanted[n]}" for n in missing]
    return PatchResult("".join(out), component, changes)


def _insert(out: list[str], anchor: int | None, flags: list[str], lines: list[str]) -> list[str]:
    """``out`` with one list item per flag after line ``anchor``, written the way that line is."""
    if anchor is None:  # every line of the block was removed: nothing to copy the layout from
        raise RenderError("the command list has no line left to add the timing flags after")
    body, ending = _split_ending(out[anchor])
    item = _ITEM.match(body)
    assert item is not None
    first = item.group("body")[:1]
    q = first if first in "\"'" and _ANY_FLAG.match(item.group("body")) else ""
    newline = ending or _newline_of(lines)
    added = [f"{item.group('prefix')}{q}{flag}{q}{newline}" for flag in flags]
    if not ending:  # the anchor ended the file without a newline: so does the last added line
        added[-1] = added[-1][: -len(newline)]
        out = [*out[:anchor], body + newline, *out[anchor + 1 :]]
    return [*out[: anchor + 1], *added, *out[anchor + 1 :]]
