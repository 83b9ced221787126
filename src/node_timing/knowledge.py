"""The versioned knowledge base: package data files read once, looked up by Kubernetes minor.

Every number about Kubernetes, kubespray and the profiles lives in ``data/*.yml`` with its
source; this module only reads and indexes those files. At run time it reads their compiled form,
``data/compiled.json``: importing PyYAML and parsing the YAML would be a third of the start-up of
``node-timing profile``. ``python -m node_timing.knowledge`` rewrites the compiled file after a
YAML file changed; a test fails while the two disagree.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

from node_timing.display import brief

DATA_FILES = ("kubernetes.yml", "kubespray.yml", "profiles.yml", "sizes.yml")
COMPILED = "compiled.json"

# Bounded digit runs: a version part of 5,000 digits is no version (and int() refuses it). ASCII
# digits only: \d (and int()) also take fullwidth and Arabic-Indic digits, which no Kubernetes
# tool reads as a version. \Z, not $: $ also matches before a final newline.
_VERSION_RE = re.compile(
    r"^v?([0-9]{1,9})\.([0-9]{1,9})(?:\.([0-9]{1,9}))?(?:[-+][0-9A-Za-z.+-]*)?\Z"
)


class KnowledgeError(ValueError):
    """A question the knowledge base cannot answer (unknown version, setting or profile)."""


@dataclass(frozen=True, order=True)
class KubeVersion:
    """A Kubernetes version; only major.minor matter for the facts, the patch is kept for images."""

    major: int
    minor: int
    patch: int | None = None

    @classmethod
    def parse(cls, text: object) -> KubeVersion:
        """Parse ``1.35``, ``1.35.4`` or ``v1.35.4`` (pre-release suffixes are allowed and ignored)."""
        if isinstance(text, bool) or not isinstance(text, str | int | float):
            raise KnowledgeError(
                f"Kubernetes version must be a string like 1.35 or v1.35.4, got {brief(text)}"
            )
        s = str(text).strip()
        m = _VERSION_RE.match(s)
        if not m:
            raise KnowledgeError(
                f"cannot parse Kubernetes version {brief(s)}: expected 1.35, 1.35.4 or v1.35.4"
            )
        patch = int(m.group(3)) if m.group(3) is not None else None
        return cls(int(m.group(1)), int(m.group(2)), patch)

    @property
    def minor_text(self) -> str:
        return f"{self.major}.{self.minor}"

    def key(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __str__(self) -> str:
        if self.patch is None:
            return self.minor_text
        return f"{self.major}.{self.minor}.{self.patch}"


def _minor_key(text: str) -> tuple[int, int]:
    v = KubeVersion.parse(text)
    return v.key()


_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _data_text(name: str) -> str:
    # A plain file read: importlib.resources pulls in zipfile, tempfile, pathlib and more, which
    # is most of `node-timing profile`'s start-up. It is the fallback for zipped installs.
    try:
        with open(os.path.join(_DATA_DIR, name), encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:  # pragma: no cover - package imported from a zip
        from importlib import resources

        return resources.files("node_timing").joinpath("data", name).read_text(encoding="utf-8")


@cache
def _compiled() -> dict[str, Any]:
    data = json.loads(_data_text(COMPILED))
    if not isinstance(data, dict):  # pragma: no cover - package data is ours
        raise KnowledgeError(f"knowledge file {COMPILED} is not a mapping")
    return data


def _load(name: str) -> dict[str, Any]:
    data = _compiled()[name]
    if not isinstance(data, dict):  # pragma: no cover - package data is ours
        raise KnowledgeError(f"knowledge file {name} is not a mapping")
    return data


def compile_data() -> str:
    """The text of ``data/compiled.json``: every YAML data file, parsed, by file name."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = {name: yaml.load(_data_text(name), Loader=loader) for name in DATA_FILES}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def kubernetes() -> dict[str, Any]:
    return _load("kubernetes.yml")


def kubespray() -> dict[str, Any]:
    return _load("kubespray.yml")


def profiles_data() -> dict[str, Any]:
    return _load("profiles.yml")


def sizes() -> dict[str, Any]:
    return _load("sizes.yml")


def known_range() -> tuple[KubeVersion, KubeVersion]:
    v = kubernetes()["versions"]
    return KubeVersion.parse(v["first"]), KubeVersion.parse(v["last"])


def check_version(version: KubeVersion) -> KubeVersion:
    """Return ``version`` if the knowledge base covers it, else raise :class:`KnowledgeError`."""
    first, last = known_range()
    if not (first.key() <= version.key() <= last.key()):
        raise KnowledgeError(
            f"Kubernetes {version} is outside the known facts ({first.minor_text} to {last.minor_text})"
        )
    return version


def default_kube_version() -> KubeVersion:
    """The newest minor that kubespray supports, per the knowledge base."""
    return KubeVersion.parse(kubespray()["supported_kube_versions"]["default"])


def resolve_version(text: object | None) -> KubeVersion:
    """Parse and range-check a user-supplied version; ``None`` means the default."""
    if text is None:
        return default_kube_version()
    return check_version(KubeVersion.parse(text))


def history_entry(history: list[dict[str, Any]], version: KubeVersion) -> dict[str, Any]:
    """The newest history entry whose ``since`` is not after ``version``."""
    chosen: dict[str, Any] | None = None
    for entry in history:
        if _minor_key(str(entry["since"])) <= version.key():
            chosen = entry
    if chosen is None:
        raise KnowledgeError(f"no fact recorded for Kubernetes {version.minor_text}")
    return chosen


def setting_facts() -> dict[str, dict[str, Any]]:
    """Facts per setting path (``component.setting``), in the knowledge base's order."""
    settings: dict[str, dict[str, Any]] = kubernetes()["settings"]
    return settings


def setting_fact(path: str) -> dict[str, Any]:
    try:
        return setting_facts()[path]
    except KeyError:
        raise KnowledgeError(f"unknown setting {path!r}") from None


def default_for(path: str, version: KubeVersion) -> Any:
    """The Kubernetes default of a setting at ``version``."""
    return history_entry(setting_fact(path)["history"], version)["default"]


def constraint(name: str) -> Any:
    return kubernetes()["constraints"][name]["value"]


def removed_flags() -> dict[str, dict[str, Any]]:
    flags: dict[str, dict[str, Any]] = kubernetes()["removed_flags"]
    return flags


def flag_removed(flag: str, version: KubeVersion) -> bool:
    fact = removed_flags().get(flag)
    return fact is not None and version.key() >= _minor_key(str(fact["removed"]))


def kubelet_config_dir(version: KubeVersion) -> dict[str, Any]:
    return history_entry(kubernetes()["kubelet_config_dir"]["history"], version)


def kubeadm_api(version: KubeVersion) -> dict[str, Any]:
    return history_entry(kubernetes()["kubeadm_api"]["history"], version)


@cache
def taint_queued_next_pass(version: KubeVersion) -> bool:
    """Whether the node lifecycle controller queues the NoExecute taint one monitor pass after the
    pass that marks a node Unknown (before PR #120816) rather than in that pass."""
    entry = history_entry(kubernetes()["node_lifecycle"]["taint_queue"]["history"], version)
    return bool(entry["taint_queued"] == "next-pass")


def default_heartbeat_budget() -> float:
    return float(profiles_data()["default_heartbeat_budget"]["writes_per_second"])


def object_size(name: str) -> int:
    return int(sizes()[name]["value"])


def _main() -> int:
    """Rewrite ``data/compiled.json`` from the YAML data files (run after editing them)."""
    path = os.path.join(_DATA_DIR, COMPILED)
    text = compile_data()
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
