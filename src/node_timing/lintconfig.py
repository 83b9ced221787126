"""``.node-timing.yml``: finding and validating it, and silencing findings as ansible-lint does.

Conventions taken from ansible-lint: ``skip_list`` drops findings, ``warn_list`` demotes them to
warnings, ``# noqa: id`` on the value's line drops one finding, and an id without a ``[sub]`` tag
matches every tag of that rule (``removed-setting`` covers ``removed-setting[flag]``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from node_timing.errors import EXIT_FAILURES, EXIT_OK, UsageError
from node_timing.findings import Finding

CONFIG_NAME = ".node-timing.yml"

# key → what it must be, for the error message
CONFIG_KEYS: dict[str, str] = {
    "skip_list": "a list of rule ids",
    "warn_list": "a list of rule ids",
    "kube_version": "a Kubernetes version string such as '1.35' or 'v1.35.4'",
    "nodes": "a whole number of nodes (> 0)",
    "heartbeat_budget": "lease writes per second (a number > 0)",
    "allow_exec": "true or false (only in a file named with -c)",
}


class ConfigError(UsageError):
    """A configuration file that cannot be used: one line naming the file (and line), exit 3."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


@dataclass(frozen=True)
class LintConfig:
    path: Path | None = None
    skip_list: tuple[str, ...] = ()
    warn_list: tuple[str, ...] = ()
    kube_version: str | None = None
    nodes: int | None = None
    heartbeat_budget: float | None = None
    allow_exec: bool = False


def find_config(inventory: Path) -> Path | None:
    """The nearest ``.node-timing.yml`` from ``inventory`` upward.

    The search stops at the first directory that holds ``.git`` (the repository root: a config
    above it belongs to something else) or at the filesystem root.
    """
    start = inventory.resolve()
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses repeated keys instead of keeping the last one silently."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"repeated key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(path, f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"invalid YAML: {exc}") from None


def base_id(rule: str) -> str:
    """``removed-setting[flag]`` → ``removed-setting``."""
    return rule.partition("[")[0]


def _rule_ids(path: Path, key: str, value: Any, known_rules: Collection[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(path, f"{key} must be {CONFIG_KEYS[key]}, got {value!r}")
    unknown = [item for item in value if base_id(item) not in known_rules]
    if unknown:
        raise ConfigError(
            path,
            f"{key} names unknown rule(s) {', '.join(unknown)}; `node-timing rules` lists the ids",
        )
    return tuple(value)


def load_config(path: Path, known_rules: Collection[str], *, explicit: bool = True) -> LintConfig:
    """Read and validate one config file; an empty file is the default configuration.

    ``explicit`` is False for a file found upward from the inventory: such a file may come with
    the change under review, so it cannot switch on ``allow_exec``.
    """
    data = _read_yaml(path)
    if data is None:
        return LintConfig(path=path)
    if not isinstance(data, dict):
        raise ConfigError(path, f"must be a mapping of {', '.join(CONFIG_KEYS)}")
    unknown = [str(key) for key in data if key not in CONFIG_KEYS]
    if unknown:
        raise ConfigError(
            path, f"unknown key(s) {', '.join(unknown)}; known keys: {', '.join(CONFIG_KEYS)}"
        )

    kube_version = data.get("kube_version")
    if kube_version is not None:
        # An unquoted 1.30 is the float 1.3 to YAML: refuse it rather than check the wrong minor.
        if not isinstance(kube_version, str):
            raise ConfigError(
                path,
                f"kube_version must be {CONFIG_KEYS['kube_version']} in quotes, "
                f"got {kube_version!r}",
            )
        from node_timing.knowledge import KnowledgeError, resolve_version

        try:
            resolve_version(kube_version)
        except KnowledgeError as exc:
            raise ConfigError(path, f"kube_version: {exc}") from None

    nodes = data.get("nodes")
    if nodes is not None and (isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1):
        raise ConfigError(path, f"nodes must be {CONFIG_KEYS['nodes']}, got {nodes!r}")

    budget = data.get("heartbeat_budget")
    if budget is not None and (
        isinstance(budget, bool)
        or not isinstance(budget, int | float)
        or not math.isfinite(budget)
        or budget <= 0
    ):
        raise ConfigError(
            path, f"heartbeat_budget must be {CONFIG_KEYS['heartbeat_budget']}, got {budget!r}"
        )

    allow_exec = data.get("allow_exec", False)
    if not isinstance(allow_exec, bool):
        raise ConfigError(
            path, f"allow_exec must be {CONFIG_KEYS['allow_exec']}, got {allow_exec!r}"
        )
    if allow_exec and not explicit:
        raise ConfigError(
            path,
            "allow_exec is honoured only in a configuration file named with -c: this file was "
            "found next to the inventory, and whoever can change the inventory can change it",
        )

    return LintConfig(
        path=path,
        allow_exec=allow_exec,
        skip_list=_rule_ids(path, "skip_list", data.get("skip_list", []), known_rules),
        warn_list=_rule_ids(path, "warn_list", data.get("warn_list", []), known_rules),
        kube_version=kube_version,
        nodes=nodes,
        heartbeat_budget=float(budget) if budget is not None else None,
    )


def discover(inventory: Path, known_rules: Collection[str]) -> LintConfig:
    """The configuration that applies to ``inventory``: the nearest file's, or the defaults."""
    path = find_config(inventory)
    return load_config(path, known_rules, explicit=False) if path is not None else LintConfig()


def matches(rule: str, patterns: Iterable[str]) -> bool:
    """Whether ``rule`` (maybe with a ``[sub]`` tag) is named by any of ``patterns``.

    ``*`` names every rule; ``removed-setting`` names ``removed-setting[flag]``;
    ``removed-setting[flag]`` names only itself.
    """
    return any(p == "*" or p == rule or rule.startswith(p + "[") for p in patterns)


def noqa_of(finding: Finding) -> Collection[str]:
    """The ids in a ``# noqa: ...`` comment on the finding's value line (attached by the loader)."""
    value = finding.extra.get("noqa", ())
    return value if isinstance(value, Collection) and not isinstance(value, str) else ()


def apply_silencing(
    findings: Iterable[Finding],
    config: LintConfig,
    noqa_lookup: Callable[[Finding], Collection[str]] = noqa_of,
) -> list[Finding]:
    """Drop findings named by ``# noqa`` or ``skip_list``; demote errors named by ``warn_list``."""
    kept: list[Finding] = []
    for finding in findings:
        if matches(finding.rule, noqa_lookup(finding)) or matches(finding.rule, config.skip_list):
            continue
        if finding.severity == "error" and matches(finding.rule, config.warn_list):
            finding = dataclasses.replace(finding, severity="warning")
        kept.append(finding)
    return kept


def is_failure(finding: Finding, strict: bool) -> bool:
    """Errors fail; warnings fail only with ``--strict``; info never does (as in ansible-lint)."""
    return finding.severity == "error" or (strict and finding.severity == "warning")


def exit_code(findings: Sequence[Finding], strict: bool = False) -> int:
    return EXIT_FAILURES if any(is_failure(f, strict) for f in findings) else EXIT_OK
