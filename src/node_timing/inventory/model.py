"""Records the inventory loader returns (values with their origin, groups, problems) and what
the modules of the package share: the YAML file extensions, the exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SourceKind = Literal["inventory", "group_vars", "host_vars", "extra_vars"]
ProblemSeverity = Literal["error", "warning", "info"]

NO_NOQA: frozenset[str] = frozenset()

# What ansible-core reads as YAML: inventory files and group_vars/host_vars files alike.
YAML_EXTS = (".yml", ".yaml", ".json")


class InventoryError(Exception):
    """The path does not exist or holds no inventory: nothing to lint (one line, exit 5)."""


class NeedsAnsible(Exception):
    """The source is a format only ansible-core can read (script, plugin config, toml)."""

    def __init__(self, path: str, what: str = "") -> None:
        super().__init__(path)
        self.path = path
        self.what = what


@dataclass(frozen=True)
class VaultValue:
    """An inline ``!vault`` value: kept opaque, never decrypted."""

    ciphertext: str

    def __str__(self) -> str:
        return "<vault>"


@dataclass(frozen=True)
class Value:
    """One variable's effective value and where it was written.

    ``line``/``column`` are 1-based and point at the value (for a block mapping or sequence,
    whose node starts on a later line, at the key); 0 when unknown (values read through
    ansible-core). ``key_positions``/``key_noqa`` describe the keys of a dict value.
    """

    value: Any
    path: str
    line: int = 0
    column: int = 0
    source_kind: SourceKind = "inventory"
    group: str | None = None
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    noqa: frozenset[str] = NO_NOQA
    key_noqa: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)
    vault: bool = False
    templated: bool = False

    def suppressed(self, rule: str, key: str | None = None) -> bool:
        """True when a ``# noqa`` on the value's line (or the dict key's line) names ``rule``."""
        ids = self.noqa
        if key is not None:
            ids = ids | self.key_noqa.get(key, NO_NOQA)
        return "*" in ids or rule in ids


@dataclass(frozen=True)
class LoadProblem:
    """A non-fatal problem met while loading: the file contributes what it could (often nothing)."""

    path: str
    line: int
    column: int
    message: str
    kind: str = "yaml-load"
    severity: ProblemSeverity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column or 1}" if self.line else self.path
        return f"{where}: {self.kind}: {self.message}"


@dataclass
class Group:
    name: str
    hosts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    priority: int = 1
    depth: int = 0
    # True for a group the loader made up (kubespray's k8s_cluster when the inventory lacks it).
    synthesized: bool = False
