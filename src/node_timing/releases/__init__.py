"""Which kubespray release an inventory is for, and which ``kube_version`` values it deploys.

The facts per release (accepted versions, how ``kube_version`` is written, kubeadm API, role
defaults) live in ``data/kubespray.yml`` under ``releases:`` with their sources. The release comes
from ``--kubespray-version``, else ``kubespray_version`` in ``.node-timing.yml``, else the files
kubespray installs (``releases.locate``: the checkout, a submodule, an installed collection).
Without any of these the release is *guessed* (the newest node-timing knows) and findings say so.

A release names its newest patch tag's facts; an earlier tag (``v2.29.0``) has its own checksums,
hence its own patch ranges and default ``kube_version`` (``earlier_tags:`` in the data).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from node_timing import knowledge
from node_timing.display import brief, display_path

_RELEASE_TEXT = re.compile(r"^v?([0-9]{1,4})\.([0-9]{1,4})(?:\.([0-9]{1,4}))?$")
# Written as kubespray's checksum keys are: ASCII digits only (str.isdigit and \d also take
# fullwidth and Arabic-Indic digits, which no kubespray release accepts).
_FULL_VERSION = re.compile(r"v?[0-9]+\.[0-9]+\.[0-9]+")


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
    # The galaxy.yml version (``2.29.0``) when one was read or named: an earlier tag than the one
    # the release's facts were taken from has facts of its own.
    galaxy: str | None = None

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
    """The release whose galaxy.yml has this major.minor, and whether node-timing has the facts of
    exactly this patch release (the recorded tag or an earlier one)."""
    for name, fact in releases().items():
        if _minor(fact) == (major, minor):
            recorded = int(fact["galaxy_version"].split(".")[2])
            earlier = f"{major}.{minor}.{patch}" in fact.get("earlier_tags", {})
            return name, name != "master" and (patch == recorded or earlier)
    return None, False


def facts(release: Release) -> dict[str, Any]:
    """The facts of ``release``, with an earlier tag's patch ranges and default when it is one."""
    fact = releases()[release.name]
    tag = fact.get("earlier_tags", {}).get(release.galaxy or "")
    return {**fact, **tag} if tag else fact


def default_kube_version(release: Release) -> str:
    """The ``kube_version`` kubespray deploys when the inventory sets none: the newest patch the
    release (at this tag) has checksums for, as kubespray writes it."""
    text: str = facts(release)["default_kube_version"]
    return text


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
    if name is None or m is None:
        raise knowledge.KnowledgeError(
            f"{source}: unknown kubespray release {brief(text)}; node-timing knows {names}"
        )
    galaxy = ".".join(str(int(g)) for g in m.groups()) if m.group(3) is not None else None
    return Release(
        name, "known", f"set with {source} {str(text).strip()}", exact=exact, galaxy=galaxy
    )


def detect_release(inventory_path: str | os.PathLike[str]) -> Release:
    """The release of the kubespray files beside ``inventory_path`` (see ``releases.locate``),
    else the newest, guessed."""
    from node_timing.releases.locate import locate

    found = locate(inventory_path)
    if found is None:
        return guessed(
            "no kubespray galaxy.yml found in the checkout holding the inventory nor an installed "
            "kubernetes_sigs.kubespray collection"
        )
    return from_version(found.version, found.file, f"{display_path(found.path)}, {found.how}")


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


def from_version(version: tuple[int, int, int], file: str, at: str) -> Release:
    """The release whose ``file`` (galaxy.yml, MANIFEST.json) ``at`` a place says ``version``."""
    text = ".".join(map(str, version))
    name, exact = _by_version(*version)
    where = f"{file} version {text} at {at}"
    if name is None:
        return guessed(f"{where}, a release node-timing has no facts for")
    return Release(name, "known", where, exact=exact, galaxy=text)


def accepted_minors(release: Release) -> list[str]:
    return list(facts(release)["patches"])


def kube_version_problem(release: Release, raw: object) -> str | None:
    """Why ``release`` does not deploy ``kube_version: raw``; None when it does.

    kubespray looks the binaries' checksums up by ``kube_version`` as written, so the value must be
    one of its checksum keys: a full ``major.minor.patch`` in the release's format (``v1.31.9``
    up to 2.27, ``1.33.5`` from 2.28).
    """
    fact = facts(release)
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
    if version.patch is None or not _FULL_VERSION.fullmatch(text):
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
    "default_kube_version",
    "detect_release",
    "facts",
    "from_version",
    "guessed",
    "kube_version_problem",
    "newest",
    "parse_release",
    "releases",
]
