"""Build small kubespray-style inventories on disk and lint them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from node_timing.evaluate.options import Options
from node_timing.findings import Finding
from node_timing.rules.runner import lint_inventory

HOSTS = """\
[kube_control_plane]
cp1
cp2
cp3

[etcd]
cp1

[kube_node]
node1
node2
node3

[k8s_cluster:children]
kube_control_plane
kube_node
"""


def make_inventory(root: Path, files: dict[str, str], hosts: str = HOSTS) -> Path:
    inv = root / "inventory"
    inv.mkdir(parents=True, exist_ok=True)
    if "inventory.ini" not in files and "hosts.yaml" not in files:
        (inv / "inventory.ini").write_text(hosts)
    for rel, text in files.items():
        target = inv / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"))
    return inv


def lint(root: Path, files: dict[str, str], **options: object) -> list[Finding]:
    inv = make_inventory(root, files)
    _ctx, findings = lint_inventory(inv, Options(**options))  # type: ignore[arg-type]
    return findings


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]
