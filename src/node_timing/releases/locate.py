"""Where the kubespray release of an inventory is read from: the files kubespray installs, in the
layouts its documentation describes. Every file is only read (its first bytes), never run, and
nothing of it but the version is shown.

1. The checkout holding the inventory: ``galaxy.yml`` in the inventory directory or one above it,
   up to the repository root (the nearest directory holding ``.git``, a directory or, for a
   submodule or a worktree, a file) and never past it. At each of those directories a
   ``kubespray/galaxy.yml`` is kubespray as a git submodule beside the inventory
   (kubespray/docs/operations/integration.md). Without any ``.git`` above the inventory only the
   inventory directory is read, and the directory two levels up when the inventory sits in a
   directory named ``inventory`` (``<checkout>/inventory/<cluster>``, a release tarball's layout):
   a ``galaxy.yml`` further up belongs to something else and must not decide the verdict.
2. kubespray installed as a collection: ``ansible_collections/kubernetes_sigs/kubespray/`` with its
   ``MANIFEST.json`` (``collection_info.version``) or ``galaxy.yml``, under the collections path
   Ansible would use: ``ANSIBLE_COLLECTIONS_PATH`` (or ``ANSIBLE_COLLECTIONS_PATHS``), else
   ``collections_path`` in ``[defaults]`` of the first ansible.cfg of ``ANSIBLE_CONFIG``, the
   inventory's project (nearest first), ``~/.ansible.cfg``, ``/etc/ansible/ansible.cfg``; else
   ``~/.ansible/collections`` (``ANSIBLE_HOME``) and ``/usr/share/ansible/collections``.

kubespray's ``credentials/`` and ``artifacts/`` are never read, whatever a path names.
"""

from __future__ import annotations

import configparser
import json
import os
import re
from dataclasses import dataclass

from node_timing.inventory.root import inventory_dir

# galaxy.yml, MANIFEST.json and ansible.cfg are a few kilobytes. A larger read is no such file,
# and a hostile one cannot make us read more than this.
_MAX_BYTES = 64 * 1024
_GALAXY_NAME = re.compile(r"""^name:\s*["']?kubespray["']?\s*(?:#.*)?$""", re.MULTILINE)
# ASCII digits only: \d would take fullwidth or Arabic-Indic digits as a version.
_GALAXY_VERSION = re.compile(
    r"""^version:[ \t]*["']?v?([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})""", re.MULTILINE
)
_VERSION = re.compile(r"v?([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})")
_COLLECTION = ("ansible_collections", "kubernetes_sigs", "kubespray")
# kubespray's secrets and generated files (inventory/root.py keeps them out of every read)
_NEVER_READ = frozenset({"credentials", "artifacts"})


@dataclass(frozen=True)
class Found:
    """A kubespray version read from ``path`` (a ``galaxy.yml`` or ``MANIFEST.json``)."""

    version: tuple[int, int, int]
    path: str
    how: str  # how the file was found, for the release's reason

    @property
    def file(self) -> str:
        return os.path.basename(self.path)


def locate(inventory_path: str | os.PathLike[str]) -> Found | None:
    """The kubespray version of the checkout or installed collection beside ``inventory_path``."""
    directories = checkout_dirs(inventory_path)
    for directory in directories:
        found = _galaxy(os.path.join(directory, "galaxy.yml"), "the checkout holding the inventory")
        found = found or _galaxy(
            os.path.join(directory, "kubespray", "galaxy.yml"), "a kubespray submodule"
        )
        if found is not None:
            return found
    for path, how in collections_paths(directories):
        found = _collection(path, how)
        if found is not None:
            return found
    return None


def checkout_dirs(inventory_path: str | os.PathLike[str]) -> list[str]:
    """The directories of the checkout that may hold kubespray's files, nearest first."""
    start = inventory_dir(inventory_path)
    walked = [start]
    directory = start
    while not os.path.lexists(os.path.join(directory, ".git")):
        parent = os.path.dirname(directory)
        if parent == directory:  # no repository: the inventory directory and the checkout layout
            above = os.path.dirname(start)
            if os.path.basename(above) == "inventory" and os.path.dirname(above) != above:
                return [start, os.path.dirname(above)]
            return [start]
        directory = parent
        walked.append(directory)
    return walked


def collections_paths(project: list[str]) -> list[tuple[str, str]]:
    """The collections paths Ansible would search, each with where it was configured."""
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
        value = os.environ.get(name)
        if value:
            return [(p, f"collections path from {name}") for p in _split(value, os.getcwd())]
    config = _ansible_cfg(project)
    if config is not None:
        value = _cfg_collections_path(config)
        if value is not None:
            base = os.path.dirname(config)
            return [(p, f"collections_path in {config}") for p in _split(value, base)]
    home = os.environ.get("ANSIBLE_HOME") or os.path.join("~", ".ansible")
    defaults = [os.path.join(home, "collections"), "/usr/share/ansible/collections"]
    return [(os.path.expanduser(p), "Ansible's default collections path") for p in defaults]


def _split(value: str, base: str) -> list[str]:
    """A path list as Ansible reads one: colon-separated, ``~`` expanded, relative to ``base``."""
    out = []
    for part in value.split(os.pathsep):
        if part.strip():
            out.append(os.path.normpath(os.path.join(base, os.path.expanduser(part.strip()))))
    return out


def _ansible_cfg(project: list[str]) -> str | None:
    """The ansible.cfg Ansible would read for this project (only the first one found counts)."""
    named = os.environ.get("ANSIBLE_CONFIG")
    candidates = [named] if named else []
    candidates += [os.path.join(d, "ansible.cfg") for d in project]
    candidates += [os.path.expanduser("~/.ansible.cfg"), "/etc/ansible/ansible.cfg"]
    for path in candidates:
        if _readable(path):
            return path
    return None


def _cfg_collections_path(path: str) -> str | None:
    text = _read(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=path)
    except configparser.Error:
        return None  # not an ini file Ansible could use either
    for key in ("collections_path", "collections_paths"):
        if parser.has_option("defaults", key):
            return parser.get("defaults", key)
    return None


def _collection(path: str, how: str) -> Found | None:
    base = path if os.path.basename(path) == _COLLECTION[0] else os.path.join(path, _COLLECTION[0])
    installed = os.path.join(base, *_COLLECTION[1:])
    how = f"the kubernetes_sigs.kubespray collection installed there ({how})"
    manifest = os.path.join(installed, "MANIFEST.json")
    text = _read(manifest)
    if text is not None:
        try:
            info = json.loads(text).get("collection_info", {})
        except (ValueError, AttributeError):
            info = {}
        version = info.get("version") if isinstance(info, dict) else None
        named = isinstance(info, dict) and info.get("name") == "kubespray"
        m = _VERSION.fullmatch(version) if named and isinstance(version, str) else None
        if m:
            major, minor, patch = (int(g) for g in m.groups())
            return Found((major, minor, patch), manifest, how)
    return _galaxy(os.path.join(installed, "galaxy.yml"), how)


def _galaxy(path: str, how: str) -> Found | None:
    """The version of kubespray's galaxy.yml at ``path``; None when it is not kubespray's."""
    text = _read(path)
    if text is None or not _GALAXY_NAME.search(text):
        return None
    m = _GALAXY_VERSION.search(text)
    if m is None:
        return None
    major, minor, patch = (int(g) for g in m.groups())
    return Found((major, minor, patch), path, how)


def _readable(path: str) -> bool:
    """A regular file outside kubespray's secrets: a device or FIFO is never opened (a FIFO
    blocks until a writer comes)."""
    parts = os.path.realpath(path).split(os.sep)
    return os.path.isfile(path) and not _NEVER_READ.intersection(parts)


def _read(path: str) -> str | None:
    if not _readable(path):
        return None
    try:
        with open(path, "rb") as fh:
            return fh.read(_MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None


__all__ = ["Found", "checkout_dirs", "collections_paths", "locate"]
