"""The linter: run every rule over a lint context and merge the findings.

Findings that several host groups produce at the same place are merged, with the union of their
hosts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node_timing.evaluate.context import LintContext, build_context, groups_context, host_context
from node_timing.evaluate.options import Options
from node_timing.findings import UNSET, Finding, Severity

if TYPE_CHECKING:
    from node_timing.config import LintConfig


# Rules whose verdict reads only what is written (its syntax, its type, where it is, whether two
# places agree), never a version's defaults, flags or limits: the only ones run when the version
# is outside the facts (`kube-version` says so).
VERSION_FREE = frozenset(
    {
        "yaml-load",
        "value-type",
        "seconds-format",
        "duration-format",
        "unresolved-value",
        "unknown-setting",
        "kube-version",
        "deployed-drift",
        "control-plane-drift",
    }
)


def run_rules(ctx: LintContext) -> list[Finding]:
    """Every rule's findings over ``ctx``, merged (see :func:`merge_findings`) and sorted."""
    from node_timing import rules

    outside = ctx.version_problem is not None and ctx.version_problem.outside
    return merge_findings(
        on_a_line(finding)
        for rule in rules.modules()
        if not outside or rule.ID in VERSION_FREE
        for finding in default_severity(rule.check(ctx), rule.SEVERITY)
    )


def on_a_line(finding: Finding) -> Finding:
    """A finding about a whole file (one it could not read, a value only ansible-core read) at
    its line 1: no editor or code-scanning view can show line 0."""
    if finding.line:
        return finding
    return dataclasses.replace(finding, line=1, column=finding.column or 1)


def default_severity(findings: Iterable[Finding], default: Severity) -> Iterator[Finding]:
    """``findings`` of one rule, each with ``default`` (the rule module's SEVERITY) unless the
    rule chose another severity for it."""
    for f in findings:
        yield dataclasses.replace(f, severity=default) if f.severity == UNSET else f


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` with those at the same place with the same text merged, sorted by place.

    A merged finding has the first one's fields and the union of the hosts and of the noqa ids.
    Hosts and ids are collected first and the merged finding is built once, so that many host
    groups reporting the same thing cost linear time.
    """
    first: dict[tuple[Any, ...], Finding] = {}
    hosts: dict[tuple[Any, ...], set[str]] = {}
    noqa: dict[tuple[Any, ...], frozenset[str]] = {}
    for finding in findings:
        key = (
            finding.rule,
            finding.severity,
            finding.message,
            finding.path,
            finding.line,
            finding.column,
        )
        if key not in first:
            first[key] = finding
            continue
        if key not in hosts:
            hosts[key] = set(first[key].hosts)
            noqa[key] = first[key].extra.get("noqa", frozenset())
        hosts[key].update(finding.hosts)
        noqa[key] = noqa[key] | finding.extra.get("noqa", frozenset())
    merged = []
    for key, f in first.items():
        if key in hosts:
            f = Finding(
                f.rule,
                f.severity,
                f.message,
                f.path,
                f.line,
                f.column,
                tuple(sorted(hosts[key])),
                f.setting,
                f.from_default,
                f.fixable,
                {**f.extra, "noqa": noqa[key]},
            )
        merged.append(f)
    return sorted(merged, key=Finding.sort_key)


def lint_inventory(
    path: str | Path, options: Options | None = None
) -> tuple[LintContext, list[Finding]]:
    """Load ``path`` and return the context and every finding (before silencing)."""
    from node_timing.inventory import load_inventory

    inventory = load_inventory(
        path,
        allow_exec=bool(options and options.allow_exec),
        extra_vars=options.extra_vars if options else (),
    )
    ctx = build_context(inventory, options)
    return ctx, run_rules(ctx)


def check_host_vars(
    variables: Mapping[str, Any],
    nodes: int | None = None,
    kube_version: str | None = None,
    origins: Mapping[str, Sequence[Any]] | None = None,
    host: str = "host",
    default_path: str = "inventory",
    config: LintConfig | None = None,
) -> list[Finding]:
    """The lint rules applied to one host's variables (as the Ansible role sees them).

    ``origins`` maps a variable name to ``(path, line, column)`` where Ansible read it, so findings
    point at the file and line as the CLI's do. The host stands for both a kubelet and a control
    plane; rules that compare hosts (control-plane-drift) need the whole inventory (`lint`).
    ``config`` gives the thresholds and the skip and warn lists, as .node-timing.yml does for `lint`.
    """
    from node_timing.config import LintConfig, apply_silencing

    config = config or LintConfig()
    ctx = host_context(
        variables, nodes, kube_version, origins, host, default_path, config.thresholds
    )
    return apply_silencing(run_rules(ctx), config)


def check_host_groups(
    groups: Sequence[tuple[Mapping[str, Any], Sequence[str], Mapping[str, Sequence[Any]]]],
    nodes: int | None = None,
    kube_version: str | None = None,
    control_plane: Sequence[str] | None = None,
    default_path: str = "inventory",
    config: LintConfig | None = None,
) -> list[Finding]:
    """The lint rules applied to groups of hosts that share their variables (as the Ansible role
    sees a play's hosts), together as `lint` checks an inventory: see
    :func:`~node_timing.evaluate.context.groups_context`. ``config`` as for
    :func:`check_host_vars`."""
    if not groups:
        return []
    from node_timing.config import LintConfig, apply_silencing

    config = config or LintConfig()
    ctx = groups_context(
        groups, nodes, kube_version, control_plane, default_path, thresholds=config.thresholds
    )
    return apply_silencing(run_rules(ctx), config)
