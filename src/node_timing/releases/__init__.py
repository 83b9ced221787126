"""Which kubespray release an inventory is for, and which ``kube_version`` values it deploys.

The facts per release (accepted versions, how ``kube_version`` is written, kubeadm API, role
defaults) live in ``data/kubespray.yml`` under ``releases:`` with their sources. The release comes
from ``--kubespray-version``, else ``kubespray_version`` in ``.node-timing.yml``, else the
``version:`` line of kubespray's ``galaxy.yml`` at the root of the checkout the inventory lives in.
That file is only read, never run, and nothing of it but the version is shown. Without any of
these the release is *guessed* (the newest node-timing knows) and findings say so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from node_timing import knowledge
from node_timing.display import brief

# galaxy.yml is kubespray's collection metadata: a few hundred bytes. A larger read is no
# metadata file, and a hostile one cannot make us read more than this.
_GALAXY_MAX_BYTES = 64 * 1024
# How far above the inventory directory a checkout root may lie: kubespray keeps inventories at
# inventory/NAME (two levels below galaxy.yml); a checkout without .git (a release tarball) has no
# other end to the walk.
_MAX_LEVELS_UP = 4
_GALAXY_NAME = re.compile(r"""^name:\s*["']?kubespray["']?\s*(?:#.*)?$""", re.MULTILINE)
_GALAXY_VERSION = re.compile(
    r"""^version:\s*["']?v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})""", re.MULTILINE
)
_RELEASE_TEXT = re.compile(r"^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$")


@dataclass(frozen=True)
class Release:
    """The kubespray release assumed for an inventory and why.

    ``name`` is a key of ``releases:`` (``2.31`` or ``master``). ``exact`` is False when the
    patch release is not the one the facts were taken from (or is master, which moves): a later
    patch release may know later Kubernetes patches, so only the minors and the format are held
    against it then.
    """

    name: str
    how: Literal["known", "guessed"]
    why: str
    exact: bool = True

    @property
    def label(self) -> str:
        return f"kubespray {self.name}"


def releases() -> dict[str, dict[str, Any]]:
    """Release name → facts, oldest first (the data file's order)."""
    result: dict[str, dict[str, Any]] = knowledge.kubespray()["releases"]
    return result


def newest() -> str:
    return list(releases())[-1]


def _minor(fact: dict[str, Any]) -> tuple[int, int]:
    major, minor = fact["galaxy_version"].split(".")[:2]
    return int(major), int(minor)


def _by_version(major: int, minor: int, patch: int | None) -> tuple[str | None, bool]:
    """The release whose galaxy.yml has this major.minor, and whether the patch is the recorded one."""
    for name, fact in releases().items():
        if _minor(fact) == (major, minor):
            recorded = int(fact["galaxy_version"].split(".")[2])
            return name, name != "master" and patch == recorded
    return None, False


def parse_release(text: object, source: str) -> Release:
    """A release named on the command line or in the configuration: ``2.31``, ``v2.31.0`` or
    ``master``. Raises :class:`knowledge.KnowledgeError` for anything else."""
    names = ", ".join(releases())
    if isinstance(text, str) and text.strip() == "master":
        return Release("master", "known", f"set with {source} master", exact=False)
    m = _RELEASE_TEXT.match(text.strip()) if isinstance(text, str) else None
    name, exact = (None, False)
    if m:
        patch = int(m.group(3)) if m.group(3) is not None else None
        name, exact = _by_version(int(m.group(1)), int(m.group(2)), patch)
    if name is None:
        raise knowledge.KnowledgeError(
            f"{source}: unknown kubespray release {brief(text)}; node-timing knows {names}"
        )
    return Release(name, "known", f"set with {source} {str(text).strip()}", exact=exact)


def _galaxy_version(path: str) -> tuple[int, int, int] | None:
    """The version of kubespray's galaxy.yml at ``path``; None when it is not kubespray's."""
    try:
        if not os.path.isfile(path):  # a device or FIFO named galaxy.yml is not read
            return None
        with open(path, "rb") as fh:
            text = fh.read(_GALAXY_MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    if not _GALAXY_NAME.search(text):
        return None
    m = _GALAXY_VERSION.search(text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def detect_release(inventory_path: str | os.PathLike[str]) -> Release:
    """The release of the kubespray checkout holding ``inventory_path``, else the newest, guessed.

    Walks up from the inventory directory to the first directory holding ``.git`` (the checkout
    root) or at most a few levels; reads only ``galaxy.yml`` files, and only their first bytes.
    """
    from node_timing.inventory.root import inventory_dir

    directory = inventory_dir(inventory_path)
    for _ in range(_MAX_LEVELS_UP + 1):
        galaxy = os.path.join(directory, "galaxy.yml")
        found = _galaxy_version(galaxy)
        if found is not None:
            return _from_checkout(found, galaxy)
        parent = os.path.dirname(directory)
        if os.path.lexists(os.path.join(directory, ".git")) or parent == directory:
            break
        directory = parent
    return guessed("no kubespray galaxy.yml found in the checkout above the inventory")


def guessed(reason: str) -> Release:
    name = newest()
    version = releases()[name]["galaxy_version"]
    return Release(
        name,
        "guessed",
        f"assumed: {reason}, so the newest release node-timing knows ({name}, galaxy.yml "
        f"version {version}); set --kubespray-version or kubespray_version in .node-timing.yml",
        exact=False,
    )


def _from_checkout(version: tuple[int, int, int], galaxy: str) -> Release:
    text = ".".join(map(str, version))
    name, exact = _by_version(*version)
    if name is None:
        return guessed(f"{galaxy} says version {text}, a release node-timing has no facts for")
    return Release(name, "known", f"galaxy.yml version {text} at {galaxy}", exact=exact)


def accepted_minors(name: str) -> list[str]:
    return list(releases()[name]["patches"])


def kube_version_problem(release: Release, raw: object) -> str | None:
    """Why ``release`` does not deploy ``kube_version: raw``; None when it does.

    kubespray looks the binaries' checksums up by ``kube_version`` as written, so the value must be
    one of its checksum keys: a full ``major.minor.patch`` in the release's format (``v1.31.9``
    up to 2.27, ``1.33.5`` from 2.28).
    """
    fact = releases()[release.name]
    prefix: str = fact["kube_version_prefix"]
    patches: dict[str, list[int]] = fact["patches"]
    minors = list(patches)
    text = str(raw).strip()
    try:
        version = knowledge.KubeVersion.parse(text)
    except knowledge.KnowledgeError:
        return None  # unparseable: the version check itself reports it
    span = f"{prefix}{minors[0]}-{prefix}{minors[-1]}"
    if version.minor_text not in patches:
        return f"{release.label} deploys {span}; {text} is not among them"
    first, last = patches[version.minor_text]
    example = f"{prefix}{version.minor_text}.{last}"
    if version.patch is None or not re.fullmatch(r"v?\d+\.\d+\.\d+", text):
        return f"{release.label} needs a full version from its checksums such as {example}; {text} is not one"
    if text.startswith("v") != (prefix == "v"):
        how = "with a leading v" if prefix else "without a leading v"
        written = f"{prefix}{version.minor_text}.{version.patch}"
        return f"{release.label} wants kube_version {how}: {written}, not {text}"
    if version.patch < first or (release.exact and version.patch > last):
        return (
            f"{release.label} deploys {prefix}{version.minor_text}.{first}-{example}; "
            f"{text} is not among them"
        )
    return None


__all__ = [
    "Release",
    "accepted_minors",
    "detect_release",
    "guessed",
    "kube_version_problem",
    "newest",
    "parse_release",
    "releases",
]
