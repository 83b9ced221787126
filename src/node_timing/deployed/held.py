"""A node's files already read on the node (by the role's module), as the readers read a node root.

``verify`` reads a node through :class:`~node_timing.deployed._files.NodeFiles`; the role has the
files' texts in memory (``{node path: text}``) instead of a directory. :class:`HeldFiles` answers
the same questions (does a path exist, its text, a directory's names) from those texts, so the
role's verification runs the very readers ``node-timing verify`` runs, with nothing written to
disk. Paths are shown as the node's own (``/etc/kubernetes/kubelet-config.yaml``).

:func:`node_paths` is the list of what a verification reads, for the role to read it on the node.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

from node_timing.deployed._files import NodeFiles, node_path
from node_timing.deployed.manifests import COMPONENTS, MANIFEST_DIR
from node_timing.deployed.systemd import (
    EXTRA_ARGS_FILES,
    KUBEADM_CONFIG,
    KUBEADM_FLAGS,
    KUBESPRAY_CONFIG,
    KUBESPRAY_ENV,
    UNIT,
    UNIT_DIRS,
)
from node_timing.inventory.model import LoadProblem
from node_timing.inventory.read import MAX_FILE_SIZE


def node_paths() -> dict[str, list[str]]:
    """``{"files": [...], "dirs": [...]}``: every node path ``verify`` reads in the kubespray and
    kubeadm layouts (the kubelet's unit and environment files, its ``--config`` file, the
    control plane's static Pods) and the directories whose ``*.conf`` files it reads (the unit's
    drop-ins). A ``--config`` file or ``--config-dir`` elsewhere is named by these files: see
    :func:`unread_paths`."""
    files = [
        *(f"{d}/{UNIT}" for d in UNIT_DIRS),
        KUBESPRAY_ENV,
        KUBESPRAY_CONFIG,
        KUBEADM_FLAGS,
        KUBEADM_CONFIG,
        *EXTRA_ARGS_FILES,
        *(f"{MANIFEST_DIR}/{binary}.yaml" for binary in COMPONENTS),
    ]
    return {"files": files, "dirs": [f"{d}/{UNIT}.d" for d in UNIT_DIRS]}


@dataclass
class HeldFiles(NodeFiles):
    """The files of one node as ``{node path: text}``, answering as :class:`NodeFiles` does.

    ``asked`` records the paths a reader looked for that are not held, and ``listed`` the
    directories it listed: what a first read on the node did not bring back.
    """

    texts: Mapping[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    _held: dict[str, str] = field(init=False, repr=False, default_factory=dict)
    _dirs: set[str] = field(init=False, repr=False, default_factory=set)
    _read: list[str] = field(init=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        # No Reader: nothing here touches the disk.
        for path, text in self.texts.items():
            where = node_path(str(path))
            self._held[where] = text
            parent = posixpath.dirname(where)
            while parent not in self._dirs and parent != "/":
                self._dirs.add(parent)
                parent = posixpath.dirname(parent)

    def shown(self, node_path: str) -> str:
        return node_path

    def exists(self, node_path: str) -> bool:
        if node_path in self._held or node_path.rstrip("/") in self._dirs:
            return True
        self.asked.append(node_path)
        return False

    @property
    def read_files(self) -> list[str]:
        return list(dict.fromkeys(self._read))

    def text(self, node_path: str) -> str | None:
        text = self._held.get(node_path)
        if text is None:
            self.asked.append(node_path)
            self.problems.append(LoadProblem(node_path, 0, 0, "cannot read: not found"))
            return None
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_FILE_SIZE:  # as the bounded reader refuses it from a disk
            self.problems.append(
                LoadProblem(node_path, 0, 0, f"not checked: more than {MAX_FILE_SIZE:,} bytes")
            )
            return None
        self._read.append(node_path)
        return text

    def listdir(self, node_path: str) -> list[str]:
        self.listed.append(node_path)
        prefix = node_path.rstrip("/") + "/"
        return sorted(
            {p[len(prefix) :].split("/", 1)[0] for p in self._held if p.startswith(prefix)}
        )


def unread_paths(texts: Mapping[str, str]) -> dict[str, list[str]]:
    """The files and directories the kubelet's files in ``texts`` name (``--config``,
    ``--config-dir``, an ``EnvironmentFile=``) that ``texts`` does not hold and
    :func:`node_paths` does not list: what a second read on the node must bring back."""
    from node_timing import knowledge
    from node_timing.deployed.kubelet import read_kubelet_files

    files = HeldFiles("/", texts=texts)
    # the newest kubelet reads --config-dir: asking for more than an older one reads costs nothing
    read_kubelet_files(files, knowledge.default_kube_version())
    known = node_paths()
    skip = set(known["files"]) | set(known["dirs"])
    more = [p for p in dict.fromkeys(files.asked) if p not in skip and not files.exists(p)]
    dirs = [d for d in dict.fromkeys(files.listed) if d not in skip and not files.listdir(d)]
    return {"files": [p for p in more if p not in dirs], "dirs": dirs}
