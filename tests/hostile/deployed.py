"""Hostile node files: what a node (or a collection of its files) can hold, each with the
behaviour docs/node-files.md documents.

A case is a node root's files (node path → text, or a function that makes the file: large files,
FIFOs and symlinks are made at test time, never committed) and, when ``lint`` names one of them,
the exit code of ``node-timing lint FILE`` on it and a text its output must contain.
``test_hostile_deployed.py`` runs every case through ``lint FILE``, ``verify --collected``,
``explain --collected`` and the role's filters, each in a subprocess with a memory and a time
limit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_units import unit_files

Maker = Callable[[Path], None]
MIB = 1 << 20
CONFIG = "/etc/kubernetes/kubelet-config.yaml"
KUBEADM = "/etc/kubernetes/kubeadm-config.yaml"
KUBELET_CONFIG = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"


@dataclass(frozen=True)
class NodeCase:
    name: str
    files: dict[str, str | Maker]
    lint: str | None = None  # the node path ``lint FILE`` is given, if any
    exit: int = 0
    expect: str = ""  # in lint's stdout + stderr
    absent: tuple[str, ...] = field(default=())  # in no command's output


def _fifo(target: Path) -> None:
    os.mkfifo(target)


def _link_to(destination: str) -> Maker:
    def make(target: Path) -> None:
        os.symlink(destination, target)

    return make


def _kubeadm_documents(target: Path) -> None:
    """8 MiB of 60 kubeadm documents, each under the node limit, together over it."""
    doc = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n" + "".join(
        f"k{i}: {i}\n" for i in range(12000)
    )
    target.write_text("---\n".join([doc] * 60))


def _unit(shape: str) -> dict[str, str | Maker]:
    return dict(unit_files(shape, MIB))


NODE_CASES: list[NodeCase] = [
    NodeCase("unit-variable-named-again-1mib", _unit("expansion")),
    NodeCase("unit-whole-variable-named-again-1mib", _unit("whole")),
    NodeCase("unit-environment-file-repeated-1mib", _unit("env-files")),
    NodeCase("unit-command-of-many-words-1mib", _unit("words")),
    NodeCase(
        "kubeadm-documents-8mib",
        {KUBEADM: _kubeadm_documents},
        lint=KUBEADM,
        exit=2,
        expect="more than 500,000 YAML nodes (values, keys, lists, mappings) in one file",
    ),
    NodeCase(
        "kubelet-config-fifo", {CONFIG: _fifo}, lint=CONFIG, exit=2, expect="not a regular file"
    ),
    NodeCase(
        "kubelet-config-broken",
        {CONFIG: KUBELET_CONFIG + "nodeStatusUpdateFrequency: [\n"},
        lint=CONFIG,
        exit=2,
        expect="yaml-load: invalid YAML",
    ),
    NodeCase(
        "kubelet-config-set-value",
        {CONFIG: KUBELET_CONFIG + "nodeStatusUpdateFrequency: !!set {a}\n"},
        lint=CONFIG,
        exit=2,
        expect="got set {'a'}",
    ),
    NodeCase(
        "kubelet-env-with-other-lines",
        {"/etc/kubernetes/kubelet.env": 'KUBELET_ARGS="--v=2"\n[all:vars]\n'},
        lint="/etc/kubernetes/kubelet.env",
        exit=2,
        expect="not an environment file",
    ),
    NodeCase(
        "kubelet-config-link-out-of-root",
        {CONFIG: _link_to("/etc/passwd")},
        absent=("root:x:0",),
    ),
    NodeCase(
        "kubelet-config-bidi-value",
        {CONFIG: KUBELET_CONFIG + 'nodeStatusUpdateFrequency: "1\u202em0s\u200b"\n'},
        lint=CONFIG,
        exit=2,
        expect="\\u202e",
        absent=("\u202e", "\u200b"),
    ),
]
