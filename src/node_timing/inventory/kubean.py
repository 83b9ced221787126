"""Kubean's layout: a ``Cluster`` (``kubean.io/v1alpha1``) whose hosts and variables live in two
ConfigMaps, and the pair of files its job mounts from them.

Kubean runs kubespray as ``ansible-playbook -i hosts.yml -e @group_vars.yml``: ``hosts.yml`` is
the ``hosts.yml`` key of the ConfigMap ``spec.hostsConfRef`` names, ``group_vars.yml`` the
``group_vars.yml`` key of the one ``spec.varsConfRef`` names, so every variable in it is an extra
var, above the inventory's own. This module finds the two texts:

- in a manifest file or a directory of manifests: the ``Cluster`` and its ConfigMaps (in the same
  file or beside it); without a ``Cluster``, the one ConfigMap holding ``hosts.yml`` and the one
  holding ``group_vars.yml``;
- in a directory holding ``hosts.yml`` beside ``group_vars.yml`` (and no ``group_vars/``): the
  mounted pair.

An embedded text keeps the manifest's lines and columns: the ConfigMap value is a literal block
(``|``), whose lines are the text itself, indented; the lines before it are kept as empty lines
and the indentation as it is (YAML allows an indented root), so every position found in the text
is the position in the manifest file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import yaml

from node_timing.inventory.model import YAML_EXTS, InventoryError, LoadProblem
from node_timing.inventory.read import Reader, decode_text
from node_timing.inventory.root import project_root
from node_timing.inventory.yamlpos import compose_documents

HOSTS_KEY = "hosts.yml"
VARS_KEY = "group_vars.yml"
API_GROUP = "kubean.io/"
# Manifests looked at in one directory (its top only): a directory of Kubean manifests holds a
# handful; more is no Kubean layout.
MAX_MANIFESTS = 200


@dataclass(frozen=True)
class Embedded:
    """A text to read as if it were the file ``path`` (positions as in that file)."""

    path: str
    text: str


@dataclass(frozen=True)
class KubeanLayout:
    hosts: Embedded
    variables: Embedded | None
    said: str  # what stood for the inventory, for stderr


def find_layout(path: str, inventory_dir: bool = False) -> KubeanLayout | None:
    """Kubean's layout at ``path`` (a manifest, a directory of manifests, or the mounted pair),
    or None; ``inventory_dir`` says the directory looks like an inventory (then only the mounted
    pair is looked for). Raises InventoryError when it is Kubean's but cannot be read as one."""
    p = os.path.abspath(path)
    if os.path.isdir(p):
        mounted = _mounted(p)
        if mounted is not None or inventory_dir:
            return mounted
        files = _manifests(p)
        return _from_manifests(files, path) if files else None
    if os.path.isfile(p) and os.path.splitext(p)[1] in YAML_EXTS and _mentions_kubean(p):
        siblings = [f for f in _manifests(os.path.dirname(p)) if f != p]
        return _from_manifests([p, *siblings], path, first_only=True)
    return None


def _manifests(directory: str) -> list[str]:
    """The YAML files at the top of ``directory`` that may be Kubean manifests (a quick look at
    their text first: a kubespray inventory's hosts.yaml is not composed twice)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    candidates = [
        os.path.join(directory, n)
        for n in names
        if os.path.splitext(n)[1] in YAML_EXTS and os.path.isfile(os.path.join(directory, n))
    ]
    if len(candidates) > MAX_MANIFESTS:
        return []
    return [f for f in candidates if _mentions_kubean(f)]


def _mentions_kubean(path: str) -> bool:
    text = _read(path) or ""
    return API_GROUP in text or ("ConfigMap" in text and (HOSTS_KEY in text or VARS_KEY in text))


def _mounted(directory: str) -> KubeanLayout | None:
    hosts, variables = os.path.join(directory, HOSTS_KEY), os.path.join(directory, VARS_KEY)
    if not (os.path.isfile(hosts) and os.path.isfile(variables)) or os.path.isdir(
        os.path.join(directory, "group_vars")
    ):
        return None
    text = _read(hosts)
    if text is None or ("kind:" in text and API_GROUP in text):
        return None
    return KubeanLayout(
        Embedded(hosts, text),
        Embedded(variables, _read(variables) or ""),
        f"Kubean's mounted layout: {HOSTS_KEY} as the inventory, {VARS_KEY} as extra vars "
        f"(ansible-playbook -i {HOSTS_KEY} -e @{VARS_KEY})",
    )


def _read(path: str) -> str | None:
    problems: list[LoadProblem] = []
    data = Reader(project_root(path), problems).read(path)
    return None if data is None else decode_text(path, data, problems)


@dataclass(frozen=True)
class _Doc:
    path: str
    text: str
    node: yaml.MappingNode

    def get(self, *keys: str) -> yaml.Node | None:
        node: yaml.Node | None = self.node
        for key in keys:
            if not isinstance(node, yaml.MappingNode):
                return None
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        return node

    def text_of(self, *keys: str) -> str | None:
        node = self.get(*keys)
        return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _documents(path: str) -> list[_Doc]:
    """The mapping documents of one manifest file; [] when it is no YAML we can read."""
    text = _read(path)
    roots = compose_documents(path, text) if text is not None else None
    return [_Doc(path, text or "", r) for r in roots or () if isinstance(r, yaml.MappingNode)]


def _from_manifests(files: list[str], shown: str, first_only: bool = False) -> KubeanLayout | None:
    docs = [d for f in files for d in _documents(f)]
    clusters = [
        d
        for d in docs
        if d.text_of("kind") == "Cluster" and (d.text_of("apiVersion") or "").startswith(API_GROUP)
    ]
    if first_only:
        clusters = [c for c in clusters if c.path == files[0]]
        if not clusters:
            return None
    configmaps = [d for d in docs if d.text_of("kind") == "ConfigMap"]
    if len(clusters) > 1:
        names = ", ".join(c.text_of("metadata", "name") or "?" for c in clusters)
        raise InventoryError(
            f"{shown}: {len(clusters)} Kubean clusters ({names}): lint the manifest of one"
        )
    if clusters:
        cluster = clusters[0]
        hosts_cm = _named(configmaps, cluster.text_of("spec", "hostsConfRef", "name"), HOSTS_KEY)
        vars_cm = _named(configmaps, cluster.text_of("spec", "varsConfRef", "name"), VARS_KEY)
        if hosts_cm is None:
            raise InventoryError(
                f"{shown}: Kubean Cluster {cluster.text_of('metadata', 'name')}: its hosts "
                "ConfigMap (spec.hostsConfRef) is not in these files"
            )
        name = f"Kubean Cluster {cluster.text_of('metadata', 'name')}"
    else:
        with_hosts = [d for d in configmaps if d.get("data", HOSTS_KEY) is not None]
        with_vars = [d for d in configmaps if d.get("data", VARS_KEY) is not None]
        if len(with_hosts) != 1 or len(with_vars) > 1:
            return None
        hosts_cm, vars_cm = with_hosts[0], (with_vars[0] if with_vars else None)
        name = "Kubean ConfigMaps"
    hosts = _embedded(hosts_cm, HOSTS_KEY)
    variables = _embedded(vars_cm, VARS_KEY) if vars_cm is not None else None
    said = (
        f"{name}: {HOSTS_KEY} of ConfigMap {hosts_cm.text_of('metadata', 'name')} as the "
        "inventory"
        + (
            f", {VARS_KEY} of ConfigMap {vars_cm.text_of('metadata', 'name')} as extra vars"
            if vars_cm is not None
            else ""
        )
    )
    return KubeanLayout(hosts, variables, said)


def _named(configmaps: list[_Doc], name: str | None, key: str) -> _Doc | None:
    for cm in configmaps:
        if cm.text_of("metadata", "name") == name and cm.get("data", key) is not None:
            return cm
    return None


def _embedded(doc: _Doc, key: str) -> Embedded:
    """The text of ``data.<key>`` laid out at its place in the manifest (module docstring)."""
    node = doc.get("data", key)
    assert isinstance(node, yaml.ScalarNode)
    value = str(node.value)
    if node.style == "|":
        lines = doc.text.splitlines()
        first, last = node.start_mark.line + 1, node.end_mark.line
        block = lines[first:last]
        text = "\n" * first + "\n".join(block) + "\n"
        if _dedented(block) == value.rstrip("\n"):
            return Embedded(doc.path, text)
    # another style: the text itself, its lines counted from the key's
    return Embedded(doc.path, "\n" * node.start_mark.line + value)


def _dedented(block: list[str]) -> str:
    indent = min((len(x) - len(x.lstrip(" ")) for x in block if x.strip()), default=0)
    return "\n".join(x[indent:] for x in block).rstrip("\n")


__all__ = ["Embedded", "KubeanLayout", "find_layout"]
