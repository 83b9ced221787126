"""kubeadm configuration files (``kubeadm.k8s.io/v1beta3`` and ``v1beta4``), every kind in them.

- ``ClusterConfiguration``: ``kubernetesVersion``, ``controllerManager.extraArgs`` and
  ``apiServer.extraArgs``: a map of strings in v1beta3, a list of ``{name, value}`` in v1beta4
  (kubeadm 1.31+; a name may repeat, the last one wins);
- ``InitConfiguration`` / ``JoinConfiguration``: ``nodeRegistration.kubeletExtraArgs`` (the same
  two shapes), the kubelet's flags;
- a ``KubeletConfiguration`` document in the same file: the kubelet's configuration fields;
- the other kinds (``KubeProxyConfiguration``, ``ResetConfiguration``, ``UpgradeConfiguration``)
  carry no node-health timing and are accepted as they are.

An extraArgs in the other API version's shape is refused by kubeadm, so it is a finding here.
"""

from __future__ import annotations

from typing import Any

import yaml

from node_timing.deployed._files import (
    CONFIG_FILE,
    FLAG,
    Document,
    Source,
    checked_source,
    flush,
)
from node_timing.deployed.kubelet import CONFIG_KIND, KUBELET_FLAGS, config_document_sources
from node_timing.deployed.manifests import COMPONENTS, setting_flags
from node_timing.deployed.reading import Reading
from node_timing.findings import Location
from node_timing.inventory.model import LoadProblem, Value
from node_timing.knowledge import KnowledgeError, KubeVersion

GROUP = "kubeadm.k8s.io/"
APIS = ("v1beta3", "v1beta4")
# ClusterConfiguration key → component binary
SECTIONS = {"controllerManager": "kube-controller-manager", "apiServer": "kube-apiserver"}


def is_kubeadm(docs: list[Document]) -> bool:
    """True when a document of the stream is a kubeadm configuration."""
    return any(str(_api(d) or "").startswith(GROUP) for d in docs)


def _api(document: Document) -> Any:
    top = document.mapping(document.doc.root)
    return document.value(top["apiVersion"][1]) if "apiVersion" in top else None


def _kind(document: Document) -> Any:
    top = document.mapping(document.doc.root)
    return document.value(top["kind"][1]) if "kind" in top else None


def kubeadm_reading(shown: str, docs: list[Document], problems: list[LoadProblem]) -> Reading:
    """The timing a kubeadm configuration stream sets, in document order."""
    found: list[LoadProblem] = []
    sources: list[Source] = []
    flags: dict[
        str, tuple[dict[str, Any], dict[str, tuple[int, int]], dict[str, frozenset[str]]]
    ] = {}
    version: tuple[KubeVersion, Location] | None = None
    components: set[str] = set()
    for document in docs:
        api, kind = _api(document), _kind(document)
        top = document.mapping(document.doc.root)
        if kind == CONFIG_KIND:
            sources += config_document_sources(document, CONFIG_FILE, found)
            components.add("kubelet")
            continue
        if not (isinstance(api, str) and api.startswith(GROUP)):
            continue
        style = api[len(GROUP) :]
        if style not in APIS:
            at = document.location(top["apiVersion"][1])
            found.append(
                LoadProblem(
                    at.path,
                    at.line,
                    at.column,
                    f"not read: kubeadm API {style}; node-timing reads {' and '.join(APIS)}",
                    severity="warning",
                )
            )
            continue
        if kind == "ClusterConfiguration":
            if "kubernetesVersion" in top:
                version = _version(document, top["kubernetesVersion"][1], found) or version
            for section, binary in SECTIONS.items():
                if section not in top:
                    continue
                holder = document.mapping(top[section][1]).get("extraArgs")
                if holder is None:
                    continue
                component, dict_name = COMPONENTS[binary]
                names = setting_flags(component)
                where = f"{section}.extraArgs"
                entry = flags.setdefault(dict_name, ({}, {}, {}))
                for name, raw, at, noqa in _args(document, holder[1], style, where, found):
                    entry[0][name] = raw
                    entry[1][name] = (at.line, at.column)
                    if noqa:
                        entry[2][name] = noqa
                    if name in names:
                        sources.append(checked_source(names[name], FLAG, name, raw, at, noqa))
                components.add(component)
        elif kind in ("InitConfiguration", "JoinConfiguration"):
            registration = (
                document.mapping(top["nodeRegistration"][1]) if "nodeRegistration" in top else {}
            )
            holder = registration.get("kubeletExtraArgs")
            if holder is None:
                continue
            where = "nodeRegistration.kubeletExtraArgs"
            for name, raw, at, noqa in _args(document, holder[1], style, where, found):
                if name in KUBELET_FLAGS:
                    sources.append(
                        checked_source(KUBELET_FLAGS[name], FLAG, f"--{name}", raw, at, noqa)
                    )
                    components.add("kubelet")
        flush(document, found)
    problems.extend(found)
    values = {
        name: Value(
            content,
            shown,
            next(iter(positions.values()))[0] if positions else 0,
            0,
            key_positions=positions,
            key_noqa=noqa,
        )
        for name, (content, positions, noqa) in flags.items()
    }
    return Reading(
        shown, "kubeadm", tuple(sources), values, version, tuple(found), frozenset(components)
    )


def _args(
    document: Document,
    node: yaml.Node,
    style: str,
    where: str,
    problems: list[LoadProblem],
) -> list[tuple[str, Any, Location, frozenset[str]]]:
    """``(name, value, value's location, noqa)`` of an extraArgs in ``style``'s shape."""
    out: list[tuple[str, Any, Location, frozenset[str]]] = []
    at = document.location(node)
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        return out
    if style == "v1beta3":
        if not isinstance(node, yaml.MappingNode):
            problems.append(
                LoadProblem(
                    at.path,
                    at.line,
                    at.column,
                    f"{where} must be a map of flag: value in kubeadm.k8s.io/v1beta3; kubeadm refuses this file",
                )
            )
            return out
        for name, (key_node, value_node) in document.mapping(node).items():
            out.append(
                (
                    name,
                    document.value(value_node),
                    document.location(value_node),
                    document.noqa(key_node) | document.noqa(value_node),
                )
            )
        return out
    if not isinstance(node, yaml.SequenceNode):
        problems.append(
            LoadProblem(
                at.path,
                at.line,
                at.column,
                f"{where} must be a list of {{name, value}} in kubeadm.k8s.io/v1beta4; kubeadm refuses this file",
            )
        )
        return out
    for item in node.value:
        fields = document.mapping(item)
        if "name" not in fields or "value" not in fields:
            where_item = document.location(item)
            problems.append(
                LoadProblem(
                    where_item.path,
                    where_item.line,
                    where_item.column,
                    f"{where}: each item needs a name and a value",
                )
            )
            continue
        name = document.value(fields["name"][1])
        value_node = fields["value"][1]
        out.append(
            (
                str(name),
                document.value(value_node),
                document.location(value_node),
                document.noqa(fields["name"][0]) | document.noqa(value_node),
            )
        )
    return out


def _version(
    document: Document, node: yaml.Node, problems: list[LoadProblem]
) -> tuple[KubeVersion, Location] | None:
    raw = document.value(node)
    at = document.location(node)
    try:
        return KubeVersion.parse(raw), at
    except KnowledgeError as exc:
        problems.append(LoadProblem(at.path, at.line, at.column, f"kubernetesVersion: {exc}"))
        return None


def is_kubelet_config(docs: list[Document]) -> bool:
    return len(docs) == 1 and _kind(docs[0]) == CONFIG_KIND
