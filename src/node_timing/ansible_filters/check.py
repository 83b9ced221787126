"""The filters that run the linter (the runner): ``node_timing_check``, the lint rules over one
host's (or several hosts') variables, as ``node-timing lint`` does, and ``node_timing_verify``,
what the nodes' files run against what those variables intend, as ``node-timing verify`` does.
The settings and render filters in ``node_timing.ansible_filters`` never run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from node_timing.ansible_filters import node_timing_host_vars
from node_timing.ansible_filters.convert import (
    FQCN,
    ORIGINS,
    FilterError,
    call,
    kube_version_text,
    node_count,
    to_plain,
)
from node_timing.display import brief
from node_timing.rules import runner

if TYPE_CHECKING:
    from node_timing.config import LintConfig

# What a finding based on a moved threshold names as where it was moved (a file's name for lint).
THRESHOLDS_FROM = "the play's thresholds"


def lint_config(thresholds: Any, skip_list: Any, warn_list: Any, filter_name: str) -> LintConfig:
    """The configuration the play hands over, checked by the code that checks .node-timing.yml:
    the same refusals (unknown or upstream threshold, wrong type or range, crossed levels, unknown
    rule id), each one line starting with the filter's name."""
    from node_timing.config import CONFIG_KEYS, LintConfig
    from node_timing.thresholds import Thresholds

    values = {} if thresholds is None else to_plain(thresholds, "thresholds")
    if not isinstance(values, dict):
        raise FilterError(
            f"{filter_name}: thresholds must be {CONFIG_KEYS['thresholds']}, "
            f"got {type(values).__name__}"
        )
    checked, problem, _ = Thresholds.checked(values, THRESHOLDS_FROM)
    if problem is not None:
        raise FilterError(f"{filter_name}: {problem}")
    return LintConfig(
        thresholds=checked,
        skip_list=_rule_ids(skip_list, "skip_list", filter_name),
        warn_list=_rule_ids(warn_list, "warn_list", filter_name),
    )


def _rule_ids(value: Any, key: str, filter_name: str) -> tuple[str, ...]:
    from node_timing import rules
    from node_timing.config import CONFIG_KEYS, ConfigError, rule_ids

    ids = [] if value is None else to_plain(value, key)
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise FilterError(f"{filter_name}: {key} must be {CONFIG_KEYS[key]}, got {brief(ids)}")
    try:
        return rule_ids(filter_name, key, ids, set(rules.ids()), None)
    except ConfigError as exc:  # names the filter where a file's error names the file
        raise FilterError(str(exc)) from None


def _host_groups(
    value: Mapping[Any, Any], filter_name: str
) -> list[tuple[dict[str, Any], list[str], Any]]:
    """``{host: variables}`` as groups of hosts with the same timing variables, each
    ``(variables, hosts, origins)``."""
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for host, host_value in value.items():
        if not isinstance(host_value, Mapping):
            raise FilterError(
                f"{filter_name} expects host names mapped to their variables; "
                f"{host} has {type(host_value).__name__}"
            )
        selected = node_timing_host_vars(host_value)
        key = repr(sorted(selected.items(), key=lambda kv: kv[0]))
        groups.setdefault(key, (selected, []))[1].append(str(host))
    return [
        (selected, hosts, selected.pop(ORIGINS, None) or {}) for selected, hosts in groups.values()
    ]


def _control_plane(control_plane: Any, filter_name: str) -> list[str] | None:
    control = None if control_plane is None else to_plain(control_plane, "control_plane")
    if control is not None and not isinstance(control, list):
        raise FilterError(f"{filter_name}: control_plane must be a list of host names")
    return None if control is None else [str(h) for h in control]


def _check_hosts(
    value: Mapping[Any, Any],
    nodes: Any,
    kube_version: Any,
    control_plane: Any,
    config: LintConfig,
) -> list[dict[str, Any]]:
    """Findings for ``{host: variables}``: hosts with the same variables form one group, and the
    groups are checked together as `lint` checks an inventory, so each group's figures count its
    own hosts (one host_vars host is one node, not the cluster)."""
    count = None if nodes is None else node_count(nodes, "node_timing_check")
    findings = runner.check_host_groups(
        _host_groups(value, "node_timing_check(per_host=true)"),
        count,
        kube_version_text(kube_version),
        control_plane=_control_plane(control_plane, "node_timing_check"),
        config=config,
    )
    return [to_plain(f.to_dict(), "finding") for f in findings]


def node_timing_check(
    value: Any,
    nodes: Any = None,
    kube_version: Any = None,
    per_host: Any = False,
    control_plane: Any = None,
    thresholds: Any = None,
    skip_list: Any = None,
    warn_list: Any = None,
) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        config = lint_config(thresholds, skip_list, warn_list, "node_timing_check")
        if per_host and isinstance(value, Mapping):
            return _check_hosts(value, nodes, kube_version, control_plane, config)
        if not isinstance(value, Mapping):
            raise FilterError(
                "node_timing_check expects one host's variables as a mapping (e.g. "
                f"hostvars[inventory_hostname] | {FQCN}.node_timing_host_vars), "
                f"got {type(value).__name__}"
            )

        host_vars = node_timing_host_vars(value)
        count = None if nodes is None else node_count(nodes, "node_timing_check")
        origins = host_vars.pop(ORIGINS, None) or {}
        findings = runner.check_host_vars(
            host_vars, count, kube_version_text(kube_version), origins=origins, config=config
        )
        return [to_plain(f.to_dict(), "finding") for f in findings]

    result: list[dict[str, Any]] = call("node_timing_check", run)
    return result


def _held_texts(files: Any) -> dict[str, dict[str, str]]:
    """``{host: {node path: text}}`` checked: text files only (the module skips the others)."""
    plain = to_plain(files, "files")
    if not isinstance(plain, dict) or not all(isinstance(v, dict) for v in plain.values()):
        raise FilterError(
            "node_timing_verify expects {host: {node path: text}} of the files read on each "
            f"node (the node_timing_kubelet_files module's files), got {type(files).__name__}"
        )
    return {
        str(host): {str(p): t for p, t in texts.items() if isinstance(t, str)}
        for host, texts in plain.items()
    }


def node_timing_verify(
    files: Any,
    hosts: Any,
    nodes: Any = None,
    kube_version: Any = None,
    control_plane: Any = None,
    thresholds: Any = None,
    skip_list: Any = None,
    warn_list: Any = None,
) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        from node_timing.config import apply_silencing
        from node_timing.deployed.held import HeldFiles
        from node_timing.deployed.verify import compare
        from node_timing.evaluate.context import groups_context
        from node_timing.inventory.model import LoadProblem

        config = lint_config(thresholds, skip_list, warn_list, "node_timing_verify")
        texts = _held_texts(files)
        if not isinstance(hosts, Mapping) or not hosts:
            raise FilterError(
                "node_timing_verify needs hosts={host: hostvars[host], ...}, the variables of "
                "the hosts whose files are verified"
            )
        control = _control_plane(control_plane, "node_timing_verify")
        count = None if nodes is None else node_count(nodes, "node_timing_verify")
        intended = groups_context(
            _host_groups(hosts, "node_timing_verify"),
            count,
            kube_version_text(kube_version),
            control,
            thresholds=config.thresholds,
        )
        if control is not None and not set(control) & {str(h) for h in hosts}:
            intended.control_plane_groups = []  # not every host: none of them
        problems = [
            LoadProblem(
                "/", 0, 0, f"{host}: no files read from the node, not verified", severity="warning"
            )
            for host in map(str, hosts)
            if host not in texts
        ]
        result = compare(
            intended,
            {host: HeldFiles("/", texts=found) for host, found in texts.items()},
            problems,
        )
        findings = apply_silencing(runner.run_rules(result.context), config)
        out = []
        for f in findings:
            data = f.to_dict()
            data.update({k: f.extra[k] for k in ("intended", "running") if k in f.extra})
            out.append(to_plain(data, "finding"))
        return out

    result: list[dict[str, Any]] = call("node_timing_verify", run)
    return result
