"""kube-controller-manager and kube-apiserver static Pod manifests (``/etc/kubernetes/manifests/``).

kubeadm writes each as a Pod whose container ``command`` is the binary followed by one
``--name=value`` item per flag; the image tag is the version that runs. A manifest is recognised
by its content: ``kind: Pod`` with a container whose command (or name) is one of the two
components. Flags may also sit in ``args``; ``--name value`` (two items) is read too. The last
occurrence of a flag wins, as the components' flag parser does.
"""

from __future__ import annotations

from typing import Any

import yaml

from node_timing.deployed._files import (
    FLAG,
    Document,
    NodeFiles,
    Source,
    checked_source,
    documents,
    flush,
)
from node_timing.deployed.reading import Reading
from node_timing.findings import Location
from node_timing.inventory.model import LoadProblem, Value
from node_timing.knowledge import KnowledgeError, KubeVersion

# component binary → (setting component, kubespray dict the rules know its flags by)
COMPONENTS = {
    "kube-controller-manager": ("controller_manager", "kube_kubeadm_controller_extra_args"),
    "kube-apiserver": ("apiserver", "kube_kubeadm_apiserver_extra_args"),
}
MANIFEST_DIR = "/etc/kubernetes/manifests"


def setting_flags(component: str) -> dict[str, str]:
    """``{flag name: setting path}`` of a control-plane component's timing flags."""
    from node_timing.render.args import flag_names

    return {flag: path for path, flag in flag_names(component).items()}


def component_of(document: Document) -> str | None:
    """The component a static Pod document runs (``kube-controller-manager`` ...), or None."""
    top = document.mapping(document.doc.root)
    if "kind" not in top or document.value(top["kind"][1]) != "Pod":
        return None
    for container in _containers(document):
        fields = document.mapping(container)
        command = fields.get("command")
        if command is not None and isinstance(command[1], yaml.SequenceNode) and command[1].value:
            first = document.value(command[1].value[0])
            name = str(first).rsplit("/", 1)[-1] if isinstance(first, str) else None
            if name in COMPONENTS:
                return name
    return None


def _containers(document: Document) -> list[yaml.Node]:
    spec = document.mapping(document.doc.root).get("spec")
    if spec is None:
        return []
    containers = document.mapping(spec[1]).get("containers")
    if containers is None or not isinstance(containers[1], yaml.SequenceNode):
        return []
    return list(containers[1].value)


def read_manifest(files: NodeFiles, node_path: str) -> Reading | None:
    """The timing flags of the static Pod at ``node_path`` (None when it cannot be read)."""
    shown = files.shown(node_path)
    text = files.text(node_path)
    if text is None:
        return None
    return manifest_reading(shown, text, files.problems)


def manifest_reading(
    shown: str, text: str, problems: list[LoadProblem], docs: list[Document] | None = None
) -> Reading | None:
    """:func:`read_manifest` on text already read (``docs`` when already parsed)."""
    found: list[LoadProblem] = []
    docs = documents(shown, text, found) if docs is None else docs
    for document in docs:
        name = component_of(document)
        if name is not None:
            reading = _reading(shown, name, document, found)
            flush(document, found)
            problems.extend(found)
            return Reading(
                reading.path,
                reading.kind,
                reading.sources,
                reading.flags,
                reading.version,
                tuple(found),
                reading.components,
            )
    problems.extend(found)
    return None


def _reading(shown: str, name: str, document: Document, problems: list[LoadProblem]) -> Reading:
    component, dict_name = COMPONENTS[name]
    names = setting_flags(component)
    sources: list[Source] = []
    flags: dict[str, Any] = {}
    positions: dict[str, tuple[int, int]] = {}
    noqa: dict[str, frozenset[str]] = {}
    version = None
    for container in _containers(document):
        fields = document.mapping(container)
        command = fields.get("command")
        if command is None or not isinstance(command[1], yaml.SequenceNode):
            continue
        first = document.value(command[1].value[0]) if command[1].value else None
        if not (isinstance(first, str) and first.rsplit("/", 1)[-1] == name):
            continue
        items = list(command[1].value[1:])
        args = fields.get("args")
        if args is not None and isinstance(args[1], yaml.SequenceNode):
            items += list(args[1].value)
        for flag, raw, location, ids in _flags(document, items):
            flags[flag] = raw
            positions[flag] = (location.line, location.column)
            if ids:
                noqa[flag] = ids
            if flag in names:
                sources.append(checked_source(names[flag], FLAG, f"--{flag}", raw, location, ids))
        image = fields.get("image")
        if image is not None:
            version = _image_version(document, image[1])
        break
    flag_value = Value(
        flags,
        shown,
        positions[next(iter(positions))][0] if positions else 0,
        0,
        key_positions=positions,
        key_noqa=noqa,
    )
    return Reading(
        shown,
        "manifest",
        tuple(sources),
        {dict_name: flag_value},
        version,
        (),
        frozenset({component}),
    )


def _flags(
    document: Document, items: list[yaml.Node]
) -> list[tuple[str, str, Location, frozenset[str]]]:
    """``(flag, value, value's location, noqa)`` of ``--name=value`` / ``--name value`` items."""
    out: list[tuple[str, str, Location, frozenset[str]]] = []
    i = 0
    while i < len(items):
        node = items[i]
        i += 1
        text = document.value(node)
        if not isinstance(text, str) or not text.startswith("--"):
            continue
        name, eq, value = text[2:].partition("=")
        if eq:
            at = document.location(node)
            quoted = 1 if getattr(node, "style", None) in ("'", '"') else 0
            column = at.column + quoted + 2 + len(name) + 1
            out.append((name, value, Location(at.path, at.line, column), document.noqa(node)))
        elif i < len(items):
            nxt = items[i]
            following = document.value(nxt)
            if isinstance(following, str) and not following.startswith("-"):
                at = document.location(nxt)
                quoted = 1 if getattr(nxt, "style", None) in ("'", '"') else 0
                out.append(
                    (
                        name,
                        following,
                        Location(at.path, at.line, at.column + quoted),
                        document.noqa(nxt),
                    )
                )
                i += 1
    return out


def _image_version(document: Document, node: yaml.Node) -> tuple[KubeVersion, Location] | None:
    """The version in an image tag (``registry.k8s.io/kube-apiserver:v1.33.5``), if it has one."""
    image = document.value(node)
    if not isinstance(image, str):
        return None
    named = image.split("@", 1)[0]  # a digest after the tag
    if ":" not in named.rsplit("/", 1)[-1]:
        return None
    start = named.rindex(":") + 1
    try:
        version = KubeVersion.parse(named[start:])
    except KnowledgeError:
        return None
    at = document.location(node)
    quoted = 1 if getattr(node, "style", None) in ("'", '"') else 0
    return version, Location(at.path, at.line, at.column + quoted + start)
