"""The ``node_timing_check`` filter: the lint rules over one host's (or several hosts')
variables. It runs the linter (the runner), as ``node-timing lint`` does; the settings and render
filters in ``node_timing.ansible_filters`` never do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from node_timing.rules import runner


def _check_hosts(value: Mapping[Any, Any], nodes: Any, kube_version: Any) -> list[dict[str, Any]]:
    """Findings for ``{host: variables}``: each distinct set of variables checked once, identical
    findings merged with the union of their hosts (the runner's merge, as the CLI's)."""

    count = None if nodes is None else node_count(nodes, "node_timing_check")
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for host, host_value in value.items():
        if not isinstance(host_value, Mapping):
            raise FilterError(
                f"node_timing_check(per_host=true) expects host names mapped to their variables; "
                f"{host} has {type(host_value).__name__}"
            )
        selected = node_timing_host_vars(host_value)
        key = repr(sorted(selected.items(), key=lambda kv: kv[0]))
        groups.setdefault(key, (selected, []))[1].append(str(host))
    findings = runner.check_hosts(
        (
            (selected, hosts, selected.pop(ORIGINS, None) or {})
            for selected, hosts in groups.values()
        ),
        count,
        kube_version_text(kube_version),
    )
    return [to_plain(f.to_dict(), "finding") for f in findings]


def node_timing_check(
    value: Any, nodes: Any = None, kube_version: Any = None, per_host: Any = False
) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        if per_host and isinstance(value, Mapping):
            return _check_hosts(value, nodes, kube_version)
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
            host_vars, count, kube_version_text(kube_version), origins=origins
        )
        return [to_plain(f.to_dict(), "finding") for f in findings]

    result: list[dict[str, Any]] = call("node_timing_check", run)
    return result
