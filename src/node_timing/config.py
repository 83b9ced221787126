"""``.node-timing.yml``: finding and validating it, and silencing findings as ansible-lint does.

Conventions taken from ansible-lint: ``skip_list`` drops findings, ``warn_list`` demotes them to
warnings, ``# noqa: id`` on the value's line drops one finding, and an id without a ``[sub]`` tag
matches every tag of that rule (``removed-setting`` covers ``removed-setting[flag]``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml


from node_timing.display import brief
from node_timing.errors import EXIT_FAILURES, EXIT_OK, UsageError
from node_timing.findings import Finding
from node_timing.thresholds import Thresholds

CONFIG_NAME = ".node-timing.yml"

# key → what it must be, for the error message
CONFIG_KEYS: dict[str, str] = {
    "skip_list": "a list of rule ids",
    "warn_list": "a list of rule ids",
    "kube_version": "a Kubernetes version string such as '1.35' or 'v1.35.4'",
    "kubespray_version": "a kubespray release such as '2.31', 'v2.31.0' or 'master'",
    "nodes": "a whole number of nodes (> 0, at most 1,000,000)",
    "heartbeat_budget": "lease writes per second (a finite number from 0.001 to 10^12)",
    "allow_exec": "true or false (only in a file named with -c)",
    "thresholds": "a mapping of threshold name to value (`node-timing rules ID` lists a rule's)",
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
    kubespray_version: str | None = None
    nodes: int | None = None
    heartbeat_budget: float | None = None
    allow_exec: bool = False
    # the rules' thresholds, with the values this file moves (only choices, never upstream facts)
    thresholds: Thresholds = field(default_factory=Thresholds)


def find_config(inventory: Path) -> Path | None:
    """The nearest ``.node-timing.yml`` from ``inventory`` upward.

    The search stops at the project root (the first directory that holds ``.git``, else the
    inventory directory's parent): a config above it belongs to something else, such as another
    user's /tmp.
    """
    from node_timing.inventory.root import project_root

    start = inventory.resolve()
    if not start.is_dir():
        start = start.parent
    root = Path(project_root(inventory))
    for directory in (start, *start.parents):
        if not directory.is_relative_to(root):
            return None
        candidate = directory / CONFIG_NAME
        # Anything by that name is the configuration, so that a FIFO, a device or a dangling
        # link is reported (load_config refuses it) instead of silently skipped.
        if os.path.lexists(candidate):
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The file's value and its root node, read under the inventory files' limits.

    The file is found upward from the inventory, so whoever writes the inventory writes it: it is
    read as inventory files are (a regular file of at most 16 MiB, never a FIFO or device; no
    deeper than 100 levels; aliases bounded) by the same reader.
    """
    from node_timing.inventory.read import decode_text, read_bounded
    from node_timing.inventory.yamlpos import parse_yaml

    problems: list[Any] = []
    data = read_bounded(os.path.realpath(path), problems, shown=str(path))
    text = decode_text(str(path), data, problems) if data is not None else None
    doc = None
    if text is not None:
        doc, found = parse_yaml(str(path), text)
        problems.extend(found)
    if doc is not None and doc.root is not None:
        value = doc.construct(doc.root)
        problems.extend(doc.problems)  # repeated keys
    else:
        value = None
    if problems:
        first = problems[0]
        message = first.message.removeprefix("not checked: ")
        if message.startswith("duplicate key"):
            # Ansible keeps the last of two keys; an option given twice is refused instead.
            message = message.replace("duplicate key", "repeated key", 1).removesuffix(
                ": the last one wins"
            )
        elif first.kind == "vault":
            message = "encrypted with Ansible Vault: node-timing does not decrypt its configuration"
        raise ConfigError(path, message, first.line or None)
    return value, doc.root if doc is not None else None


def base_id(rule: str) -> str:
    """``removed-setting[flag]`` → ``removed-setting``."""
    return rule.partition("[")[0]


def rule_ids(
    path: Path | str, key: str, value: Any, known_rules: Collection[str], line: int | None
) -> tuple[str, ...]:
    """``value``, a list of strings, as a ``skip_list`` or ``warn_list``: every id a known rule's
    (``[sub]`` tag aside), else a ConfigError naming ``path`` (a file, or the role's filter)."""
    unknown = [item for item in value if base_id(item) not in known_rules]
    if unknown:
        raise ConfigError(
            path,
            f"{key} names unknown rule(s) {', '.join(brief(u) for u in unknown[:5])}"
            f"{f' and {len(unknown) - 5} more' if len(unknown) > 5 else ''}; "
            "`node-timing rules` lists the ids",
            line,
        )
    return tuple(value)


def _line_of(root: yaml.Node | None, keys: Sequence[Any]) -> int | None:
    import yaml

    """The line of the node at ``keys`` (mapping keys, list indexes) under ``root``, or of the
    deepest node found on the way; None without a document."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node = found
        line = node.start_mark.line + 1
    return line


def _schema_problem(path: Path, data: Any, root: yaml.Node | None) -> ConfigError | None:
    import yaml

    """The first problem (by line) of ``data`` against the lint-config JSON Schema."""
    from node_timing.jsonschemas import validation_errors

    problems: list[tuple[int, str]] = []
    for error in validation_errors("lint-config", data):
        where = list(error.absolute_path)
        if where and where[0] == "thresholds":
            continue  # _thresholds says which name is wrong and why, with a suggestion
        if not where and error.validator == "type":
            message = f"must be a mapping of {', '.join(CONFIG_KEYS)}"
            line = _line_of(root, [])
        elif not where and error.validator == "additionalProperties":
            unknown = [str(key) for key in data if key not in CONFIG_KEYS]
            message = (
                f"unknown key(s) {', '.join(brief(u) for u in unknown[:5])}"
                f"{f' and {len(unknown) - 5} more' if len(unknown) > 5 else ''}; "
                f"known keys: {', '.join(CONFIG_KEYS)}"
            )
            line = _line_of(root, [unknown[0]]) if unknown else _line_of(root, [])
            if unknown and isinstance(root, yaml.MappingNode):
                key_node = next(
                    (k for k, _ in root.value if getattr(k, "value", None) == unknown[0]), None
                )
                line = key_node.start_mark.line + 1 if key_node is not None else line
        else:
            key = str(where[0])
            message = f"{key} must be {CONFIG_KEYS.get(key, 'valid')}, got {brief(data.get(key))}"
            line = _line_of(root, where)
        problems.append((line or 0, message))
    if not problems:
        return None
    problems.sort(key=lambda p: p[0])
    line, message = problems[0]
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem(s))"
    return ConfigError(path, message, line or None)


def load_config(path: Path, known_rules: Collection[str], *, explicit: bool = True) -> LintConfig:
    """Read and validate one config file; an empty file is the default configuration.

    ``explicit`` is False for a file found upward from the inventory: such a file may come with
    the change under review, so it cannot switch on ``allow_exec``.
    """
    data, root = _read_yaml(path)
    if data is None:
        return LintConfig(path=path)
    kube_version = data.get("kube_version") if isinstance(data, dict) else None
    if kube_version is not None and not isinstance(kube_version, str):
        # An unquoted 1.30 is the float 1.3 to YAML: say so rather than only "must be a string".
        raise ConfigError(
            path,
            f"kube_version must be {CONFIG_KEYS['kube_version']} in quotes, got {brief(kube_version)}",
            _line_of(root, ["kube_version"]),
        )
    problem = _schema_problem(path, data, root)
    if problem is not None:
        raise problem
    if kube_version is not None:
        from node_timing.knowledge import KnowledgeError, resolve_version

        try:
            resolve_version(kube_version)
        except KnowledgeError as exc:
            raise ConfigError(
                path, f"kube_version: {exc}", _line_of(root, ["kube_version"])
            ) from None

    kubespray_version = data.get("kubespray_version")
    if kubespray_version is not None:
        from node_timing.knowledge import KnowledgeError
        from node_timing.releases import parse_release

        try:
            parse_release(kubespray_version, "kubespray_version")
        except KnowledgeError as exc:
            raise ConfigError(path, str(exc), _line_of(root, ["kubespray_version"])) from None

    budget = data.get("heartbeat_budget")
    # NaN passes every schema bound; the figures need the same range everywhere
    from node_timing.profiles import budget_problem

    budget_error = budget_problem(budget) if budget is not None else None
    if budget_error is not None:
        raise ConfigError(
            path,
            f"heartbeat_budget must be {CONFIG_KEYS['heartbeat_budget']}, got {brief(budget)}",
            _line_of(root, ["heartbeat_budget"]),
        )

    allow_exec = data.get("allow_exec", False)
    if allow_exec and not explicit:
        raise ConfigError(
            path,
            "allow_exec is honoured only in a configuration file named with -c: this file was "
            "found next to the inventory, and whoever can change the inventory can change it",
            _line_of(root, ["allow_exec"]),
        )
    nodes = data.get("nodes")
    return LintConfig(
        thresholds=_thresholds(path, data.get("thresholds"), root),
        path=path,
        allow_exec=allow_exec,
        **{
            key: rule_ids(path, key, data.get(key, []), known_rules, _line_of(root, [key]))
            for key in ("skip_list", "warn_list")
        },
        kube_version=kube_version,
        kubespray_version=kubespray_version,
        nodes=nodes,
        heartbeat_budget=float(budget) if budget is not None else None,
    )


def _thresholds(path: Path, value: Any, root: yaml.Node | None) -> Thresholds:
    """The ``thresholds:`` mapping, checked name by name against data/kubernetes.yml."""
    if value is None:
        return Thresholds()
    if not isinstance(value, dict):
        raise ConfigError(
            path,
            f"thresholds must be {CONFIG_KEYS['thresholds']}, got {brief(value)}",
            _line_of(root, ["thresholds"]),
        )
    checked, problem, name = Thresholds.checked(value, str(path))
    if problem is not None:
        raise ConfigError(path, problem, _line_of(root, ["thresholds", name]))
    return checked


def release_option(cli: str | None, config: LintConfig) -> tuple[str | None, str]:
    """The kubespray release named for ``Options`` and who named it: ``--kubespray-version``
    wins over the configuration file, and the finding names whichever set it."""
    if cli is not None:
        return cli, "--kubespray-version"
    where = f"kubespray_version in {config.path}" if config.path else "kubespray_version"
    return config.kubespray_version, where


def discover(inventory: Path, known_rules: Collection[str]) -> LintConfig:
    """The configuration that applies to ``inventory``: the nearest file's, or the defaults."""
    from node_timing.inventory.root import private, project_root, within

    path = find_config(inventory)
    if path is None:
        return LintConfig()
    root = project_root(inventory)
    real = os.path.realpath(path)
    if not within(root, real) or private(root, real):
        # its keys and values would be echoed in the error lines: never read one that leads away
        raise ConfigError(path, "not read: a symlink out of the project (the target is not shown)")
    return load_config(path, known_rules, explicit=False)


def matches(rule: str, patterns: Iterable[str]) -> bool:
    """Whether ``rule`` (maybe with a ``[sub]`` tag) is named by any of ``patterns``.

    ``*`` names every rule; ``removed-setting`` names ``removed-setting[flag]``;
    ``removed-setting[flag]`` names only itself.
    """
    return any(p == "*" or p == rule or rule.startswith(p + "[") for p in patterns)


# ansible-lint reports every check of this tool under one rule, ``node-timing``, tagged
# ``node-timing[<check>]``: a noqa comment written for ansible-lint names the check that way, and the
# same comment silences it here, so one comment serves both tools.
ANSIBLE_LINT_RULE = "node-timing"


def own_rule_id(name: str) -> str:
    """``node-timing[grace-vs-heartbeat]`` -> ``grace-vs-heartbeat``; ``node-timing`` -> ``*``."""
    if name == ANSIBLE_LINT_RULE:
        return "*"
    prefix = ANSIBLE_LINT_RULE + "["
    if name.startswith(prefix) and name.endswith("]") and len(name) > len(prefix) + 1:
        return name[len(prefix) : -1]
    return name


def noqa_of(finding: Finding) -> Collection[str]:
    """The ids in a ``# noqa: ...`` comment on the finding's value line (attached by the loader),
    ansible-lint's ``node-timing[<check>]`` spelling read as ``<check>``."""
    value = finding.extra.get("noqa", ())
    if not isinstance(value, Collection) or isinstance(value, str):
        return ()
    return {own_rule_id(str(name)) for name in value}


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
